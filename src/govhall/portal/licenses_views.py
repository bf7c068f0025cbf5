"""Pages: public verification (by identifier, by share link) and the holder's wallet.

Thin views: parse, call one selector or service, render. Verification answers are never cached
(a revocation shows at once) and share-link pages send no referrer (the token is the secret).
Another person's licence answers 404, like one that does not exist.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from govhall.core.errors import DomainError, NotFound
from govhall.core.permissions import AUTHENTICATED, PUBLIC, requires
from govhall.documents import selectors as documents
from govhall.licenses import bundle, selectors, services

SHARE_HOURS = (1, 24, 72, 168, 720)


def _no_referrer(response):
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@requires(PUBLIC)
@require_GET
@never_cache
def verify_page(request):
    identifier = request.GET.get("identifier", "")
    result = selectors.verify(identifier) if identifier.strip() else None
    return render(request, "licenses/verify.html", {"result": result, "identifier": identifier[:200], "nav": "verify"})


@requires(PUBLIC)
@require_GET
@never_cache
def token_page(request, token: str):
    result = selectors.verify_token(token)
    status = 200 if result.authentic else 404
    return _no_referrer(render(request, "licenses/verify.html", {"result": result, "via_link": True, "nav": "verify"}, status=status))


def _licence(request, identifier: str):
    try:
        return selectors.access_licence(request.user, identifier)
    except NotFound:
        raise Http404 from None


@requires(AUTHENTICATED)
@require_GET
def wallet(request):
    licences = list(selectors.licences_of(request.user))
    return render(request, "licenses/wallet.html", {"licences": licences, "nav": "wallet"})


def _detail(request, licence, problems=(), status=200, new_link=None):
    links = list(selectors.share_links_of(licence))
    verification = selectors.verify(licence.identifier)
    return render(request, "licenses/detail.html", {
        "licence": licence, "rows": selectors.face_rows(licence), "links": links, "problems": list(problems),
        "verification": verification, "now": timezone.now(), "document": documents.licence_document(licence), "share_hours": SHARE_HOURS, "new_link": new_link, "nav": "wallet",
        "verify_url": request.build_absolute_uri(reverse("licenses:verify") + "?identifier=" + licence.identifier),
    }, status=status)


@requires(AUTHENTICATED)
@require_GET
def detail(request, identifier: str):
    licence = _licence(request, identifier)
    new_link = None
    if token := request.session.pop("licenses_new_link", None):
        new_link = request.build_absolute_uri(reverse("licenses:token", kwargs={"token": token}))
    return _detail(request, licence, new_link=new_link)


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@requires(AUTHENTICATED)
@require_GET
def licence_pdf(request, identifier: str):
    """The sealed licence PDF, for its holder only (others: 404)."""
    licence = _licence(request, identifier)
    document = documents.licence_document(licence)
    if document is None:
        raise Http404(identifier)
    return _attachment(documents.read_pdf(document), document.filename, "application/pdf")


@requires(AUTHENTICATED)
@require_GET
def licence_bundle(request, identifier: str):
    """The offline verification bundle (ZIP; see bundle.py), for the holder only."""
    licence = _licence(request, identifier)
    try:
        data = bundle.build(licence)
    except NotFound:
        raise Http404(identifier) from None
    return _attachment(data, f"licence-{licence.identifier}-bundle.zip", "application/zip")


@requires(AUTHENTICATED)
@require_POST
def share_create(request, identifier: str):
    licence = _licence(request, identifier)
    try:
        hours = int(request.POST.get("hours", ""))
    except ValueError:
        hours = 0
    try:
        link = services.share_link_create(actor=request.user, licence=licence, fields=request.POST.getlist("fields"),
                                          hours=hours)
    except DomainError as exc:
        return _detail(request, licence, problems=exc.problems, status=400)
    except NotFound:
        raise Http404 from None
    request.session["licenses_new_link"] = link.token
    messages.success(request, _("Share link created. Anyone with the link can check the licence until it expires."))
    return redirect("licenses:detail", identifier=licence.identifier)


@requires(AUTHENTICATED)
@require_POST
def share_revoke(request, identifier: str, pk: int):
    try:
        link = selectors.access_share_link(request.user, identifier, pk)
        services.share_link_revoke(actor=request.user, link=link)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Share link withdrawn: it no longer opens the licence."))
    return redirect("licenses:detail", identifier=link.licence.identifier)
