"""The platform PKI, public (anyone, no login): the root certificate a third party installs as trust
anchor and the current CRL, so that seal signatures can be checked offline (docs/seals.md)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from govhall.core.errors import DomainError
from govhall.core.permissions import PUBLIC, requires
from govhall.crypto import ca


@requires(PUBLIC)
@require_GET
def root_certificate(request):
    try:
        pem = ca.root_pem()
    except DomainError as exc:
        raise Http404 from exc
    response = HttpResponse(pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="govhall-root.pem"'
    return response


@requires(PUBLIC)
@require_GET
def crl(request):
    der = ca.current_crl()
    if der is None:
        raise Http404
    response = HttpResponse(der, content_type="application/pkix-crl")
    response["Content-Disposition"] = 'attachment; filename="govhall.crl"'
    response["Cache-Control"] = "public, max-age=3600"
    return response
