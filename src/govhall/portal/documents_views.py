"""Downloads of a case's signed documents (the PDF and its GB/T 38540 signature file), with the same
checks as the case pages: the applicant sees their own case (``cases.selectors.applicant_case``),
staff the cases of their organs (``cases.selectors.access_case``, permission ``cases.case.view``).
Anything else answers 404."""

from __future__ import annotations

from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from govhall.cases import selectors as cases
from govhall.cases.permissions import CASE_VIEW
from govhall.core.errors import NotFound
from govhall.core.permissions import AUTHENTICATED, PUBLIC, requires
from govhall.documents import selectors
from govhall.documents.models import SignedDocument


def _document(case, pk: int) -> SignedDocument:
    document = SignedDocument.objects.filter(pk=pk, case=case).first()
    if document is None:
        raise Http404(str(pk))
    return document


def _send(data: bytes, filename: str, content_type: str, *, sha256: str = "") -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    if sha256:
        response["Digest"] = f"sha-256={sha256}"
    return response


def serve(document: SignedDocument, part: str) -> HttpResponse:
    if part == "ses":
        return _send(bytes(document.ses_der), document.signature_filename, "application/octet-stream")
    return _send(selectors.read_pdf(document), document.filename, "application/pdf", sha256=document.sha256)


def _applicant_case(request, number: str):
    try:
        return cases.applicant_case(request.user, number)
    except NotFound:
        raise Http404(number) from None


def _staff_case(request, number: str):
    try:
        return cases.access_case(request.user, number)
    except NotFound:
        raise Http404(number) from None


@requires(PUBLIC)
@require_GET
def pades_root(request):
    """The platform's document-signing root (ECDSA P-256), PEM: the trust anchor of the PDF
    signatures (pyHanko, pdfsig, OpenSSL). 404 before the first document was signed."""
    root = selectors.pades_root()
    if root is None:
        raise Http404("no document-signing root yet")
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    response = HttpResponse(x509.load_der_x509_certificate(bytes(root.certificate_der)).public_bytes(Encoding.PEM),
                            content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="govhall-document-signing-root.pem"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@requires(AUTHENTICATED)
@require_GET
def applicant_download(request, number: str, pk: int, part: str = "pdf"):
    return serve(_document(_applicant_case(request, number), pk), part)


@requires(CASE_VIEW)
@require_GET
def staff_download(request, number: str, pk: int, part: str = "pdf"):
    return serve(_document(_staff_case(request, number), pk), part)
