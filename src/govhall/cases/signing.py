"""The applicant's SM2 signature over a submission (Art. 11: reliable electronic signatures).

Each account that applies gets its own platform-held SM2 key (key store purpose ``applicant.u<id>``),
issued the first time it submits, which is after its real-name trust level was checked against the
item. The signature covers the canonical JSON of the application: item, version, who applies and for
whom, the form data, and every material with the SHA-256 and SM3 digests of its files. A window
officer taking an application at the counter signs with their own key (``staff.u<id>``) as a witness
of the paper signature.
"""

from __future__ import annotations

import json

from govhall.core import audit
from govhall.core.errors import DomainError, NotFound
from govhall.crypto import keystore

from .models import Application


def purpose_of(application: Application, signer) -> str:
    """``staff.u<id>`` for a window officer signing as witness, ``applicant.u<id>`` otherwise."""
    prefix = "staff" if signer.pk == application.taken_by_id else "applicant"
    return f"{prefix}.u{signer.pk}"


def payload(application: Application, rows=None) -> bytes:
    """What the signature covers, as canonical UTF-8 JSON (sorted keys, no spaces). ``rows``: the
    application's materials with ``material`` and ``files__stored`` loaded, if the caller has them."""
    materials = []
    if rows is None:
        rows = application.materials.select_related("material").prefetch_related("files__stored")
    for row in rows:
        materials.append({
            "material": row.material_id,
            "name": row.material.name,
            "status": row.status,
            "follow_by": row.follow_by.isoformat() if row.follow_by else None,
            "promise": row.promise_text,
            "files": [{"sha256": f.stored.sha256, "sm3": f.stored.sm3, "name": f.filename}
                      for f in row.files.all() if not f.replaced],
        })
    content = {
        "application": str(application.public_id),
        "item": application.item.code,
        "version": application.version.number,
        "applicant": application.applicant_name,
        "legal_person": application.legal_person.credit_code if application.legal_person_id else None,
        "channel": application.channel,
        "form": application.form_data,
        "materials": materials,
    }
    return json.dumps(audit.jsonable(content), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign(application: Application, signer, rows=None) -> None:
    """Sign the application's current content with ``signer``'s key, issuing the key pair on first
    use (audited as crypto.key.generated); sets the signature fields."""
    data = payload(application, rows)
    purpose = purpose_of(application, signer)
    try:
        key_id, signature = keystore.sign(purpose=purpose, data=data)
    except NotFound:
        try:
            keystore.key_generate(actor=signer, purpose=purpose)
        except DomainError:  # a parallel submission by the same account issued the key first: use it
            pass
        key_id, signature = keystore.sign(purpose=purpose, data=data)
    application.signed_payload_sm3 = audit.sm3_hex(data)
    application.signature = signature
    application.signature_key_id = key_id


def verify(application: Application) -> bool:
    """True if the stored signature covers the application as it is now."""
    if not application.signature:
        return False
    return keystore.verify(key_id=application.signature_key_id, data=payload(application),
                           signature=bytes(application.signature))
