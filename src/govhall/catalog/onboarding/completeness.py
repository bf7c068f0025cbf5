"""The completeness dashboard: per organ and region, item by item, what is still missing before each
item's guide can be published complete (and applied for online), and its export to Excel.

An item's status: *complete* (a complete version in force), *listed* (a listed version in force),
*draft* (never published) or *retired*. What is missing is read from the version an administrator
would complete next: the open draft, else the version in force. Identity gaps count too: no
national implementation code, no basic code, an organ without a credit code. A main item with
sub-items carries no guide of its own (its sub-items do), so only its identity gaps are listed.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from govhall.core.errors import NotFound

from ..guide import missing_for_complete
from ..models import Completeness, ImplementationItem, ItemVersion, Organ, Region, VersionState
from ..scope import viewable_organs_q
from ..selectors import GUIDE_PREFETCH, guide_of

IDENTITY_GAPS = {
    "implementation_code": ("实施编码", "implementation code"),
    "basic_code": ("基本编码", "basic code"),
    "organ_credit_code": ("实施机构统一社会信用代码", "organ's credit code"),
}
STATUS_LABELS = {"complete": ("完整指南", "complete guide"), "listed": ("仅列入清单", "listed"),
                 "draft": ("草稿（未发布）", "draft (not published)"), "retired": ("已废止", "retired")}


@dataclass
class ItemGaps:
    item: ImplementationItem
    name: str
    status: str
    is_main: bool
    missing: list[tuple[str, str, str]] = field(default_factory=list)  # (field, zh, en)

    @property
    def complete(self) -> bool:
        return self.status == "complete"


@dataclass
class OrganSummary:
    organ: Organ
    items: int = 0
    complete: int = 0
    listed: int = 0
    draft: int = 0
    retired: int = 0
    missing: Counter = field(default_factory=Counter)
    top_missing: list[tuple[str, str, str, int]] = field(default_factory=list)  # (field, zh, en, count)

    @property
    def share_complete(self) -> int:
        return round(100 * self.complete / self.items) if self.items else 0


@dataclass
class RegionSummary:
    code: str
    name: str
    organs: int = 0
    organs_to_complete: int = 0
    items: int = 0
    complete: int = 0
    listed: int = 0
    draft: int = 0
    retired: int = 0


@dataclass
class Dashboard:
    region: Region | None
    organ: Organ | None
    organs: list[OrganSummary]
    regions: list[RegionSummary]
    rows: list[ItemGaps]
    totals: OrganSummary
    labels: dict[str, tuple[str, str]]


def organs_readable(user) -> list[Organ]:
    """Organs whose catalogue ``user`` reads (the dashboard's organ filter)."""
    return list(Organ.objects.filter(viewable_organs_q(user)).order_by("region_id", "name"))


def region_by_code(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFound(code)
    return region


def _status(versions: list[ItemVersion], today: dt.date) -> tuple[str, ItemVersion | None]:
    in_force = [v for v in versions if v.state == VersionState.PUBLISHED and v.status_on(today) == "current"]
    current = max(in_force, key=lambda v: (v.effective_from, v.number), default=None)
    if current is not None:
        return ("listed" if current.completeness == Completeness.LISTED else "complete"), current
    if any(v.state == VersionState.PUBLISHED for v in versions):
        scheduled = [v for v in versions if v.state == VersionState.PUBLISHED and v.status_on(today) == "scheduled"]
        return ("retired" if not scheduled else "draft"), None
    return "draft", None


def dashboard(user, *, region: Region | None = None, organ: Organ | None = None,
              today: dt.date | None = None) -> Dashboard:
    """The dashboard of the items ``user`` may read (every staff role reads its organs' catalogue;
    None: the system, every organ), optionally within ``region``'s subtree or of one ``organ``. Queries: a handful, whatever the size."""
    today = today or timezone.localdate()
    organs = Organ.objects.all() if user is None else Organ.objects.filter(viewable_organs_q(user))
    items = (ImplementationItem.objects.filter(organ__in=organs)
             .select_related("organ__region", "catalog_item", "parent")
             .prefetch_related(Prefetch("versions", queryset=ItemVersion.objects.prefetch_related(*GUIDE_PREFETCH)),
                               "sub_items")
             .order_by("organ__region_id", "organ__name", "key"))
    if region is not None:
        items = items.filter(organ__region__code__startswith=region.prefix)
    if organ is not None:
        items = items.filter(organ=organ)
    labels: dict[str, tuple[str, str]] = dict(IDENTITY_GAPS)
    rows, summaries = [], {}
    totals = OrganSummary(organ=None)  # type: ignore[arg-type]
    for item in items:
        versions = list(item.versions.all())
        status, current = _status(versions, today)
        draft = next((v for v in versions if v.state == VersionState.DRAFT), None)
        basis = draft or current or (max(versions, key=lambda v: v.number) if versions else None)
        is_main = bool(item.sub_items.all())
        missing: list[tuple[str, str, str]] = []
        if not item.code:
            missing.append(("implementation_code", *IDENTITY_GAPS["implementation_code"]))
        if not item.catalog_item.basic_code:
            missing.append(("basic_code", *IDENTITY_GAPS["basic_code"]))
        if not item.organ.credit_code:
            missing.append(("organ_credit_code", *IDENTITY_GAPS["organ_credit_code"]))
        if basis is not None and not is_main:
            for key, zh, en in missing_for_complete(guide_of(basis)):
                labels.setdefault(key, (zh, en))
                missing.append((key, zh, en))
        row = ItemGaps(item=item, name=basis.name if basis else "", status=status, is_main=is_main, missing=missing)
        rows.append(row)
        summary = summaries.setdefault(item.organ_id, OrganSummary(organ=item.organ))
        for target in (summary, totals):
            target.items += 1
            setattr(target, status, getattr(target, status) + 1)
            target.missing.update(key for key, _zh, _en in missing)
    by_region: dict[str, RegionSummary] = {}
    for summary in summaries.values():
        summary.top_missing = [(key, *labels[key], n) for key, n in summary.missing.most_common(3)]
        organ_region = summary.organ.region
        target = by_region.setdefault(organ_region.code, RegionSummary(organ_region.code, organ_region.name))
        target.organs += 1
        target.organs_to_complete += summary.organ.to_complete
        for key in ("items", "complete", "listed", "draft", "retired"):
            setattr(target, key, getattr(target, key) + getattr(summary, key))
    return Dashboard(region=region, organ=organ, organs=list(summaries.values()),
                     regions=sorted(by_region.values(), key=lambda r: r.code), rows=rows, totals=totals,
                     labels=labels)


def dashboard_all(*, region: Region | None = None) -> Dashboard:
    """Every organ's items (the system: the command line)."""
    return dashboard(None, region=region)


def export_bytes(board: Dashboard) -> bytes:
    """The dashboard as an .xlsx workbook: a summary per organ and per region, and every item with
    what it lacks."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "机构汇总 Organs"
    keys = list(board.labels)
    ws.append(["区划 region", "实施机构 organ", "统一社会信用代码 credit code", "事项数 items", "完整 complete",
               "仅列入清单 listed", "草稿 draft", "已废止 retired",
               *(f"缺{board.labels[k][0]} missing {board.labels[k][1]}" for k in keys)])
    for s in board.organs:
        ws.append([s.organ.region_id, s.organ.name, s.organ.credit_code or "（待补全 to complete）", s.items,
                   s.complete, s.listed, s.draft, s.retired, *(s.missing.get(k, 0) for k in keys)])
    regions = wb.create_sheet("区划汇总 Regions")
    regions.append(["区划代码 region", "名称 name", "机构数 organs", "待补全机构 organs to complete", "事项数 items",
                    "完整 complete", "仅列入清单 listed", "草稿 draft", "已废止 retired"])
    for r in board.regions:
        regions.append([r.code, r.name, r.organs, r.organs_to_complete, r.items, r.complete, r.listed, r.draft,
                        r.retired])
    items = wb.create_sheet("事项明细 Items")
    items.append(["事项标识 key", "实施编码 implementation code", "地方编码 local code", "事项名称 name",
                  "主项 main item", "实施机构 organ", "区划 region", "状态 status", "缺项数 missing",
                  "缺少的内容 what is missing"])
    for row in board.rows:
        item = row.item
        items.append([item.key, item.code or "", item.local_code, row.name, item.parent.key if item.parent else "",
                      item.organ.name, item.organ.region_id, f"{STATUS_LABELS[row.status][0]} {row.status}",
                      len(row.missing), "；".join(f"{zh} {en}" for _k, zh, en in row.missing)])
    for sheet in (ws, regions, items):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
