"""Console pages of 好差评 rectifications and appeals, 我要问 consultations and complaints: thin views
over govhall.feedback.services and selectors (scope and rules live there)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from govhall.cases.scope import organ_ids
from govhall.core.errors import DomainError, NotFound
from govhall.core.permissions import requires
from govhall.feedback import selectors, services
from govhall.feedback.models import Appeal, RatingFlag
from govhall.feedback.permissions import FEEDBACK_SUPERVISE, FEEDBACK_VIEW


def _or_404(fn, *args):
    try:
        return fn(*args)
    except NotFound:
        raise Http404 from None


def _act(request, run, success: str):
    """Run a service; a DomainError comes back as the page's problems (400)."""
    try:
        run()
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        return exc.problems
    messages.success(request, success)
    return None


@requires(FEEDBACK_VIEW)
def overview(request):
    q = request.GET.get("q", "").strip()[:100]
    return render(request, "console/feedback/overview.html", {
        "q": q,
        "rectifications": selectors.rectifications_for(request.user, state="open")[:100],
        "consultations": selectors.consultations_for(request.user, q=q, state="" if q else "open")[:100],
        "complaints": selectors.complaints_for(request.user, q=q)[:100],
        "appeals": selectors.appeals_for(request.user).filter(state=Appeal.State.REQUESTED)[:100],
    })


@requires(FEEDBACK_VIEW)
@require_http_methods(["GET", "POST"])
def rectification(request, pk: int):
    rect = _or_404(selectors.access_rectification, request.user, pk)
    problems = None
    if request.method == "POST":
        p, action = request.POST, request.POST.get("action")
        runs = {
            "verify": (lambda: services.rectification_verify(actor=request.user, rectification=rect,
                                                             founded=p.get("founded") == "yes", note=p.get("note", "")),
                       _("Verification recorded.")),
            "callback": (lambda: services.rectification_callback(actor=request.user, rectification=rect,
                                                                 reached=p.get("reached") == "yes",
                                                                 note=p.get("note", "")), _("Callback recorded.")),
            "rectify": (lambda: services.rectification_rectify(actor=request.user, rectification=rect,
                                                               measures=p.get("measures", "")),
                        _("Rectification recorded.")),
            "reply": (lambda: services.rectification_reply(actor=request.user, rectification=rect,
                                                           reply=p.get("reply", "")), _("Reply sent to the rater.")),
            "appeal": (lambda: services.appeal_request(actor=request.user, rating=rect.rating,
                                                       mark=p.get("mark", ""), evidence=p.get("evidence", "")),
                       _("Appeal sent to the supervisor.")),
        }
        if action not in runs:
            raise Http404
        problems = _act(request, *runs[action])
        if problems is None:
            return redirect("console:feedback_rectification", pk)
        rect = selectors.access_rectification(request.user, pk)
    return render(request, "console/feedback/rectification.html", {
        "rect": rect, "rating": rect.rating, "problems": problems or [], "marks": [c for c in RatingFlag.choices
                                                                                if c[0]],
        "appeals": rect.rating.appeals.all()}, status=400 if problems else 200)


@requires(FEEDBACK_SUPERVISE)
@require_http_methods(["GET", "POST"])
def appeals(request):
    problems = None
    if request.method == "POST":
        appeal = _or_404(selectors.access_appeal, request.user, int(request.POST.get("appeal", 0) or 0))
        problems = _act(request, lambda: services.appeal_decide(
            actor=request.user, appeal=appeal, uphold=request.POST.get("uphold") == "yes",
            note=request.POST.get("note", "")), _("Appeal decided."))
        if problems is None:
            return redirect("console:feedback_appeals")
    return render(request, "console/feedback/appeals.html", {
        "appeals": selectors.appeals_for(request.user)[:200], "problems": problems or []},
        status=400 if problems else 200)


@requires(FEEDBACK_VIEW)
@require_http_methods(["GET", "POST"])
def consultation(request, pk: int):
    c = _or_404(selectors.access_consultation, request.user, pk)
    problems = None
    if request.method == "POST":
        p = request.POST
        if p.get("action") == "answer":
            problems = _act(request, lambda: services.consultation_answer(actor=request.user, consultation=c,
                                                                          answer=p.get("answer", "")),
                            _("Answer sent."))
        elif p.get("action") == "publish":
            problems = _act(request, lambda: services.consultation_publish(
                actor=request.user, consultation=c, question=p.get("public_question", ""),
                answer=p.get("public_answer", "")), _("Published on the guide."))
        else:
            raise Http404
        if problems is None:
            return redirect("console:feedback_consultation", pk)
        c = selectors.access_consultation(request.user, pk)
    return render(request, "console/feedback/consultation.html", {"c": c, "problems": problems or []},
                  status=400 if problems else 200)


@requires(FEEDBACK_VIEW)
@require_http_methods(["GET", "POST"])
def complaint(request, pk: int):
    c = _or_404(selectors.access_complaint, request.user, pk)
    problems = None
    if request.method == "POST":
        p = request.POST
        if p.get("action") == "acknowledge":
            problems = _act(request, lambda: services.complaint_acknowledge(actor=request.user, complaint=c,
                                                                            note=p.get("note", "")),
                            _("Complaint acknowledged."))
        elif p.get("action") == "reply":
            problems = _act(request, lambda: services.complaint_reply(actor=request.user, complaint=c,
                                                                      reply=p.get("reply", ""),
                                                                      handling=p.get("handling", "")),
                            _("Reply sent."))
        else:
            raise Http404
        if problems is None:
            return redirect("console:feedback_complaint", pk)
        c = selectors.access_complaint(request.user, pk)
    return render(request, "console/feedback/complaint.html", {"c": c, "problems": problems or []},
                  status=400 if problems else 200)


@requires(FEEDBACK_VIEW)
def export(request):
    """The neutral export of the ratings of the user's organs (CSV, or Excel with ?format=xlsx)."""

    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    content, content_type, filename = selectors.export_file(
        selectors.export_rows(organ_ids_in=organ_ids(request.user, FEEDBACK_VIEW)), fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
