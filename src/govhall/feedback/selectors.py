"""Reads of the feedback context: the rater's own ratings, staff queues in scope, the published
figures (GB/T 39734 Annex B indicators as the domain notes name them) and the neutral export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from govhall.cases.authority import may_read
from govhall.cases.models import Case
from govhall.cases.scope import organ_ids
from govhall.core.errors import NotFound

from . import rules
from .models import Appeal, Complaint, Consultation, Rating, RatingFlag, RatingStage, Rectification
from .permissions import FEEDBACK_SUPERVISE, FEEDBACK_VIEW


def case_for_rating(user, number: str) -> Case:
    """The case ``number`` if ``user`` may act on it for its applicant; NotFound otherwise."""
    case = Case.objects.filter(number=number).select_related("application", "organ").first()
    if case is None or not may_read(user, case):
        raise NotFound(number)
    return case


def ratings_of_case(case: Case) -> dict[str, Rating]:
    return {r.stage: r for r in Rating.objects.filter(case=case).select_related("rectification")}


def my_ratings(user) -> QuerySet[Rating]:
    return Rating.objects.filter(rater=user).select_related("case", "item", "organ", "rectification")


def my_rating(user, pk: int) -> Rating:
    rating = Rating.objects.filter(pk=pk, rater=user).select_related("case").first()
    if rating is None:
        raise NotFound(str(pk))
    return rating


def unrated_cases(user) -> list[Case]:
    """The user's closed cases still waiting for a closing rating (their invitations)."""
    from .models import RatingInvitation

    invited = (RatingInvitation.objects.filter(recipient=user, stage=RatingStage.CLOSE)
               .exclude(case__ratings__stage=RatingStage.CLOSE).select_related("case"))
    return [i.case for i in invited]


def _organs(user, permission: str = FEEDBACK_VIEW) -> list[int]:
    return organ_ids(user, permission)


def rectifications_for(user, *, state: str = "") -> QuerySet[Rectification]:
    """Rectifications of the organs the user handles feedback for, soonest due first."""
    qs = (Rectification.objects.filter(organ_id__in=_organs(user))
          .select_related("rating__case", "rating__item", "organ"))
    if state == "open":
        qs = qs.exclude(state__in=[Rectification.State.REPLIED, Rectification.State.ANSWERED])
    elif state:
        qs = qs.filter(state=state)
    return qs.order_by("replied_at", "due_date", "pk")


def access_rectification(user, pk: int) -> Rectification:
    rect = rectifications_for(user).filter(pk=pk).first()
    if rect is None:
        raise NotFound(str(pk))
    return rect


def ratings_for(user) -> QuerySet[Rating]:
    return Rating.objects.filter(organ_id__in=_organs(user)).select_related("case", "item", "organ")


def access_rating(user, pk: int) -> Rating:
    rating = ratings_for(user).filter(pk=pk).first()
    if rating is None:
        raise NotFound(str(pk))
    return rating


def appeals_for(user) -> QuerySet[Appeal]:
    """Appeals of the organs the user supervises, waiting ones first."""
    return (Appeal.objects.filter(rating__organ_id__in=_organs(user, FEEDBACK_SUPERVISE))
            .select_related("rating__case", "requested_by").order_by("-state", "-requested_at"))


def access_appeal(user, pk: int) -> Appeal:
    appeal = appeals_for(user).filter(pk=pk).first()
    if appeal is None:
        raise NotFound(str(pk))
    return appeal


def consultations_for(user, *, q: str = "", state: str = "") -> QuerySet[Consultation]:
    qs = Consultation.objects.filter(organ_id__in=_organs(user)).select_related("item", "organ")
    if state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(Q(question__icontains=q) | Q(answer__icontains=q) | Q(item__code=q))
    return qs.order_by("-state", "due_date", "-asked_at") if state == "open" else qs


def access_consultation(user, pk: int) -> Consultation:
    c = consultations_for(user).filter(pk=pk).first()
    if c is None:
        raise NotFound(str(pk))
    return c


def my_consultation(user, pk: int) -> Consultation:
    c = Consultation.objects.filter(pk=pk, asker=user).select_related("item").first()
    if c is None:
        raise NotFound(str(pk))
    return c


