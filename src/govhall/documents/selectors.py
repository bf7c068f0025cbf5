"""Reads of signed documents: the PDF bytes, a case's documents, and checking both signatures."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.storage import default_storage

from govhall.crypto import seals

from .models import PadesKey, SignedDocument


def read_pdf(document: SignedDocument) -> bytes:
    with default_storage.open(document.storage_name, "rb") as fh:
        return fh.read()


def case_documents(case) -> list[SignedDocument]:
    return list(SignedDocument.objects.filter(case=case).order_by("created_at", "pk"))


#: the subscribers whose work shows on a case's page (documents/subscribers.py, licenses/subscribers.py)
CASE_OUTPUT_SUBSCRIBERS = ("documents.acceptance_notice", "documents.correction_notice",
                           "documents.special_procedure_notice", "documents.decision",
                           "documents.non_acceptance_notice", "licenses.case_licence")


def being_prepared(case) -> int:
    """How many of the case's sealed documents and licences are still to come: deliveries of its
    events not yet done (they appear seconds after the action; a failed one waits for staff)."""
    from govhall.core.models import EventDelivery

    return (EventDelivery.objects.filter(state__in=[EventDelivery.State.PENDING, EventDelivery.State.FAILED],
                                         subscriber__in=CASE_OUTPUT_SUBSCRIBERS, event__payload__case_id=case.pk)
            .count())


def licence_document(licence) -> SignedDocument | None:
    return SignedDocument.objects.filter(licence=licence, kind=SignedDocument.Kind.LICENCE).order_by("-pk").first()


def pades_root() -> PadesKey | None:
    return PadesKey.objects.filter(role=PadesKey.Role.ROOT, active=True).first()


@dataclass(frozen=True)
class PadesCheck:
    """``ok`` only when the signature is intact, cryptographically valid and chains to ``root``."""

    ok: bool
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    signer: str
    reason: str


def pades_check(pdf: bytes, root_der: bytes) -> PadesCheck:
    """Validate the (single) PAdES signature of ``pdf`` with pyHanko against the trust root
    ``root_der`` (DER), offline: no revocation fetching (the platform's document-signing
    certificates carry no revocation pointers; see docs/documents.md)."""
    from asn1crypto import x509 as asn1_x509

    from .pades import quiet_pyhanko

    quiet_pyhanko()
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = reader.embedded_signatures
    except Exception as exc:  # pyHanko raises several kinds for unreadable PDFs
        return PadesCheck(False, False, False, False, False, "", f"the PDF cannot be read: {exc}")
    if len(sigs) != 1:
        return PadesCheck(False, False, False, False, False, "", f"expected one PDF signature, found {len(sigs)}")
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(bytes(root_der))], allow_fetching=False,
                                revocation_mode="soft-fail")
    try:
        status = validate_pdf_signature(sigs[0], context)
    except Exception as exc:
        return PadesCheck(False, False, False, False, False, "", f"the PDF signature cannot be checked: {exc}")
    whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    signer = status.signing_cert.subject.human_friendly if status.signing_cert is not None else ""
    ok = bool(status.intact and status.valid and status.trusted and whole)
    if ok:
        reason = "the PDF signature is intact, valid, covers the whole file and chains to the trust anchor"
    elif not status.intact:
        reason = "the PDF was altered after it was signed"
    elif not status.valid:
        reason = "the PDF signature does not verify"
    elif not status.trusted:
        reason = "the signing certificate does not chain to the given root"
    else:
        reason = "the signature does not cover the whole file (content was added after signing)"
    return PadesCheck(ok, bool(status.intact), bool(status.valid), bool(status.trusted), whole, signer, reason)


def verify(document: SignedDocument) -> dict:
    """Both signatures of a stored document, checked now with the platform's roots and CRL."""
    data = read_pdf(document)
    root = PadesKey.objects.filter(pk=document.pades_key.issuer_id).first()
    pades = pades_check(data, bytes(root.certificate_der)) if root else None
    seal = seals.seal_verify(bytes(document.ses_der), data)
    return {"pades": pades, "seal": seal, "ok": bool(pades and pades.ok and seal.ok)}
