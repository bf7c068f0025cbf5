"""Licence writes: licence types, issuance, the life cycle and the holder's share links.

Each service is atomic and records its audit event (``licenses.*``) in the same transaction.
Issuance and every status change are also appended to the transparency log (``hooks.log_event``)
and told to the holder. Refusals raise DomainError listing every problem in Chinese and English.

Life cycle::

    valid ⇄ suspended          (licence_suspend / licence_reinstate)
    valid | suspended → revoked   (licence_revoke, reason required; final)
    valid | suspended → replaced  (licence_replace: a new version is issued; final)
    valid | suspended → expired   (expire_due, after ``valid_until``; final)
"""

from __future__ import annotations

import calendar
import datetime as dt
import hmac
import json
import re
import secrets

from django.db import connection, transaction
from django.utils import timezone

from govhall.core import audit, events, refusals
from govhall.core.actors import SYSTEM
from govhall.core.codes import credit_code_problem, normalise_code
from govhall.core.errors import DomainError, NotFound, Problem
from govhall.crypto.fields import blind_index, mask_identifier, seal
from govhall.identity.codes import resident_id_problem
from govhall.notifications.services import notify

from . import hooks, policy, render
from .identifier import make_identifier
from .models import (
    DISCLOSURES,
    FACE_TYPES,
    FORM_PREFIX,
    HOLDER_CODE_FIELD,
    MASKED,
    PUBLIC,
    HolderCodeType,
    HolderKind,
    Licence,
    LicenceEvent,
    LicenceSerial,
    LicenceStatus,
    LicenceType,
    ShareLink,
    disclosure,
)

S = LicenceStatus
LIVE = (S.VALID, S.SUSPENDED)
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
MAX_SHARE_HOURS = 24 * 30
SEQUENCE_LIMIT = 9_999_999


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise DomainError(problems)


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


# --- licence types -------------------------------------------------------------------------------


def face_schema_problems(schema) -> list[Problem]:
    problems = []
    if not isinstance(schema, list) or not schema:
        return [Problem("licenses.type.schema", "照面信息须至少定义一个字段", "the face needs at least one field",
                        "face_schema")]
    seen = set()
    for i, f in enumerate(schema, 1):
        where = f"face_schema[{i}]"
        if not isinstance(f, dict):
            problems.append(Problem("licenses.type.schema", f"第{i}个照面字段格式错误", f"face field {i} is not an object",
                                    where))
            continue
        name = f.get("name", "")
        if not isinstance(name, str) or not FIELD_NAME.match(name):
            problems.append(Problem("licenses.type.schema.name", f"第{i}个照面字段名 {name!r} 无效（小写字母、数字、下划线）",
                                    f"face field {i}: name {name!r} must be lower-case letters, digits, underscores",
                                    where))
        elif name in seen:
            problems.append(Problem("licenses.type.schema.duplicate", f"照面字段 {name} 重复",
                                    f"face field {name} is defined twice", where))
        seen.add(name)
        if not str(f.get("label_zh", "")).strip() or not str(f.get("label_en", "")).strip():
            problems.append(Problem("licenses.type.schema.label", f"第{i}个照面字段须有中英文名称",
                                    f"face field {i} needs a Chinese and an English label", where))
        if f.get("type") not in FACE_TYPES:
            problems.append(Problem("licenses.type.schema.type", f"第{i}个照面字段类型须为 text、date 或 number",
                                    f"face field {i}: type must be text, date or number", where))
        for flag in ("required", "public"):
            if not isinstance(f.get(flag, False), bool):
                problems.append(Problem("licenses.type.schema.flag", f"第{i}个照面字段 {flag} 须为 true/false",
                                        f"face field {i}: {flag} must be true or false", where))
        if "disclosure" in f and f["disclosure"] not in DISCLOSURES:
            problems.append(Problem("licenses.type.schema.disclosure",
                                    f"第{i}个照面字段的公开方式须为 public、masked、private 或 hidden",
                                    f"face field {i}: disclosure must be public, masked, private or hidden", where))
    return problems