def published_consultations(item_code: str = "") -> QuerySet[Consultation]:
    """Published questions and answers (public texts only), newest first."""
    qs = Consultation.objects.filter(published_at__isnull=False).select_related("item")
    if item_code:
        qs = qs.filter(Q(item__code=item_code) | Q(item__key=item_code))
    return qs.order_by("-published_at", "-pk")


def complaints_for(user, *, q: str = "", state: str = "") -> QuerySet[Complaint]:
    """Complaints of the user's organs, of the organs they supervise, and (supervisors) the platform's."""
    supervised = _organs(user, FEEDBACK_SUPERVISE)
    scope = Q(organ_id__in=_organs(user)) | Q(organ_id__in=supervised)
    if supervised:
        scope |= Q(organ__isnull=True)
    qs = Complaint.objects.filter(scope).select_related("organ", "case", "item")
    if state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(Q(subject__icontains=q) | Q(content__icontains=q) | Q(case__number=q))
    return qs


def access_complaint(user, pk: int) -> Complaint:
    c = complaints_for(user).filter(pk=pk).first()
    if c is None:
        raise NotFound(str(pk))
    return c


def my_complaint(user, pk: int) -> Complaint:
    c = Complaint.objects.filter(pk=pk, complainant=user).first()
    if c is None:
        raise NotFound(str(pk))
    return c


# --- figures ------------------------------------------------------------------------------------


@dataclass
class Figures:
    key: str
    name: str
    ratings: int
    good: int
    bad: int
    bad_rectified_on_time: int
    real_name_bad: int
    called_back: int

    @property
    def good_share(self) -> float | None:
        return rules.share(self.good, self.ratings)

    @property
    def rectified_on_time_share(self) -> float | None:
        return rules.share(self.bad_rectified_on_time, self.bad)

    @property
    def callback_rate(self) -> float | None:
        return rules.share(self.called_back, self.real_name_bad)

    def as_dict(self) -> dict:
        return {"key": self.key, "name": self.name, "ratings": self.ratings, "good": self.good, "bad": self.bad,
                "good_share": self.good_share, "bad_rectified_on_time": self.bad_rectified_on_time,
                "rectified_on_time_share": self.rectified_on_time_share, "real_name_bad": self.real_name_bad,
                "called_back": self.called_back, "callback_rate": self.callback_rate}


def figures(*, by: str = "organ", since: dt.date | None = None, until: dt.date | None = None,
            organ_id: int | None = None) -> list[Figures]:
    """Per organ (``by="organ"``) or per item: ratings counted (ratings marked mistaken or malicious
    left out), good ones (4 and 5), bad ones (1 and 2) and those replied by their due date, and the
    callback rate of real-name bad ratings. Dates are the rating's day (inclusive)."""
    qs = Rating.objects.filter(flag=RatingFlag.NONE)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    if organ_id:
        qs = qs.filter(organ_id=organ_id)
    if by == "item":
        group = ["item_id", "item__code", "item__key"]
    else:
        group = ["organ_id", "organ__name", "organ__credit_code"]
    rows = qs.values(*group).annotate(
        n=Count("pk"), good=Count("pk", filter=Q(score__in=rules.GOOD_SCORES)),
        bad=Count("pk", filter=Q(score__in=rules.BAD_SCORES)),
        on_time=Count("pk", filter=Q(score__in=rules.BAD_SCORES, rectification__on_time=True)),
        rn_bad=Count("pk", filter=Q(score__in=rules.BAD_SCORES, real_name=True)),
        called=Count("pk", filter=Q(score__in=rules.BAD_SCORES, real_name=True,
                                    rectification__callback_at__isnull=False)),
    ).order_by(group[0])
    out = []
    names = {}
    if by == "item":
        from govhall.catalog.models import ItemVersion

        ids = [r["item_id"] for r in rows]
        for v in ItemVersion.objects.filter(item_id__in=ids).order_by("item_id", "-number").values("item_id", "name"):
            names.setdefault(v["item_id"], v["name"])
    for r in rows:
        if by == "item":
            key, name = r["item__code"] or r["item__key"], names.get(r["item_id"], "")
        else:
            key, name = r["organ__credit_code"] or f"O{r['organ_id']}", r["organ__name"]
        out.append(Figures(key, name, r["n"], r["good"], r["bad"], r["on_time"], r["rn_bad"], r["called"]))
    return out


