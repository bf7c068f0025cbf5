"""Sharing figures in the API: ``GET /api/v1/sharing/figures`` ("materials saved")."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema
from ninja.security import django_auth

from govhall.api.permissions import permission
from govhall.api.schemas import ErrorOut
from govhall.sharing import selectors
from govhall.sharing.permissions import FIGURES_VIEW

# operation_id: the ids the OpenAPI document has published since this router lived in govhall.sharing.api
# (clients generated from the document name their methods after them); they do not change.
router = Router(tags=["sharing"], auth=django_auth)  # staff session: declared as security in OpenAPI


class FigureRow(Schema):
    month: str
    item_code: str
    item_name: str
    organ: str
    organ_code: str
    fetched: int
    uploaded: int
    saved_share: float


class Figures(Schema):
    rows: list[FigureRow]
    fetched: int
    uploaded: int


@router.get("/figures", response={200: Figures, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
            url_name="sharing_figures",
            operation_id="govhall_sharing_api_figures",
            summary="Materials saved: fetched vs uploaded, per item, organ and month")
@permission(FIGURES_VIEW)
def figures(request, organ: str = "", item: str = "", month_from: dt.date | None = None,
            month_to: dt.date | None = None):
    """材料“免提交”统计：按事项、部门、月份统计通过数据共享获取与申请人上传的材料数。"""
    rows = selectors.figures(organ=organ[:18], item=item[:31], month_from=month_from, month_to=month_to)
    return {"rows": rows, "fetched": sum(r["fetched"] for r in rows), "uploaded": sum(r["uploaded"] for r in rows)}