def _clean_schema(schema: list[dict]) -> list[dict]:
    return [{"name": f["name"], "label_zh": f["label_zh"].strip(), "label_en": f["label_en"].strip(),
             "type": f["type"], "required": bool(f.get("required", False)),
             "public": disclosure(f) in (PUBLIC, MASKED),
             "disclosure": disclosure(f)}
            for f in schema]


@transaction.atomic
def licence_type_create(*, actor, type_code: str, name: str, holder_kind: str, face_schema: list[dict],
                        defining_organ, validity_years: int | None = None, template: str = "") -> LicenceType:
    """Audit: licenses.type.created. The type code is the defining organ's credit code + 3 digits.
    Catalogue administrators of the defining organ and the system only (policy.can_define_licence_type;
    anyone else: NotFound)."""
    if not policy.can_define_licence_type(actor, defining_organ):
        raise NotFound(getattr(defining_organ, "credit_code", ""))
    problems = []
    type_code = normalise_code(type_code)
    if not re.fullmatch(r"[0-9A-Z]{18}[0-9]{3}", type_code):
        problems.append(Problem("licenses.type.code", f"证照类型代码 {type_code!r} 应为统一社会信用代码（18位）加3位数字",
                                f"type code {type_code!r} must be a credit code (18) and 3 digits", "type_code"))
    elif problem := credit_code_problem(type_code[:18]):
        problems.append(Problem("licenses.type.code", f"证照类型代码中的统一社会信用代码无效：{problem}",
                                f"the credit code in the type code is invalid: {problem}", "type_code"))
    elif type_code[:18] != defining_organ.credit_code:
        problems.append(Problem("licenses.type.organ", "证照类型代码须以定义该证照的机构的统一社会信用代码开头",
                                "the type code must start with the defining organ's credit code", "type_code"))
    elif LicenceType.objects.filter(type_code=type_code).exists():
        problems.append(Problem("licenses.type.duplicate", "证照类型代码已存在", "type code already exists",
                                "type_code"))
    if not (name or "").strip():
        problems.append(Problem("licenses.type.name", "须填写证照名称", "the licence name is required", "name"))
    if holder_kind not in HolderKind.values:
        problems.append(Problem("licenses.type.holder_kind", "持证主体类型须为自然人或法人",
                                "holder kind must be person or legal_person", "holder_kind"))
    if validity_years is not None and (not isinstance(validity_years, int) or not 1 <= validity_years <= 100):
        problems.append(Problem("licenses.type.validity", "有效期年数须为1至100的整数，或留空表示长期有效",
                                "validity must be 1-100 years, or empty for no expiry", "validity_years"))
    problems += face_schema_problems(face_schema)
    _raise(problems)
    licence_type = LicenceType.objects.create(
        type_code=type_code, name=name.strip(), holder_kind=holder_kind, face_schema=_clean_schema(face_schema),
        validity_years=validity_years, template=(template or "").strip(), defining_organ=defining_organ)
    audit.record(actor=actor, action="licenses.type.created", target=licence_type,
                 after={"type_code": type_code, "name": licence_type.name, "holder_kind": holder_kind,
                        "face_schema": licence_type.face_schema, "validity_years": validity_years,
                        "template": licence_type.template, "defining_organ": defining_organ.credit_code})
    return licence_type


# --- face validation -----------------------------------------------------------------------------


def _face_value(field: dict, value):
    """(clean value, None) or (None, (zh, en)) for one face field."""
    kind = field["type"]
    if kind == "text":
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            return None, ("应为文本", "must be text")
        return str(value).strip(), None
    if kind == "date":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat(), None
        try:
            return dt.date.fromisoformat(str(value).strip()).isoformat(), None
        except ValueError:
            return None, ("日期格式应为 YYYY-MM-DD", "must be a date YYYY-MM-DD")
    if isinstance(value, bool):
        return None, ("应为数字", "must be a number")
    if isinstance(value, int | float):
        return value, None
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text), None
    if re.fullmatch(r"-?\d+\.\d+", text):
        return text, None  # kept as text: a decimal survives the JSON round trip exactly
    return None, ("应为数字", "must be a number")


