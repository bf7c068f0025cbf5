"""Applicant and public pages of 好差评, 我要问 and complaints: thin views over
govhall.feedback.services and selectors (every rule lives there)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from govhall.catalog.selectors import published_version
from govhall.core.errors import Conflict, DomainError, NotFound
from govhall.core.permissions import AUTHENTICATED, PUBLIC, requires
from govhall.feedback import rules, selectors, services
from govhall.feedback.models import Complaint, RatingStage, Rectification


def _or_404(fn, *args):
    try:
        return fn(*args)
    except NotFound:
        raise Http404 from None


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _rating_form_context(case, post=None) -> dict:
    rated = selectors.ratings_of_case(case)
    stages = [s for s in RatingStage if s.value not in rated]
    return {
        "case": case, "rated": rated.values(), "stages": stages,
        "levels": sorted(rules.LEVELS.items(), reverse=True),
        "online_dimensions": rules.ONLINE_DIMENSIONS.items(), "window_dimensions": rules.WINDOW_DIMENSIONS.items(),
        "reasons": rules.BAD_REASONS.items(), "placeholder": rules.BAD_REASONS_ARE_PLACEHOLDER,
        "post": post or {}, "chosen_reasons": (post.getlist("reasons") if post else []),
        "default_stage": "close" if case.closed_at else "accept",
    }


@requires(AUTHENTICATED)
@require_http_methods(["GET", "POST"])
def rate(request, number: str):
    """Rate a case (一事一评): level, dimensions, reasons for a bad rating, comment."""
    case = _or_404(selectors.case_for_rating, request.user, number)
    if request.method == "GET":
        return render(request, "portal/feedback/rate.html", _rating_form_context(case))
    channel = request.POST.get("channel", "pc")
    dimensions = {}
    for key in rules.dimensions_for(channel):
        value = _int(request.POST.get(f"dim_{key}"))
        if value is not None:
            dimensions[key] = value
    try:
        rating = services.rating_create(
            actor=request.user, case=case, score=_int(request.POST.get("score"), 0),
            stage=request.POST.get("stage") or None, reasons=request.POST.getlist("reasons"),
            comment=request.POST.get("comment", ""), dimensions=dimensions, channel=channel)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        context = _rating_form_context(case, request.POST) | {"problems": exc.problems}
        return render(request, "portal/feedback/rate.html", context, status=409 if isinstance(exc, Conflict) else 400)
    messages.success(request, _("Thank you: your rating has been recorded."))
    return redirect("portal:feedback_rating", rating.pk)


@requires(AUTHENTICATED)
def my_ratings(request):
    return render(request, "portal/feedback/my_ratings.html", {
        "ratings": selectors.my_ratings(request.user)[:200], "waiting": selectors.unrated_cases(request.user)})


@requires(AUTHENTICATED)
@require_http_methods(["GET", "POST"])
def rating_detail(request, pk: int):
    rating = _or_404(selectors.my_rating, request.user, pk)
    rect = Rectification.objects.filter(rating=rating).first()
    problems = []
    if request.method == "POST" and rect is not None:
        try:
            services.rectification_answer(actor=request.user, rectification=rect,
                                          satisfied=request.POST.get("satisfied") == "yes",
                                          answer=request.POST.get("answer", ""))
            messages.success(request, _("Your answer has been recorded."))
            return redirect("portal:feedback_rating", rating.pk)
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            problems = exc.problems
    return render(request, "portal/feedback/rating.html", {"rating": rating, "rect": rect, "problems": problems},
                  status=400 if problems else 200)


@requires(PUBLIC)
def figures(request):
    by = "item" if request.GET.get("by") == "item" else "organ"
    return render(request, "portal/feedback/figures.html", {"rows": selectors.figures(by=by), "by": by})


@requires(AUTHENTICATED)
@require_http_methods(["GET", "POST"])
def ask(request, item_code: str):
    """我要问 from a guide (logged-in users)."""
    version = _or_404(published_version, item_code)
    problems = []
    if request.method == "POST":
        try:
            consultation = services.consultation_ask(actor=request.user, item_code=item_code,
                                                     question=request.POST.get("question", ""))
            messages.success(request, _("Your question has been sent to the department."))
            return redirect("portal:feedback_consultation", consultation.pk)
        except DomainError as exc:
            problems = exc.problems
    return render(request, "portal/feedback/ask.html", {
        "v": version, "problems": problems, "question": request.POST.get("question", ""),
        "published": selectors.published_consultations(item_code)[:20]}, status=400 if problems else 200)


@requires(AUTHENTICATED)
def consultation_detail(request, pk: int):
    return render(request, "portal/feedback/consultation.html",
                  {"c": _or_404(selectors.my_consultation, request.user, pk)})


@requires(AUTHENTICATED)
@require_http_methods(["GET", "POST"])
def complaint_new(request):
    problems = []
    if request.method == "POST":
        try:
            complaint = services.complaint_file(
                actor=request.user, subject=request.POST.get("subject", ""), content=request.POST.get("content", ""),
                case_number=request.POST.get("case_number", "").strip(),
                item_code=request.POST.get("item_code", "").strip(), about=request.POST.get("about", ""))
            messages.success(request, _("Your complaint has been filed."))
            return redirect("portal:feedback_complaint", complaint.pk)
        except DomainError as exc:
            problems = exc.problems
    initial = request.POST if request.method == "POST" else request.GET
    return render(request, "portal/feedback/complaint_new.html", {
        "problems": problems, "post": initial, "abouts": Complaint.About.choices}, status=400 if problems else 200)


@requires(AUTHENTICATED)
@require_http_methods(["GET", "POST"])
def complaint_detail(request, pk: int):
    complaint = _or_404(selectors.my_complaint, request.user, pk)
    problems = []
    if request.method == "POST":
        try:
            services.complaint_rate(actor=request.user, complaint=complaint, score=_int(request.POST.get("score"), 0),
                                    comment=request.POST.get("comment", ""))
            messages.success(request, _("Thank you for rating the reply."))
            return redirect("portal:feedback_complaint", complaint.pk)
        except DomainError as exc:
            problems = exc.problems
    return render(request, "portal/feedback/complaint.html", {
        "c": complaint, "problems": problems, "levels": sorted(rules.LEVELS.items(), reverse=True)},
        status=400 if problems else 200)

