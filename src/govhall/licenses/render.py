"""The licence document: the licence face as a sealed, signed PDF with a verification QR code.

``licence_document(actor=, licence=)`` renders the face (holder, identifier, face fields, validity,
issuer), places the issuing organ's seal, draws a QR code (``segno.make_qr``) whose URL opens the
public verification page (``GOVHALL_SITE_URL`` + ``/licences/verify/?identifier=…``), and issues it
through ``govhall.documents`` (PAdES + GB/T 38540 seal over the final bytes). Called by
``services.licence_issue`` (before its write transaction: ``prepare``, then ``record`` inside it) and
``licence_replace`` (inside its transaction), before the
transparency-log entry, which records the PDF's SM3.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from govhall.documents import services as documents
from govhall.documents.models import SignedDocument
from govhall.documents.pdf import Content, Section, chinese_date


def verify_url(identifier: str) -> str:
    try:
        path = reverse("licenses:verify")
    except NoReverseMatch:  # pages not mounted (services used alone)
        path = "/licences/verify/"
    return f"{getattr(settings, 'GOVHALL_SITE_URL', '').rstrip('/')}{path}?identifier={quote(identifier, safe='')}"


def _value(field: dict, value) -> str:
    if value is None or value == "":
        return "—"
    if field.get("type") == "date":
        try:
            import datetime as dt

            return chinese_date(dt.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    return str(value)


def content_for(licence) -> Content:
    lt = licence.licence_type
    validity = (f"{chinese_date(licence.valid_from)} 至 {chinese_date(licence.valid_until)}" if licence.valid_until
                else f"{chinese_date(licence.valid_from)} 起长期有效")
    holder_label = "持证人" if licence.holder_code_type == "resident_id" else "持证主体"
    code_label = "公民身份号码" if licence.holder_code_type == "resident_id" else "统一社会信用代码"
    rows = [(holder_label, licence.holder_name), (code_label, licence.holder_code_shown)]
    rows += [(f["label_zh"], _value(f, licence.face.get(f["name"]))) for f in lt.face_schema]
    rows += [("有效期限", validity), ("发证机关", licence.issuer.name), ("发证日期", chinese_date(licence.issued_on)),
             ("版本", licence.version_code)]
    identity = [("证照类型代码", lt.type_code), ("发证机关代码", licence.issuer.credit_code)]
    url = verify_url(licence.identifier)
    return Content(
        title=lt.name, number=licence.identifier, organ_name=licence.issuer.name,
        date=licence.issued_on, sections=[Section(rows=rows), Section(heading="证照信息", rows=identity)],
        qr_url=url, qr_caption="扫描二维码\n核验证照真实性和状态\nScan to verify the licence",
        footer=(f"本电子证照由{licence.issuer.name}签发，加盖电子印章（GB/T 38540）并附 PDF 数字签名，"
                f"与纸质证照具有同等法律效力。核验地址：{url}"),
        subject=f"{lt.name} {licence.identifier}", keywords=f"licence {licence.identifier}")


def prepare(*, actor, licence) -> documents.Prepared:
    """Render, sign, seal and store the PDF of ``licence`` (which may not be saved yet)."""
    return documents.document_prepare(actor=actor, kind=SignedDocument.Kind.LICENCE, organ=licence.issuer,
                                      content=content_for(licence),
                                      properties=f"licence;identifier={licence.identifier}")


def record(*, actor, licence, prepared: documents.Prepared) -> SignedDocument:
    return documents.document_record(actor=actor, prepared=prepared, licence=licence,
                                     filename=f"licence-{licence.identifier}.pdf")


def licence_document(*, actor, licence) -> SignedDocument:
    return record(actor=actor, licence=licence, prepared=prepare(actor=actor, licence=licence))