def face_problems(licence_type: LicenceType, face: dict) -> tuple[dict, list[Problem]]:
    """The cleaned face and every problem: missing required fields, unknown fields, wrong types."""
    problems, clean = [], {}
    if not isinstance(face, dict):
        return {}, [Problem("licenses.face.invalid", "照面信息格式错误", "the face must be an object", "face")]
    names = {f["name"] for f in licence_type.face_schema}
    for name in sorted(set(face) - names):
        problems.append(Problem("licenses.face.unknown", f"照面信息含未定义字段 {name}",
                                f"the face has an undefined field {name}", f"face.{name}"))
    for field in licence_type.face_schema:
        name, value = field["name"], face.get(field["name"])
        if value is None or (isinstance(value, str) and not value.strip()):
            if field.get("required"):
                problems.append(Problem("licenses.face.required", f"须填写照面字段“{field['label_zh']}”",
                                        f"face field “{field['label_en']}” is required", f"face.{name}"))
            continue
        cleaned, error = _face_value(field, value)
        if error:
            problems.append(Problem("licenses.face.type", f"照面字段“{field['label_zh']}”{error[0]}",
                                    f"face field “{field['label_en']}” {error[1]}", f"face.{name}"))
        else:
            clean[name] = cleaned
    return clean, problems


def face_from_form(licence_type: LicenceType, form_data: dict) -> dict:
    """The face a grant issues: the application form's ``licence_<name>`` fields, which the applicant
    filled and the officer may have corrected; never another field of the form."""
    data = form_data or {}
    return {f["name"]: str(data[FORM_PREFIX + f["name"]]).strip() for f in licence_type.face_schema
            if str(data.get(FORM_PREFIX + f["name"], "") or "").strip()}


