"""Electronic supervision in the API: ``GET /api/v1/supervision/warnings`` and ``/figures`` (staff
session; a supervisor sees the organs of their region, an organ's staff their organ)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Router, Schema
from ninja.security import django_auth

from govhall.api.permissions import permission
from govhall.api.schemas import ErrorOut
from govhall.supervision import selectors
from govhall.supervision.permissions import FIGURES_VIEW, WARNING_VIEW
from govhall.supervision.rules import LEVEL_ZH

router = Router(tags=["supervision"], auth=django_auth)


class WarningOut(Schema):
    id: int
    rule: str
    rule_version: int
    rule_title: str
    level: str
    level_zh: str
    state: str
    organ: str
    organ_code: str | None
    case_number: str | None
    item_key: str | None
    message_zh: str
    message_en: str
    facts: dict
    raised_at: dt.datetime
    rectify_due: dt.date | None
    escalation: int


class Warnings(Schema):
    count: int
    warnings: list[WarningOut]


class FigureOut(Schema):
    period: str
    dimension: str
    key: str
    label: str
    organ_code: str | None
    received: int
    accepted: int
    finished: int
    on_time: int
    late: int
    avg_days: float | None
    p90_days: int | None
    avg_promised: float | None
    corrections: int
    correction_rate: float | None
    deemed: int
    online: int
    online_rate: float | None
    fetched: int
    uploaded: int
    notices: int
    yellow: int
    red: int
    score: float | None
    grade: str


@router.get("/warnings", response={200: Warnings, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
            url_name="supervision_warnings", summary="Supervision warnings (提示/黄牌/红牌) in the caller's scope")
@permission(WARNING_VIEW)
def warnings(request, organ: str = "", level: Literal["", "notice", "yellow", "red"] = "",
             state: Literal["", "open", "acknowledged", "explained", "rectified", "escalated", "closed"] = "",
             limit: int = 100, offset: int = 0):
    """电子监察预警：按部门（统一社会信用代码）、级别、状态筛选；state=open 为全部未办结的预警。"""
    qs = selectors.warnings(request.user, organ=organ[:18], level=level, state=state)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    rows = [{"id": w.pk, "rule": w.rule.code, "rule_version": w.rule_version, "rule_title": w.rule.title_zh,
             "level": w.level, "level_zh": LEVEL_ZH[w.level], "state": w.state, "organ": w.organ.name,
             "organ_code": w.organ.credit_code, "case_number": w.case.number if w.case_id else None,
             "item_key": w.item.key if w.item_id else None, "message_zh": w.message_zh, "message_en": w.message_en,
             "facts": w.facts, "raised_at": w.raised_at, "rectify_due": w.rectify_due, "escalation": w.escalation}
            for w in qs[offset:offset + limit]]
    return {"count": qs.count(), "warnings": rows}


@router.get("/figures", response={200: list[FigureOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
            url_name="supervision_figures", summary="Efficiency figures per organ, item or staff member and period")
@permission(FIGURES_VIEW)
def figures(request, organ: str = "", period: str = "", dimension: Literal["organ", "item", "staff"] = "organ"):
    """效能统计：period 为月份（2026-06）或季度（2026Q2）；季度的部门行带考核等级。"""
    rows = selectors.figures(request.user, period=period[:7], dimension=dimension, organ=organ[:18])
    return [{**{k: getattr(f, k) for k in FigureOut.model_fields if hasattr(f, k)},
             "organ_code": f.organ.credit_code} for f in rows[:5000]]
