"""Electronic supervision pages (电子监察): dashboard with SVG charts, warnings and their workflow, the
efficiency figures with drill-down to the cases and Excel export, the rule catalogue.

Scope comes from ``supervision.selectors`` (a supervisor's region, an organ's staff their organ);
every action goes through ``supervision.services``, which checks the actor again."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govhall.cases.models import Case
from govhall.cases.scope import visible_cases_q
from govhall.core.errors import DomainError, NotFound
from govhall.core.permissions import requires
from govhall.supervision import selectors, services
from govhall.supervision.models import Level, Rule, WarningState
from govhall.supervision.permissions import FIGURES_VIEW, WARNING_VIEW
from govhall.supervision.rules import KIND_ZH, LEVEL_ZH

from .svgcharts import LEVEL_FILL, columns, hbars

PER_PAGE = 50


def _filters(request) -> dict:
    return {k: request.GET.get(k, "").strip()[:40] for k in ("organ", "level", "state", "rule", "case")}


@requires(FIGURES_VIEW)
def dashboard(request):
    user = request.user
    open_q = selectors.warnings(user, state="open")
    by_level = {lvl: open_q.filter(level=lvl).count() for lvl in Level.values}
    level_chart = hbars([(LEVEL_ZH[lvl], by_level[lvl], str(by_level[lvl]), LEVEL_FILL[lvl],
                          f"warnings/?level={lvl}&state=open") for lvl in ("red", "yellow", "notice")],
                        label_width=120, width=520)
    periods = selectors.periods()
    quarters = [p for p in periods if "Q" in p]
    chosen = request.GET.get("period", "") or (quarters[0] if quarters else "")
    organs = list(selectors.figures(user, period=chosen, dimension="organ")) if chosen else []
    on_time = hbars([(f.label, (f.on_time_rate or 0) * 100, "—" if f.on_time_rate is None else
                      f"{f.on_time_rate:.0%}", "#2e7d32" if (f.on_time_rate or 0) >= 0.9 else "#b58100",
                      f"figures/?period={chosen}&organ={f.organ_id}") for f in organs], maximum=100)
    months = sorted({p for p in periods if "Q" not in p})[-12:]
    trend_rows = {}
    for f in selectors.figures(user, dimension="organ").filter(period__in=months):
        r = trend_rows.setdefault(f.period, {"received": 0, "late": 0, "red": 0, "yellow": 0})
        r["received"] += f.received
        r["late"] += f.late
        r["red"] += f.red
        r["yellow"] += f.yellow
    trend = columns([(m, [(_("received"), trend_rows.get(m, {}).get("received", 0), "#1565c0"),
                          (_("late"), trend_rows.get(m, {}).get("late", 0), "#c62828")]) for m in months]) \
        if months else None
    return render(request, "console/supervision/dashboard.html", {
        "by_level": by_level, "level_chart": level_chart, "organs": organs, "on_time": on_time, "chosen": chosen,
        "quarters": quarters, "trend": trend, "trend_rows": [(m, trend_rows.get(m, {})) for m in months],
        "recent": list(open_q[:10]), "level_zh": LEVEL_ZH,
    })


@requires(WARNING_VIEW)
def warnings(request):
    f = _filters(request)
    qs = selectors.warnings(request.user, **f)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "console/supervision/warnings.html", {
        "page_obj": page, "filters": f, "levels": [(v, LEVEL_ZH[v]) for v in Level.values],
        "states": [("open", _("open (not closed)"))] + list(WarningState.choices), "level_zh": LEVEL_ZH,
    })


ACTIONS = {
    "acknowledge": (services.warning_acknowledge, False),
    "explain": (services.warning_explain, True),
    "rectify": (services.warning_rectify, True),
    "close": (services.warning_close, True),
    "escalate": (services.warning_escalate, True),
}


@requires(WARNING_VIEW)
def warning(request, pk: int):
    try:
        w = selectors.access_warning(request.user, pk)
    except NotFound as exc:
        raise Http404 from exc
    problems = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404
        func, needs_text = ACTIONS[action]
        kwargs = {"text": request.POST.get("text", "")} if needs_text else {}
        try:
            func(actor=request.user, warning=w, **kwargs)
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            problems = [{"problem": p, "label": "", "where": p.field} for p in exc.problems]
        else:
            messages.success(request, _("Saved."))
            return redirect("supervision_console:warning", pk=w.pk)
    responder = w.organ_id in services.organ_ids_for(request.user, "supervision.warning.respond")
    decider = w.organ_id in services.organ_ids_for(request.user, "supervision.warning.decide")
    return render(request, "console/supervision/warning.html", {
        "w": w, "transitions": w.transitions.select_related("actor"), "level_zh": LEVEL_ZH, "problems": problems,
        "can_respond": responder and w.is_open, "can_decide": decider and w.is_open,
        "facts": sorted(w.facts.items()),
    }, status=400 if problems else 200)


@requires(FIGURES_VIEW)
def figures(request):
    dimension = request.GET.get("dimension", "organ")
    if dimension not in ("organ", "item", "staff"):
        dimension = "organ"
    periods = selectors.periods()
    period = request.GET.get("period", "") or (periods[0] if periods else "")
    organ = request.GET.get("organ", "").strip()[:18]
    rows = list(selectors.figures(request.user, period=period, dimension=dimension, organ=organ))
    return render(request, "console/supervision/figures.html", {
        "rows": rows, "periods": periods, "period": period, "dimension": dimension, "organ": organ,
    })


HEADERS = [("period", "期间 period"), ("dimension", "维度 dimension"), ("label", "名称 name"),
           ("received", "收件 received"), ("accepted", "受理 accepted"), ("finished", "办结 finished"),
           ("on_time", "按时 on time"), ("late", "超期 late"), ("avg_days", "平均用时 avg days"),
           ("p90_days", "P90 用时 p90 days"), ("avg_promised", "平均承诺时限 avg promised"),
           ("corrections", "补正 corrections"), ("deemed", "视为受理 deemed"), ("online", "网上收件 online"),
           ("fetched", "共享获取材料 fetched"), ("uploaded", "申请人上传材料 uploaded"), ("notices", "提示 notices"),
           ("yellow", "黄牌 yellow"), ("red", "红牌 red"), ("score", "得分 score"), ("grade", "等级 grade")]


@requires(FIGURES_VIEW)
def figures_xlsx(request):
    from openpyxl import Workbook

    dimension = request.GET.get("dimension", "organ")
    if dimension not in ("organ", "item", "staff"):
        dimension = "organ"
    rows = selectors.figures(request.user, period=request.GET.get("period", ""), dimension=dimension,
                             organ=request.GET.get("organ", "").strip()[:18])
    book = Workbook()
    sheet = book.active
    sheet.title = "效能统计"
    sheet.append([h for _, h in HEADERS])
    for f in rows:
        sheet.append([getattr(f, k) for k, _ in HEADERS])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="supervision-figures.xlsx"'
    return response


@requires(FIGURES_VIEW)
def figure_cases(request):
    """Drill-down: the cases behind an organ's (or item's) figures in a period."""
    period = request.GET.get("period", "")
    organ = request.GET.get("organ", "")
    item = request.GET.get("item", "")
    qs = Case.objects.filter(visible_cases_q(request.user)).distinct()
    visible = selectors.visible_organs(request.user, FIGURES_VIEW)
    qs = qs.filter(organ_id__in=visible or [])
    if organ.isdigit():
        qs = qs.filter(organ_id=int(organ))
    if item.isdigit():
        qs = qs.filter(item_id=int(item))
    if len(period) == 7 and "-" in period:
        year, month = period.split("-")
        if year.isdigit() and month.isdigit():
            qs = qs.filter(received_at__year=int(year), received_at__month=int(month))
    elif len(period) == 6 and "Q" in period:
        year, q = period.split("Q")
        if year.isdigit() and q.isdigit():
            qs = qs.filter(received_at__year=int(year), received_at__month__in=range(3 * int(q) - 2, 3 * int(q) + 1))
    page = Paginator(qs.select_related("organ").order_by("-received_at"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "console/supervision/cases.html", {"page_obj": page, "period": period})


@requires(WARNING_VIEW)
def rules(request):
    services.sync_catalogue()
    return render(request, "console/supervision/rules.html", {
        "rules": Rule.objects.prefetch_related("regions__region"), "kind_zh": KIND_ZH, "level_zh": LEVEL_ZH})


@require_POST
@requires(WARNING_VIEW)
def scan_now(request):
    """A supervisor runs the scan now (the scheduler runs it hourly)."""
    if not services.organ_ids_for(request.user, "supervision.warning.decide"):
        raise Http404
    from govhall.supervision.tasks import supervision_scan

    supervision_scan.enqueue()
    messages.success(request, _("The scan has been queued; its warnings appear here when it is done."))
    return redirect("supervision_console:dashboard")