def face_digest(face: dict, salt: str = "") -> str:
    """Commitment to the face in the public log: HMAC-SM3 keyed by the licence's own random salt over
    the face as sorted compact JSON, so nobody can confirm a guessed name and address from the log;
    the holder (who has the salt) can prove what the face said. Without a salt (licences issued
    before the salt existed): the plain SM3."""
    data = json.dumps(audit.jsonable(face), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    if salt:
        return hmac.new(bytes.fromhex(salt), data, "sm3").hexdigest()
    return audit.sm3_hex(data)


# --- issuance ------------------------------------------------------------------------------------


def _next_sequence(issuer_code: str, type_code: str, year: int) -> int:
    """The next sequence per issuer, type and year, unique under concurrency (one upsert)."""
    table = connection.ops.quote_name(LicenceSerial._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (issuer_code, type_code, year, last) VALUES (%s, %s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (issuer_code, type_code, year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [issuer_code, type_code, year])
        return cursor.fetchone()[0]


def _add_years(day: dt.date, years: int) -> dt.date:
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def valid_until_for(licence_type: LicenceType, valid_from: dt.date) -> dt.date | None:
    """Last day of validity: N years from ``valid_from``, less one day; None for no expiry."""
    if licence_type.validity_years is None:
        return None
    return _add_years(valid_from, licence_type.validity_years) - dt.timedelta(days=1)


def _holder_problems(licence_type: LicenceType, holder_name: str, holder_code: str, holder_user) -> list[Problem]:
    problems = []
    if not (holder_name or "").strip():
        problems.append(Problem("licenses.holder.name", "须填写持证主体名称", "the holder's name is required",
                                "holder_name"))
    code = normalise_code(holder_code)
    if licence_type.holder_kind == HolderKind.PERSON:
        if problem := resident_id_problem(code):
            problems.append(Problem("licenses.holder.code", f"持证人身份证号码无效：{problem}",
                                    f"the holder's resident ID number is invalid: {problem}", "holder_code"))
        else:
            person = getattr(holder_user, "person", None) if holder_user is not None else None
            if person is not None and person.id_number_index != blind_index(code, "identity.person.id_number"):
                problems.append(Problem("licenses.holder.user", "持证人身份证号码与其账户的实名信息不符",
                                        "the holder's ID number does not match the account's real-name identity",
                                        "holder_user"))
    elif problem := credit_code_problem(code):
        problems.append(Problem("licenses.holder.code", f"持证主体统一社会信用代码无效：{problem}",
                                f"the holder's credit code is invalid: {problem}", "holder_code"))
    return problems


def _holder_fields(licence_type: LicenceType, holder_code: str) -> dict:
    code = normalise_code(holder_code)
    if licence_type.holder_kind == HolderKind.PERSON:
        sealed = seal(code, HOLDER_CODE_FIELD)
        return {"holder_code_type": HolderCodeType.RESIDENT_ID, "holder_code_cipher": sealed.ciphertext,
                "holder_code_key_version": sealed.key_version, "holder_code_index": sealed.blind_index,
                "holder_code_shown": mask_identifier(code)}
    return {"holder_code_type": HolderCodeType.CREDIT_CODE, "holder_code_cipher": None,
            "holder_code_key_version": None, "holder_code_index": blind_index(code, HOLDER_CODE_FIELD),
            "holder_code_shown": code}


def mask_name(licence: Licence) -> str:
    """Persons' names masked in the public log (张*, 欧阳**); legal persons' names are public."""
    name = licence.holder_name
    if licence.holder_code_type == HolderCodeType.CREDIT_CODE:
        return name
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def _log_payload(licence: Licence, event: str, reason: str = "", document_sm3: str = "") -> dict:
    payload = {
        "event": event,
        "identifier": licence.identifier,
        "type_code": licence.licence_type.type_code,
        "issuer_code": licence.issuer.credit_code,
        "version": licence.version_code,
        "holder_name": mask_name(licence),
        "holder_code": licence.holder_code_shown,
        "face_commitment": face_digest(licence.face, licence.face_salt),
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
        "status": licence.status,
        "at": audit.jsonable(licence.status_changed_at),
    }
    if reason:
        payload["reason_sm3"] = audit.sm3_hex(reason.encode())
    if document_sm3:
        payload["document_sm3"] = document_sm3
    return payload


def _audit_view(licence: Licence) -> dict:
    return {"identifier": licence.identifier, "status": licence.status, "version": licence.version_code,
            "holder_code": licence.holder_code_shown, "face_commitment": face_digest(licence.face, licence.face_salt),
            "case_number": licence.case_number}


def _record(licence: Licence, kind: str, actor, reason: str = "", document_sm3: str = "") -> LicenceEvent:
    """Event row + transparency log entry for one change of ``licence`` (for an issue: with the SM3
    of the sealed PDF, so the log entry binds the identifier to the document)."""
    index = hooks.log_event(f"licence.{kind}", _log_payload(licence, kind, reason, document_sm3))
    return LicenceEvent.objects.create(licence=licence, kind=kind, at=licence.status_changed_at,
                                       actor=actor if getattr(actor, "pk", None) else None, reason=reason,
                                       log_index=index)


def _emit(name: str, licence: Licence) -> None:
    """The domain event of a licence's change (ids and codes only), in the change's transaction."""
    events.record(name, {"licence_id": licence.pk, "identifier": licence.identifier,
                         "type_code": licence.licence_type.type_code, "case_number": licence.case_number,
                         "status": licence.status})


def _tell(licence: Licence, kind: str, subject_zh: str, subject_en: str, body_zh: str, body_en: str) -> None:
    if licence.holder_user_id is None:
        return
    from django.urls import NoReverseMatch, reverse

    try:
        link = reverse("licenses:detail", kwargs={"identifier": licence.identifier})
    except NoReverseMatch:  # the wallet pages are not mounted (tests of services alone)
        link = ""
    notify(recipient=licence.holder_user, kind=f"licenses.licence.{kind}", subject_zh=subject_zh,
           subject_en=subject_en, body_zh=body_zh, body_en=body_en, link=link, case_number=licence.case_number)


def _build(*, licence_type, issuer, serial, version, holder, holder_name, holder_user, face, case_number,
           valid_from, today) -> Licence:
    """The licence row, not saved yet (its PDF can be rendered before the write transaction)."""
    identifier = make_identifier(licence_type.type_code, issuer.credit_code, serial, version)
    now = _now()
    return Licence(
        identifier=identifier, licence_type=licence_type, serial=serial, version=version, issuer=issuer,
        holder_name=holder_name.strip(), holder_user=holder_user, face=face, issued_on=today, issued_at=now,
        valid_from=valid_from, valid_until=valid_until_for(licence_type, valid_from), status=S.VALID,
        status_changed_at=now, case_number=case_number, face_salt=secrets.token_hex(16), **holder)


def _create(**fields) -> Licence:
    licence = _build(**fields)
    licence.save(force_insert=True)
    return licence


def licence_issue(*, actor, licence_type: LicenceType, issuer, holder_name: str, holder_code: str,
                  face: dict, holder_user=None, case_number: str = "",
                  valid_from: dt.date | None = None) -> Licence:
    """Issue version 001 of a new licence. Refuses with every problem at once (no template, holder,
    face against the type's schema); a refusal is audited (licenses.licence.issue_refused) and issues
    nothing. Audit: licenses.licence.issued; transparency log: licence.issued; the holder is told."""
    today = _today()
    problems = []
    if not licence_type.template:
        problems.append(Problem("licenses.type.no_template", f"证照类型“{licence_type.name}”尚未配置模板，不能签发",
                                f"licence type “{licence_type.name}” has no template: it cannot be issued",
                                "licence_type"))
    problems += _holder_problems(licence_type, holder_name, holder_code, holder_user)
    clean_face, face_errors = face_problems(licence_type, face)
    problems += face_errors
    if problems:
        _refused(actor, licence_type, issuer, case_number, problems)
    # 1. the serial, in its own short transaction when the caller has none (a later failure leaves a
    #    gap in the sequence, never a duplicate); 2. the PDF rendered, signed and sealed outside any
    #    lock; 3. one transaction writes the licence, its document, the log entry and the audit event.
    with transaction.atomic():
        sequence = _next_sequence(issuer.credit_code, licence_type.type_code, today.year)
    if sequence > SEQUENCE_LIMIT:
        raise DomainError.single("licenses.serial.exhausted", "本年度该类证照流水号已用尽",
                                 "no serial numbers left this year for this licence type", "")
    licence = _build(licence_type=licence_type, issuer=issuer, serial=f"{today.year}{sequence:07d}", version=1,
                     holder=_holder_fields(licence_type, holder_code), holder_name=holder_name,
                     holder_user=holder_user, face=clean_face, case_number=case_number,
                     valid_from=valid_from or today, today=today)
    prepared = render.prepare(actor=actor, licence=licence)
    with transaction.atomic():
        return _issue(actor=actor, licence=licence, prepared=prepared)


def _issue(*, actor, licence: Licence, prepared) -> Licence:
    licence_type, issuer = licence.licence_type, licence.issuer
    licence.document_sha256 = prepared.sha256
    licence.save(force_insert=True)
    render.record(actor=actor, licence=licence, prepared=prepared)
    event = _record(licence, LicenceEvent.Kind.ISSUED, actor, document_sm3=prepared.sm3)
    licence.log_index = event.log_index
    licence.save(update_fields=["log_index"])
    audit.record(actor=actor, action="licenses.licence.issued", target=licence,
                 target_label=f"{licence_type.name} {licence.identifier}", after=_audit_view(licence))
    _emit("licence.issued", licence)
    _tell(licence, "issued", f"电子证照已签发：{licence_type.name}", f"Electronic licence issued: {licence_type.name}",
          f"您的电子证照“{licence_type.name}”已由{issuer.name}签发，证照标识 {licence.identifier}，可在“我的证照”中查看和分享。",
          f"Your electronic licence “{licence_type.name}” was issued by {issuer.name} (identifier "
          f"{licence.identifier}). See it and share it under “My licences”.")
    return licence


def _refused(actor, licence_type, issuer, case_number, problems) -> None:
    """Raise the refusal and keep its audit event (``core.refusals``): outside any transaction of the
    caller's it commits on its own; inside one it shares the caller's fate."""
    refusals.refuse(problems, record=lambda: audit.record(
        actor=actor, action="licenses.licence.issue_refused", target=licence_type,
        after={"issuer": issuer.credit_code, "case_number": case_number, "problems": [p.code for p in problems]}))


# --- life cycle ----------------------------------------------------------------------------------


def _lock(licence: Licence, actor) -> Licence:
    """The licence, locked, when ``actor`` manages it (Licence.objects.for_actor, licenses/policy.py);
    NotFound for another organ's licence and for a licence that does not exist alike."""
    found = (Licence.objects.for_actor(actor).select_for_update(of=("self",))
             .select_related("licence_type", "issuer", "holder_user").filter(pk=licence.pk).first())
    if found is None:
        raise NotFound(licence.identifier)
    return found


_STATUS_ZH = {S.VALID: "有效", S.SUSPENDED: "已中止", S.REVOKED: "已注销", S.EXPIRED: "已过期", S.REPLACED: "已换发"}


def _wrong_state(licence: Licence, action_zh: str, action_en: str) -> DomainError:
    return DomainError.single("licenses.licence.state",
                              f"证照当前状态为“{_STATUS_ZH[licence.status]}”，不能{action_zh}",
                              f"the licence is {licence.status}: it cannot be {action_en}", "status")


def _reason_required(reason: str) -> None:
    if not (reason or "").strip():
        raise DomainError.single("licenses.reason.required", "须填写理由", "a reason is required", "reason")


def _change(licence: Licence, *, actor, to: str, kind: str, reason: str, action: str) -> Licence:
    before = licence.status
    licence.status, licence.status_changed_at = to, _now()
    licence.save(update_fields=["status", "status_changed_at"])
    _record(licence, kind, actor, reason)
    audit.record(actor=actor, action=action, target=licence, target_label=licence.identifier,
                 before={"status": before}, after={"status": to}, reason=reason)
    _emit(f"licence.{kind}", licence)
    return licence


@transaction.atomic
def licence_suspend(*, actor, licence: Licence, reason: str) -> Licence:
    """valid → suspended. Approvers of the issuing organ and the system only (policy.can_suspend_licence;
    anyone else: NotFound). Audit: licenses.licence.suspended."""
    _reason_required(reason)
    licence = _lock(licence, actor)
    if licence.status != S.VALID:
        raise _wrong_state(licence, "中止", "suspended")
    _change(licence, actor=actor, to=S.SUSPENDED, kind=LicenceEvent.Kind.SUSPENDED, reason=reason,
            action="licenses.licence.suspended")
    name = licence.licence_type.name
    _tell(licence, "suspended", f"电子证照已中止：{name}", f"Electronic licence suspended: {name}",
          f"您的电子证照“{name}”（{licence.identifier}）已被中止使用。理由：{reason}",
          f"Your electronic licence “{name}” ({licence.identifier}) was suspended. Reason: {reason}")
    return licence


@transaction.atomic
def licence_reinstate(*, actor, licence: Licence, reason: str) -> Licence:
    """suspended → valid (revoked, expired and replaced licences are final). Approvers of the issuing organ
    and the system only (policy.can_reinstate_licence). Audit: licenses.licence.reinstated."""
    _reason_required(reason)
    licence = _lock(licence, actor)
    if licence.status != S.SUSPENDED:
        raise _wrong_state(licence, "恢复", "reinstated")
    if licence.valid_until and licence.valid_until < _today():
        raise DomainError.single("licenses.licence.past_validity", "证照有效期已届满，不能恢复",
                                 "the licence's validity has ended: it cannot be reinstated", "status")
    _change(licence, actor=actor, to=S.VALID, kind=LicenceEvent.Kind.REINSTATED, reason=reason,
            action="licenses.licence.reinstated")
    name = licence.licence_type.name
    _tell(licence, "reinstated", f"电子证照已恢复：{name}", f"Electronic licence reinstated: {name}",
          f"您的电子证照“{name}”（{licence.identifier}）已恢复有效。",
          f"Your electronic licence “{name}” ({licence.identifier}) is valid again.")
    return licence


@transaction.atomic
def licence_revoke(*, actor, licence: Licence, reason: str) -> Licence:
    """valid | suspended → revoked (final). Approvers of the issuing organ and the system only
    (policy.can_revoke_licence; anyone else: NotFound). Audit: licenses.licence.revoked."""
    _reason_required(reason)
    licence = _lock(licence, actor)
    if licence.status not in LIVE:
        raise _wrong_state(licence, "注销", "revoked")
    _change(licence, actor=actor, to=S.REVOKED, kind=LicenceEvent.Kind.REVOKED, reason=reason,
            action="licenses.licence.revoked")
    licence.share_links.filter(revoked_at__isnull=True).update(revoked_at=licence.status_changed_at)
    name = licence.licence_type.name
    _tell(licence, "revoked", f"电子证照已注销：{name}", f"Electronic licence revoked: {name}",
          f"您的电子证照“{name}”（{licence.identifier}）已被注销。理由：{reason}",
          f"Your electronic licence “{name}” ({licence.identifier}) was revoked. Reason: {reason}")
    return licence


@transaction.atomic
def licence_replace(*, actor, licence: Licence, face_changes: dict, reason: str,
                    valid_from: dt.date | None = None) -> Licence:
    """Issue the next version (renewal or change) and mark this one replaced.

    The new version keeps the serial, issuer and holder; its face is the old face with
    ``face_changes`` applied (a value of None removes an optional field) and is validated again; its
    validity starts on ``valid_from`` (today). Audit: licenses.licence.replaced; log: licence.replaced
    for the old version and licence.issued for the new one.
    """
    _reason_required(reason)
    old = _lock(licence, actor)
    if old.status not in LIVE:
        raise _wrong_state(old, "换发", "replaced")
    licence_type = old.licence_type
    merged = {**old.face, **(face_changes or {})}
    merged = {k: v for k, v in merged.items() if v is not None}
    face, problems = face_problems(licence_type, merged)
    if not licence_type.template:
        problems.insert(0, Problem("licenses.type.no_template", f"证照类型“{licence_type.name}”尚未配置模板，不能签发",
                                   f"licence type “{licence_type.name}” has no template: it cannot be issued",
                                   "licence_type"))
    if old.version >= 999:
        problems.append(Problem("licenses.version.exhausted", "版本号已用尽", "no version numbers left", "version"))
    _raise(problems)
    today = _today()
    holder = {f: getattr(old, f) for f in ("holder_code_type", "holder_code_cipher", "holder_code_key_version",
                                           "holder_code_index", "holder_code_shown")}
    new = _create(licence_type=licence_type, issuer=old.issuer, serial=old.serial, version=old.version + 1,
                  holder=holder, holder_name=old.holder_name, holder_user=old.holder_user, face=face,
                  case_number=old.case_number, valid_from=valid_from or today, today=today)
    before = old.status
    old.status, old.status_changed_at, old.replaced_by = S.REPLACED, new.status_changed_at, new
    old.save(update_fields=["status", "status_changed_at", "replaced_by"])
    old.share_links.filter(revoked_at__isnull=True).update(revoked_at=old.status_changed_at)
    _record(old, LicenceEvent.Kind.REPLACED, actor, reason)
    document = render.licence_document(actor=actor, licence=new)
    new.document_sha256 = document.sha256
    event = _record(new, LicenceEvent.Kind.ISSUED, actor, reason, document_sm3=document.sm3)
    new.log_index = event.log_index
    new.save(update_fields=["log_index", "document_sha256"])
    audit.record(actor=actor, action="licenses.licence.replaced", target=old, target_label=old.identifier,
                 before={"status": before, "face_commitment": face_digest(old.face, old.face_salt)},
                 after={"status": S.REPLACED, "replaced_by": new.identifier, **_audit_view(new)}, reason=reason)
    _emit("licence.replaced", old)
    _emit("licence.issued", new)
    name = licence_type.name
    _tell(new, "replaced", f"电子证照已换发：{name}", f"Electronic licence replaced: {name}",
          f"您的电子证照“{name}”已换发新版本 {new.identifier}，原版本 {old.identifier} 不再有效。",
          f"Your electronic licence “{name}” was replaced by version {new.identifier}; "
          f"{old.identifier} is no longer valid.")
    return new


def expire_due(today: dt.date | None = None) -> int:
    """Mark expired every valid or suspended licence whose validity ended before ``today``; the
    number expired. Each licence in its own transaction (a periodic job; actor: the system)."""
    today = today or _today()
    count = 0
    for pk in Licence.objects.filter(status__in=LIVE, valid_until__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            licence = _lock(Licence(pk=pk), SYSTEM)
            if licence.status not in LIVE or not licence.valid_until or licence.valid_until >= today:
                continue
            _change(licence, actor=SYSTEM, to=S.EXPIRED, kind=LicenceEvent.Kind.EXPIRED,
                    reason=f"有效期至 {licence.valid_until.isoformat()} / valid until {licence.valid_until.isoformat()}",
                    action="licenses.licence.expired")
            name = licence.licence_type.name
            _tell(licence, "expired", f"电子证照已过期：{name}", f"Electronic licence expired: {name}",
                  f"您的电子证照“{name}”（{licence.identifier}）有效期已于 {licence.valid_until} 届满。",
                  f"Your electronic licence “{name}” ({licence.identifier}) expired on {licence.valid_until}.")
            count += 1
    return count


# --- share links ---------------------------------------------------------------------------------


@transaction.atomic
def share_link_create(*, actor, licence: Licence, fields: list[str], hours: int) -> ShareLink:
    """A verification link disclosing ``fields`` for ``hours`` (1 to 720). The holder only: others
    get NotFound. Audit: licenses.share_link.created."""
    licence = _lock(licence, SYSTEM)  # the holder check follows
    if not policy.can_share_licence(actor, licence):
        raise NotFound(licence.identifier)
    problems = []
    names = [f["name"] for f in licence.licence_type.face_schema]
    fields = list(dict.fromkeys(fields or []))
    for name in fields:
        if name not in names:
            problems.append(Problem("licenses.share.field", f"照面字段 {name} 不存在", f"no face field {name}", "fields"))
    if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= MAX_SHARE_HOURS:
        problems.append(Problem("licenses.share.hours", f"有效时长须为1至{MAX_SHARE_HOURS}小时",
                                f"the link must last 1 to {MAX_SHARE_HOURS} hours", "hours"))
    if licence.status not in LIVE:
        problems.append(Problem("licenses.share.status", f"证照{_STATUS_ZH[licence.status]}，不能分享",
                                f"the licence is {licence.status}: it cannot be shared", "licence"))
    _raise(problems)
    now = _now()
    link = ShareLink.objects.create(licence=licence, token=secrets.token_urlsafe(24),
                                    fields=[n for n in names if n in fields], created_by=actor, created_at=now,
                                    expires_at=now + dt.timedelta(hours=hours))
    audit.record(actor=actor, action="licenses.share_link.created", target=licence, target_label=licence.identifier,
                 after={"share_link": link.pk, "fields": link.fields, "expires_at": link.expires_at,
                        "token_sm3": audit.sm3_hex(link.token.encode())})
    return link


@transaction.atomic
def share_link_revoke(*, actor, link: ShareLink) -> ShareLink:
    """End a share link now (idempotent). The holder only. Audit: licenses.share_link.revoked."""
    link = ShareLink.objects.select_for_update().select_related("licence").get(pk=link.pk)
    if not policy.can_share_licence(actor, link.licence):
        raise NotFound(str(link.pk))
    if link.revoked_at is None:
        link.revoked_at = _now()
        link.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="licenses.share_link.revoked", target=link.licence,
                     target_label=link.licence.identifier, after={"share_link": link.pk})
    return link


__all__ = ["expire_due", "face_problems", "licence_issue", "licence_reinstate", "licence_replace",
           "licence_revoke", "licence_suspend", "licence_type_create", "share_link_create", "share_link_revoke",
]
