"""Collect what a closed case leaves behind into the payload of its archival package (GB/T 42727
"collect → arrange → count"): the case metadata, the application as signed and its signature, the
material files, the sealed notices and decisions with their seal files, the licence reference, the
timeline and the audit events.

Nothing is fixed up on the way. A file whose bytes are gone from storage is listed in the metadata
with its registered digests and ``present: false``; a file whose bytes no longer match its registered
digests is archived as it is, with both digests recorded. The four-property checks then fail on the
package (checks.py): the case is archived with the failure recorded, never silently completed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.utils import timezone

from govhall.cases import signing
from govhall.cases.models import Case
from govhall.core import audit
from govhall.core.actors import SYSTEM
from govhall.core.models import AuditEvent
from govhall.crypto import ca, keystore
from govhall.crypto import x509 as X
from govhall.crypto.fields import mask_identifier
from govhall.documents.models import PadesKey, SignedDocument
from govhall.licenses.models import Licence

RESULT_LABELS = {"granted": "准予", "denied": "不予", "not_accepted": "不予受理", "withdrawn": "撤回",
                 "correction_expired": "逾期未补正终止"}


@dataclass
class PayloadFile:
    """One file of the payload: its path under ``data/``, its bytes (None when missing), and what the
    platform registered about it (digests, kind, origin)."""

    path: str
    data: bytes | None
    kind: str
    title: str
    registered_sha256: str = ""
    registered_sm3: str = ""
    origin: str = ""
    extra: dict = field(default_factory=dict)

    def record(self, number: int) -> dict:
        present = self.data is not None
        return {
            "number": number, "path": f"data/{self.path}", "kind": self.kind, "title": self.title,
            "origin": self.origin, "present": present, "size": len(self.data) if present else None,
            "sha256": hashlib.sha256(self.data).hexdigest() if present else "",
            "sm3": hashlib.new("sm3", self.data).hexdigest() if present else "",
            "registered_sha256": self.registered_sha256, "registered_sm3": self.registered_sm3, **self.extra,
        }


@dataclass
class Collected:
    case: Case
    files: list[PayloadFile]
    metadata: dict


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_name(name: str, fallback: str = "file") -> str:
    """A file name safe in a bag on any file system: no separators, control or reserved characters,
    no leading dots, at most 120 characters (keeping the extension)."""
    name = _UNSAFE.sub("_", (name or "").strip()).lstrip(".").strip() or fallback
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 120 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:120]
    return name


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳小明 → 欧***; a company name is kept (it is public); see docs/archives.md."""
    name = (name or "").strip()
    if any(word in name for word in ("公司", "企业", "中心", "合作社", "事务所", "厂", "店", "局", "委员会")):
        return name
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def _read_stored(storage_name: str) -> bytes | None:
    try:
        with default_storage.open(storage_name, "rb") as fh:
            return fh.read()
    except (FileNotFoundError, OSError):
        return None


