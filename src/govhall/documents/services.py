"""Issuing signed documents: render, sign (PAdES), seal (GB/T 38540), store, audit.

``document_issue`` is the one way a sealed PDF comes into existence:

1. the organ's seal: its newest active, valid organ seal; an organ without one gets one made by the
   platform on first use (``crypto.seals.seal_create``, audited ``documents.seal.auto_created``), so
   every flow that issues documents keeps working;
2. the PDF is rendered (``pdf.render``) with the seal's picture;
3. the platform signs it with PAdES (``pades.sign_pdf``);
4. the organ's seal signs the **final** PDF bytes (``crypto.seals.seal_sign``, SM2/SM3); the
   SES_Signature DER is stored beside the PDF;
5. the PDF is stored content-addressed and a ``SignedDocument`` row is written; audit
   ``documents.document.issued``.

Who seals. ``sealer=None`` (automatically produced notices, decisions and licences): the platform
seals **on the organ's behalf** with its own service account (``platform_sealer()``, a user that
cannot log in), which the platform authorises on the organ's seal the first time it uses it
(audited ``crypto.seal.authorised``). ``sealer=<user>`` (manual sealing by a person): the person
must hold a live authorisation for the seal; otherwise ``seal_sign`` refuses with
``crypto.seal.unauthorised``, audits ``crypto.seal.refused``, and nothing is issued. Called outside
a transaction (views, tasks), the refusal audit commits on its own; see docs/seals.md for the
rule inside a caller's transaction.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from govhall.catalog.models import Organ
from govhall.core import audit
from govhall.core.actors import SYSTEM
from govhall.core.errors import DomainError
from govhall.crypto import seals
from govhall.crypto.models import Seal

from . import pades, pdf
from .models import PadesKey, SignedDocument

PLATFORM_SEALER = "govhall-platform-sealer"
Kind = SignedDocument.Kind


def platform_sealer():
    """The platform's service account that seals automatically produced documents. It has no usable
    password and is inactive: nobody can log in as it."""
    User = get_user_model()  # noqa: N806
    user = User.objects.filter(username=PLATFORM_SEALER).first()
    if user is None:
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                username=PLATFORM_SEALER, defaults={"is_active": False, "display_name": "平台自动签章 / platform"})
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
    return user


def active_seal(organ: Organ) -> Seal | None:
    now = timezone.now()
    return (Seal.objects.select_related("certificate")
            .filter(organ=organ, seal_type=Seal.SealType.ORGAN, state=Seal.State.ACTIVE, valid_from__lte=now,
                    valid_to__gt=now, certificate__revoked_at__isnull=True, certificate__not_after__gt=now)
            .order_by("-valid_to", "-pk").first())


def organ_seal(*, actor, organ: Organ) -> Seal:
    """The organ's seal for documents, created by the platform when the organ has none (audited)."""
    seal = active_seal(organ)
    if seal is not None:
        return seal
    with transaction.atomic():
        Organ.objects.select_for_update().get(pk=organ.pk)  # one automatic seal per organ at a time
        seal = active_seal(organ)
        if seal is None:
            # the platform makes the seal (the officer whose decision needs it manages no seals)
            seal = seals.seal_create(actor=SYSTEM, organ=organ, name=f"{organ.name}电子印章"[:100])
            audit.record(actor=actor, action="documents.seal.auto_created", target=seal,
                         after={"seal_id": seal.seal_id, "organ": organ.credit_code},
                         reason="organ had no active seal when a document was issued")
    return seal


def _platform_may_use(seal: Seal, actor) -> object:
    sealer = platform_sealer()
    if not seals.is_authorised(seal, sealer):
        try:
            with transaction.atomic():
                seals.seal_authorise(actor=SYSTEM, seal=seal, user=sealer)  # the platform's own account
        except DomainError as exc:  # authorised meanwhile by a concurrent first use: fine
            if exc.problems[0].code != "crypto.seal.already_authorised":
                raise
    return sealer


def _store(data: bytes) -> tuple[str, str, str]:
    sha = hashlib.sha256(data).hexdigest()
    name = f"cas/{sha[:2]}/{sha[2:4]}/{sha}"
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(data))
        if saved != name:  # a concurrent writer stored the same bytes first
            default_storage.delete(saved)
    return name, sha, audit.sm3_hex(data)