# --- export -------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    # (column, description) — the mapping is documented in docs/feedback.md
    ("case_number", "办件编号 / case number"),
    ("item_code", "实施编码 / implementation code (item key when the code is unknown)"),
    ("organ_credit_code", "实施机构统一社会信用代码 / organ's credit code"),
    ("region_code", "行政区划代码 / division code of the organ"),
    ("stage", "评价环节 1 受理 2 办结 / stage: 1 acceptance, 2 closing"),
    ("channel", "评价渠道 1 PC 2 移动端 3 二维码 4 大厅评价器 5 自助终端 6 电话 7 短信 / channel"),
    ("score", "评价等级 5 非常满意 … 1 非常不满意（国家好差评编号）/ national score"),
    ("satisfaction_gbt39046", "GB/T 39046 A.8 满意度（1 非常满意 … 5 非常不满意）/ the same, reversed"),
    ("level", "评价等级名称 / level name"),
    ("dimensions", "分项评价 维度=分值，分号分隔 / dimension=score; …"),
    ("reasons", "差评原因代码（占位清单，见文档）/ reason codes (placeholder list)"),
    ("comment", "评价内容 / comment"),
    ("real_name", "实名评价 1/0 / real-name rater"),
    ("rated_at", "评价时间 / rated at (ISO 8601, +08:00)"),
    ("flag", "标记：空 有效，mistaken 误评，malicious 恶意 / marked"),
    ("rectification_state", "整改状态 / rectification state"),
    ("rectification_due", "整改期限 / due date"),
    ("verified_at", "核实时间"),
    ("founded", "差评属实 1/0"),
    ("callback_at", "回访时间"),
    ("callback_reached", "回访接通 1/0"),
    ("rectified_at", "整改时间"),
    ("replied_at", "答复时间"),
    ("reply", "答复内容 / reply"),
    ("on_time", "按期整改 1/0"),
    ("rater_satisfied", "评价人对答复满意 1/0"),
]


def _b(value) -> str:
    return "" if value is None else ("1" if value else "0")


def _t(value) -> str:
    from django.utils import timezone

    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def export_rows(*, organ_ids_in: list[int] | None = None, since: dt.date | None = None,
                until: dt.date | None = None) -> list[list[str]]:
    """Every rating with its rectification in the neutral schema (``EXPORT_COLUMNS``); no rater
    identity (the case number is the key the receiving systems join on)."""
    qs = Rating.objects.select_related("case", "item", "organ").order_by("created_at", "pk")
    if organ_ids_in is not None:
        qs = qs.filter(organ_id__in=organ_ids_in)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    rects = {r.rating_id: r for r in Rectification.objects.filter(rating__in=qs)}
    rows = []
    for r in qs:
        x = rects.get(r.pk)
        rows.append([
            r.case.number, r.item.code or r.item.key, r.organ.credit_code or "", r.organ.region_id or "",
            rules.NATIONAL_STAGE[r.stage], rules.NATIONAL_CHANNEL.get(r.channel, ""), str(r.score),
            str(rules.gbt39046_satisfaction(r.score)), rules.LEVELS[r.score][0],
            ";".join(f"{k}={v}" for k, v in sorted(r.dimensions.items())), ";".join(r.reasons), r.comment,
            _b(r.real_name), _t(r.created_at), r.flag,
            x.state if x else "", x.due_date.isoformat() if x and x.due_date else "", _t(x and x.verified_at),
            _b(x.founded) if x else "", _t(x and x.callback_at), _b(x.callback_reached) if x else "",
            _t(x and x.rectified_at), _t(x and x.replied_at), x.reply if x else "", _b(x.on_time) if x else "",
            _b(x.rater_satisfied) if x else "",
        ])
    return rows


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_file(rows: list[list[str]], fmt: str = "csv") -> tuple[bytes, str, str]:
    """``(content, content type, file name)`` of the export: CSV in UTF-8 with a BOM (Excel opens
    it as UTF-8), or an Excel workbook; the header row is ``EXPORT_COLUMNS``' names."""
    import csv
    import io

    header = [c for c, _ in EXPORT_COLUMNS]
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("ratings")
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue(), XLSX, "ratings.xlsx"
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + text.getvalue()).encode(), "text/csv; charset=utf-8", "ratings.csv"