def _iso(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _json(value) -> bytes:
    return json.dumps(audit.jsonable(value), ensure_ascii=False, indent=2, sort_keys=True).encode() + b"\n"


def _pem(der: bytes, label: str = "CERTIFICATE") -> bytes:
    return X.to_pem(der, label).encode()


def collect(case: Case) -> Collected:
    case = (Case.objects.select_related("application", "item__catalog_item", "version", "organ", "decision",
                                        "delivery", "application__legal_person")
            .get(pk=case.pk))
    application = case.application
    files: list[PayloadFile] = []

    # the application as signed, and the applicant's signature
    rows = list(application.materials.select_related("material").prefetch_related("files__stored"))
    signed = signing.payload(application, rows)
    files.append(PayloadFile("application/signed-application.json", signed, "application",
                             "申请表（签名原文） / the application as signed", registered_sm3=application.signed_payload_sm3,
                             origin="cases.application"))
    signature_info = {"key_id": application.signature_key_id, "algorithm": "SM2 with SM3, user id 1234567812345678",
                      "signed_payload_sm3": application.signed_payload_sm3,
                      "covers": "data/application/signed-application.json",
                      "signer": "taken at the window (witness key)" if application.taken_by_id else "applicant"}
    if application.signature:
        files.append(PayloadFile("application/signature.sm2", bytes(application.signature), "signature",
                                 "申请人电子签名 / the applicant's SM2 signature", origin="cases.application"))
        try:
            files.append(PayloadFile("application/signer-public-key.pem",
                                     keystore.public_key_pem(key_id=application.signature_key_id).encode(),
                                     "public_key", "签名公钥 / the signer's public key", origin="crypto.keystore"))
        except Exception:  # noqa: BLE001 - an unknown key is recorded, the authenticity check fails
            signature_info["public_key"] = "missing"
    files.append(PayloadFile("application/signature.json", _json(signature_info), "signature_info",
                             "签名说明 / how the signature is checked", origin="archives"))

    # material files, in the order of the item's materials
    for m_no, row in enumerate(rows, 1):
        folder = f"materials/{m_no:02d}-{safe_name(row.material.name, 'material')}"
        for f_no, mf in enumerate(row.files.all(), 1):
            stored = mf.stored
            files.append(PayloadFile(
                f"{folder}/{f_no:02d}-{safe_name(mf.filename)}", _read_stored(stored.storage_name), "material",
                f"{row.material.name}：{mf.filename}", registered_sha256=stored.sha256, registered_sm3=stored.sm3,
                origin="cases.materialfile",
                extra={"content_type": stored.content_type, "uploaded_at": _iso(mf.uploaded_at),
                       "correction_round": mf.correction_round, "replaced": mf.replaced,
                       "material": row.material.name, "material_status": row.status}))

    # sealed documents (notices, decision) and the licence document, with their seal signatures
    documents = list(SignedDocument.objects.select_related("seal", "pades_key").filter(case=case))
    licences = list(Licence.objects.select_related("licence_type", "issuer").filter(case_number=case.number))
    documents += list(SignedDocument.objects.select_related("seal", "pades_key")
                      .filter(licence__in=licences, kind=SignedDocument.Kind.LICENCE).exclude(case=case))
    seals_used = {}
    for d_no, doc in enumerate(documents, 1):
        base = f"documents/{d_no:02d}-{doc.kind}"
        files.append(PayloadFile(f"{base}.pdf", _read_stored(doc.storage_name), "sealed_pdf",
                                 f"{doc.title} {doc.number}".strip(), registered_sha256=doc.sha256,
                                 registered_sm3=doc.sm3, origin="documents.signeddocument",
                                 extra={"document_number": doc.number, "document_kind": doc.kind,
                                        "seal_id": doc.seal.seal_id, "signature": f"data/{base}.pdf.ses",
                                        "issued_at": _iso(doc.created_at)}))
        files.append(PayloadFile(f"{base}.pdf.ses", bytes(doc.ses_der), "seal_signature",
                                 f"电子签章（GB/T 38540）：{doc.title}", origin="documents.signeddocument",
                                 extra={"covers": f"data/{base}.pdf", "seal_id": doc.seal.seal_id}))
        seals_used[doc.seal.seal_id] = doc.seal
    for seal_id, seal in sorted(seals_used.items()):
        files.append(PayloadFile(f"seals/{safe_name(seal_id)}.seal", bytes(seal.eseal_der), "seal",
                                 f"印章（SESeal）：{seal.name}", origin="crypto.seal"))

    # the decision as the platform rendered it for the case page, and other result files
    for r_no, result in enumerate(case.results.select_related("stored"), 1):
        files.append(PayloadFile(f"results/{r_no:02d}-{safe_name(result.filename)}",
                                 _read_stored(result.stored.storage_name), "result", result.filename,
                                 registered_sha256=result.stored.sha256, registered_sm3=result.stored.sm3,
                                 origin="cases.resultfile", extra={"content_type": result.stored.content_type}))

    # the licence reference
    licence_refs = [{"identifier": lic.identifier, "type_code": lic.licence_type.type_code,
                     "type_name": lic.licence_type.name, "issuer": lic.issuer.name,
                     "issuer_code": lic.issuer.credit_code, "holder": mask_name(lic.holder_name),
                     "holder_code": lic.holder_code_shown, "issued_on": lic.issued_on, "valid_from": lic.valid_from,
                     "valid_until": lic.valid_until, "status": lic.status, "log_index": lic.log_index,
                     "document_sha256": lic.document_sha256} for lic in licences]
    if licence_refs:
        files.append(PayloadFile("licence/licence-reference.json", _json(licence_refs), "licence_reference",
                                 "证照信息 / the issued licence", origin="licenses.licence"))

    # the process: timeline and audit events
    timeline = [{"at": e.at, "kind": e.kind, "actor": e.actor_label, "organ": e.organ.name if e.organ_id else "",
                 "summary_zh": e.summary_zh, "summary_en": e.summary_en, "detail": e.detail, "public": e.public}
                for e in case.events.select_related("organ")]
    files.append(PayloadFile("process/timeline.json", _json(timeline), "timeline", "办件过程 / the case timeline",
                             origin="cases.caseevent"))
    targets = [("cases.case", str(case.pk)), ("cases.application", str(application.pk))]
    targets += [("documents.signeddocument", str(d.pk)) for d in documents]
    targets += [("licenses.licence", str(lic.pk)) for lic in licences]
    q = None
    from django.db.models import Q

    for t_type, t_id in targets:
        q = Q(target_type=t_type, target_id=t_id) if q is None else q | Q(target_type=t_type, target_id=t_id)
    audits = [{"seq": a.seq, "at": a.created_at, "action": a.action, "actor": a.actor_label,
               "target_type": a.target_type, "target_id": a.target_id, "target": a.target_label,
               "after": a.after, "before": a.before, "reason": a.reason, "hash": a.hash, "prev_hash": a.prev_hash}
              for a in AuditEvent.objects.filter(q).order_by("seq")]
    files.append(PayloadFile("process/audit-events.json", _json(audits), "audit",
                             "审计事件（SM3 哈希链）/ audit events (SM3 hash chain)", origin="core.auditevent"))

    # trust anchors for offline verification
    root = ca.root()
    if root is not None:
        files.append(PayloadFile("pki/root.pem", _pem(bytes(root.der)), "trust_anchor",
                                 "平台根证书（SM2）/ the platform's SM2 root", origin="crypto.ca"))
    if root is not None:  # reading the CRL writes nothing: publish a current one first when it is due
        ca.crl_refresh(actor=SYSTEM)
    crl = ca.current_crl()
    if crl:
        files.append(PayloadFile("pki/crl.pem", _pem(crl, "X509 CRL"), "crl", "证书吊销列表 / CRL at archiving",
                                 origin="crypto.ca"))
    pades_roots = {d.pades_key.issuer_id for d in documents if d.pades_key.issuer_id}
    for key in PadesKey.objects.filter(pk__in=pades_roots):
        files.append(PayloadFile(f"pki/pdf-signing-root-{key.key_id[:16]}.pem", _pem(bytes(key.certificate_der)),
                                 "trust_anchor", "PDF 签名根证书 / the PDF-signing root", origin="documents.padeskey"))

    metadata = case_metadata(case, licence_refs, documents)
    return Collected(case=case, files=files, metadata=metadata)


def case_metadata(case: Case, licence_refs: list[dict], documents: list[SignedDocument]) -> dict:
    application = case.application
    decision = getattr(case, "decision", None) if hasattr(case, "decision") else None
    delivery = getattr(case, "delivery", None) if hasattr(case, "delivery") else None
    item = case.item
    return {
        "case_number": case.number,
        "item_code": item.code or item.key,
        "item_basic_code": item.catalog_item.basic_code or "",
        "item_name": case.item_name,
        "item_type": item.catalog_item.item_type,
        "item_version": case.version.number,
        "organ_name": case.organ.name,
        "organ_code": case.organ.credit_code or "",
        "applicant": mask_name(case.applicant_name),
        "applicant_id_masked": application.applicant_id_masked or "",
        "applicant_kind": "legal_person" if application.legal_person_id else "person",
        "legal_person_code": (mask_identifier(application.legal_person.credit_code, 6, 2)
                              if application.legal_person_id else ""),
        "channel": application.channel,
        "received_at": _iso(case.received_at),
        "accepted_on": _iso(case.accepted_on),
        "decided_at": _iso(decision.decided_at) if decision else "",
        "decision_number": decision.document_number if decision else "",
        "decision_outcome": decision.outcome if decision else "",
        "delivered_at": _iso(delivery.delivered_at) if delivery else "",
        "delivery_method": delivery.method if delivery else "",
        "closed_at": _iso(case.closed_at),
        "state": case.state,
        "result_code": case.result_code,
        "result": RESULT_LABELS.get(case.result_code, case.result_code),
        "promised_days": case.promised_days,
        "legal_days": case.legal_days,
        "due_date": _iso(case.due_date),
        "licences": [ref["identifier"] for ref in licence_refs],
        "documents": [{"kind": d.kind, "number": d.number, "sm3": d.sm3} for d in documents],
    }