def _ascii_properties(value: str) -> str:
    return re.sub(r"[^\x20-\x7e]", "?", value)[:1000]


@dataclass(frozen=True)
class Prepared:
    """A rendered, signed and sealed PDF, stored, not yet recorded (``document_record``)."""

    kind: str
    organ: Organ
    title: str
    number: str
    seal: Seal
    pades_key: PadesKey
    ses_der: bytes
    storage_name: str
    size: int
    sha256: str
    sm3: str
    sealer: object = None


def document_prepare(*, actor, kind: str, organ: Organ, content: pdf.Content, properties: str,
                     sealer=None) -> Prepared:
    """Steps 1-4 and the file: render ``content``, sign it (PAdES), seal the final bytes (SES) and
    store them. Writes only the seal's audit events (and, on first use, the seal, the platform's
    authorisation and the PAdES keys), each in its own short transaction when the caller has none:
    the costly rendering and signing hold no database lock. ``sealer``: see ``document_issue``."""
    if kind not in Kind.values:
        raise DomainError.single("documents.kind", "未知的文书种类", "unknown document kind", "kind")
    seal = organ_seal(actor=actor, organ=organ)
    by = _platform_may_use(seal, actor) if sealer is None else sealer
    root, signer = pades.keys_ensure(actor=actor)
    content.seal_png, content.seal_mm = bytes(seal.picture), seal.width_mm or 40
    rendered = pdf.render(content)
    signed = pades.sign_pdf(rendered, signer=signer, root=root, reason=f"{content.title} {content.number}".strip(),
                            location=organ.name)
    ses = seals.seal_sign(actor=by, seal=seal, document=signed, properties=_ascii_properties(properties))
    name, sha, sm3 = _store(signed)
    return Prepared(kind=kind, organ=organ, title=content.title[:200], number=content.number[:120], seal=seal,
                    pades_key=signer, ses_der=ses, storage_name=name, size=len(signed), sha256=sha, sm3=sm3,
                    sealer=sealer)


@transaction.atomic
def document_record(*, actor, prepared: Prepared, filename: str, case=None, licence=None) -> SignedDocument:
    """Step 5: the ``SignedDocument`` row and its audit event (documents.document.issued)."""
    sealer = prepared.sealer
    document = SignedDocument.objects.create(
        kind=prepared.kind, number=prepared.number, title=prepared.title, organ=prepared.organ, case=case,
        licence=licence, storage_name=prepared.storage_name, size=prepared.size, sha256=prepared.sha256,
        sm3=prepared.sm3, filename=filename[:200], pades_key=prepared.pades_key, seal=prepared.seal,
        ses_der=prepared.ses_der,
        sealed_by=SignedDocument.SealedBy.PLATFORM if sealer is None else SignedDocument.SealedBy.PERSON,
        sealer=sealer if getattr(sealer, "pk", None) else None,
        issued_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action="documents.document.issued", target=document,
                 target_label=f"{document.get_kind_display()} {document.number}".strip(),
                 after={"kind": prepared.kind, "number": document.number, "sm3": prepared.sm3, "size": prepared.size,
                        "seal_id": prepared.seal.seal_id, "sealed_by": document.sealed_by,
                        "sealer": getattr(sealer, "pk", None), "pades_certificate": prepared.pades_key.serial,
                        "case": getattr(case, "number", None), "licence": getattr(licence, "identifier", None),
                        "ses_sm3": audit.sm3_hex(prepared.ses_der)})
    return document


def document_issue(*, actor, kind: str, organ: Organ, content: pdf.Content, filename: str, properties: str,
                   case=None, licence=None, sealer=None) -> SignedDocument:
    """Render ``content``, sign, seal and store it; the new ``SignedDocument``
    (``document_prepare`` then ``document_record``).

    ``properties`` (ASCII: the case number or licence identifier and the kind) is signed into the
    SES_Signature's propertyInfo. ``sealer``: None = the platform seals on the organ's behalf; a user
    = manual sealing, refused (DomainError crypto.seal.unauthorised, audited, nothing issued) unless
    the user is authorised for the organ's seal. DomainError documents.font.missing when the font
    file is absent."""
    prepared = document_prepare(actor=actor, kind=kind, organ=organ, content=content, properties=properties,
                                sealer=sealer)
    return document_record(actor=actor, prepared=prepared, filename=filename, case=case, licence=licence)
