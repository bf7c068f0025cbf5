"""Identity writes: real-name registration, register checks, legal persons and agent mandates.

Each service is atomic, takes the acting user as a keyword, and records its audit event in the same
transaction. Register look-ups (population, legal-person, face) run before the transaction opens, so
a slow register never holds row locks. Refused verifications are audited in their own transaction
before the DomainError is raised, so the attempt stays on record. Identifiers appear in audit events
masked only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from govhall.core import audit, refusals
from govhall.core.codes import credit_code_problem, implementation_code_problem
from govhall.core.errors import DomainError, Problem
from govhall.crypto.fields import blind_index, mask_identifier, seal

from . import hooks, registers
from .codes import IdType, id_number_problem, mobile_problem, normalise_id, normalise_phone, parse_resident_id
from .models import (
    ID_NUMBER_FIELD,
    PHONE_FIELD,
    AgentMandate,
    LegalPerson,
    Person,
    TrustLevel,
    TrustMethod,
    User,
)
from .registers import FaceCheck, LegalPersonRegister, PopulationRegister
from .selectors import find_person

_USERNAME = re.compile(r"^[A-Za-z0-9_.@+-]{3,30}$")
MAX_MANDATE = dt.timedelta(days=5 * 366)


def _person_of(actor) -> Person | None:
    """The actor's person read afresh (``user.person`` may be a stale cached object)."""
    return Person.objects.filter(user_id=actor.pk).first() if getattr(actor, "pk", None) else None


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise DomainError(problems)


def _refuse(*, actor, action: str, problems: list[Problem], after: dict | None = None, **target) -> None:
    """Raise the refusal and keep its audit event (``core.refusals``): the attempt stays on record."""
    refusals.refuse(problems, record=lambda: audit.record(actor=actor, action=action, after=after,
                                                          reason="; ".join(p.code for p in problems), **target))


def _both_languages(check, *args) -> list[tuple[str, str]]:
    """Messages of a Django validator in Chinese and English (its own translations)."""
    messages = {}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            try:
                check(*args)
                return []
            except ValidationError as exc:
                messages[lang] = exc.messages
    return list(zip(messages["zh-hans"], messages["en"], strict=False))


def _person_problems(*, name: str, id_type: str, id_number: str, phone: str, email: str) -> list[Problem]:
    problems = []
    if not name:
        problems.append(Problem("person.name", "请填写姓名", "the name is required", "name"))
    elif len(name) > 100:
        problems.append(Problem("person.name", "姓名过长（最多100个字符）", "the name is too long (100 characters at most)",
                                "name"))
    if id_type not in IdType.values:
        problems.append(Problem("person.id_type", "请选择证件类型", "choose a document type", "id_type"))
    elif problem := id_number_problem(id_type, id_number):
        problems.append(Problem("person.id_number", f"证件号码无效：{problem}", f"the document number {problem}",
                                "id_number"))
    elif Person.objects.filter(id_type=id_type, id_number_index=blind_index(id_number, ID_NUMBER_FIELD)).exists():
        problems.append(Problem("person.duplicate_id", "该证件号码已注册；如忘记用户名，请联系12345热线",
                                "this document number is already registered; call 12345 if you forgot your "
                                "username", "id_number"))
    if problem := mobile_problem(phone):
        problems.append(Problem("person.phone", "手机号码应为以1开头的11位数字", f"the mobile number {problem}", "phone"))
    if email:
        for zh, en in _both_languages(validate_email, email):
            problems.append(Problem("person.email", zh, en, "email"))
    return problems


def _new_person(*, user: User, name: str, id_type: str, id_number: str, phone: str, email: str) -> Person:
    sealed_id, sealed_phone = seal(id_number, ID_NUMBER_FIELD), seal(phone, PHONE_FIELD)
    details = parse_resident_id(id_number) if id_type == IdType.RESIDENT_ID else None
    return Person.objects.create(
        user=user, name=name, id_type=id_type,
        id_number_cipher=sealed_id.ciphertext, id_number_key_version=sealed_id.key_version,
        id_number_index=sealed_id.blind_index,
        phone_cipher=sealed_phone.ciphertext, phone_key_version=sealed_phone.key_version,
        phone_index=sealed_phone.blind_index, email=email,
        birth_date=details.birth_date if details else None, gender=details.gender if details else "",
        division_code=details.division if details else "",
        trust_level=TrustLevel.FORMAT, trust_method=TrustMethod.FORMAT,
    )


def _registered_event(person: Person, id_number: str, phone: str) -> dict:
    return {"username": person.user.get_username(), "name": person.name, "id_type": person.id_type,
            "id_number": mask_identifier(id_number), "phone": mask_identifier(phone, 3, 4),
            "trust_level": person.trust_level}


@transaction.atomic
def person_register(*, username: str, password: str, name: str, id_type: str, id_number: str, phone: str,
                    email: str = "") -> Person:
    """Create a login account and its real-name identity at trust level 2 (format checked).

    Invariants: one person per (document type, number); the number and phone are stored sealed.
    Audit: identity.person.registered (actor: the new account). Raises DomainError listing every
    problem (username taken or malformed, password too weak, bad or duplicate document number, bad
    phone or email); nothing is saved then.
    """
    username, name, email = (username or "").strip(), (name or "").strip(), (email or "").strip()
    id_number, phone = normalise_id(id_number), normalise_phone(phone)
    problems = []
    if not _USERNAME.match(username):
        problems.append(Problem("person.username", "用户名应为3至30个字母、数字或 @ . + - _",
                                "the username must be 3 to 30 letters, digits or @ . + - _", "username"))
    elif User.objects.filter(username__iexact=username).exists():
        problems.append(Problem("person.username_taken", "该用户名已被使用", "this username is taken", "username"))
    candidate = User(username=username, email=email, display_name=name)
    for zh, en in _both_languages(validate_password, password or "", candidate):
        problems.append(Problem("person.password", zh, en, "password"))
    problems += _person_problems(name=name, id_type=id_type, id_number=id_number, phone=phone, email=email)
    _raise(problems)
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password, email=email, display_name=name)
            person = _new_person(user=user, name=name, id_type=id_type, id_number=id_number, phone=phone,
                                 email=email)
    except IntegrityError as exc:  # a concurrent registration won the race
        raise DomainError.single("person.duplicate", "用户名或证件号码已注册", "the username or document number is "
                                 "already registered", "id_number") from exc
    audit.record(actor=user, action="identity.person.registered", target=person,
                 after=_registered_event(person, id_number, phone))
    return person


@transaction.atomic
def person_create(*, actor, user: User, name: str, id_type: str, id_number: str, phone: str,
                  email: str = "") -> Person:
    """Give an existing account (e.g. a demo account) its real-name identity at trust level 2.

    Audit: identity.person.registered. Raises DomainError as ``person_register`` does, and when the
    account already has a person.
    """
    name, email = (name or "").strip(), (email or "").strip()
    id_number, phone = normalise_id(id_number), normalise_phone(phone)
    problems = _person_problems(name=name, id_type=id_type, id_number=id_number, phone=phone, email=email)
    if Person.objects.filter(user=user).exists():
        problems.append(Problem("person.exists", "该账号已有实名信息", "this account already has a real-name identity",
                                "user"))
    _raise(problems)
    person = _new_person(user=user, name=name, id_type=id_type, id_number=id_number, phone=phone, email=email)
    audit.record(actor=actor, action="identity.person.registered", target=person,
                 after=_registered_event(person, id_number, phone))
    return person


def _ensure_own(actor, person: Person) -> None:
    if actor is not None and actor.pk != person.user_id:
        raise DomainError.single("person.not_own", "只能核验本人身份", "you may verify only your own identity", "person")


def _raise_level(*, actor, person: Person, level: int, method: str) -> Person:
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.trust_level >= level:
        return locked
    before = {"trust_level": locked.trust_level, "method": locked.trust_method}
    locked.trust_level, locked.trust_method, locked.verified_at = level, method, timezone.now()
    locked.save(update_fields=["trust_level", "trust_method", "verified_at"])
    audit.record(actor=actor, action="identity.person.verified", target=locked, before=before,
                 after={"trust_level": level, "method": method, "id_number": locked.id_number_masked})
    return locked


def person_verify_register(*, actor, person: Person, register: PopulationRegister | None = None) -> Person:
    """Check name + resident ID number against the population register; level 3 when confirmed.

    Already at level 3 or above: returns the person unchanged. Audit: identity.person.verified, or
    identity.person.verification_failed (kept) when the register does not confirm. Raises DomainError
    for someone else's identity, for documents the online register does not cover (passports and
    permits: level 5 at a service window) and when the register does not confirm.
    """
    _ensure_own(actor, person)
    if person.trust_level >= TrustLevel.REGISTER:
        return person
    if person.id_type != IdType.RESIDENT_ID:
        raise DomainError.single("person.register_unsupported",
                                 "人口库在线核验仅支持居民身份证；其他证件请携带原件到政务服务窗口核验",
                                 "the online register check covers resident ID cards only; bring other documents "
                                 "to a service window", "id_type")
    confirmed = (register or registers.population_register()).check(person.name, person.reveal_id_number())
    if not confirmed:
        _refuse(actor=actor, action="identity.person.verification_failed", target=person,
                after={"method": TrustMethod.POPULATION_REGISTER, "id_number": person.id_number_masked},
                problems=[Problem("person.register_mismatch",
                                  "人口库未能核验您的姓名与身份证号码，请核对；如有疑问请到政务服务窗口办理",
                                  "the population register did not confirm your name and ID number; check them, or "
                                  "visit a service window", "id_number")])
    with transaction.atomic():
        return _raise_level(actor=actor, person=person, level=TrustLevel.REGISTER,
                            method=TrustMethod.POPULATION_REGISTER)


def person_verify_face(*, actor, person: Person, image: bytes, check: FaceCheck | None = None) -> Person:
    """Compare a live image with the register photo; level 4 when they match. Needs level 3 first.

    The image is passed to the face check and never stored. Audit: identity.person.verified, or
    identity.person.verification_failed (kept). Raises DomainError below level 3 or on no match.
    """
    _ensure_own(actor, person)
    if person.trust_level >= TrustLevel.FACE:
        return person
    if person.trust_level < TrustLevel.REGISTER:
        raise DomainError.single("person.face_needs_register", "请先完成人口库核验（3级）",
                                 "verify your identity against the register (level 3) first", "trust_level")
    if not (check or registers.face_check()).verify(person, image):
        _refuse(actor=actor, action="identity.person.verification_failed", target=person,
                after={"method": TrustMethod.FACE},
                problems=[Problem("person.face_mismatch", "人脸比对未通过", "the face check did not match", "image")])
    with transaction.atomic():
        return _raise_level(actor=actor, person=person, level=TrustLevel.FACE, method=TrustMethod.FACE)


def _same_name(a: str, b: str) -> bool:
    table = str.maketrans({"（": "(", "）": ")", " ": "", "\u3000": ""})
    return a.translate(table) == b.translate(table)


def legal_person_register(*, actor, name: str, credit_code: str,
                          register: LegalPersonRegister | None = None) -> LegalPerson:
    """Register a company (legal person) by its legal representative; it starts at trust level 3.

    The actor must have a real-name identity at level 3 or above, and the legal-person register must
    know the credit code, under this name, with the actor as legal representative.
    Audit: identity.legal_person.registered; identity.legal_person.refused (kept) when the register
    names someone else. Raises DomainError listing every problem.
    """
    person = _person_of(actor)
    name, credit_code = (name or "").strip(), normalise_id(credit_code)
    problems = []
    if person is None:
        problems.append(Problem("legal_person.no_person", "请先完成个人实名注册", "register your real-name identity first",
                                "actor"))
    elif person.trust_level < TrustLevel.REGISTER:
        problems.append(Problem("legal_person.low_trust", "请先完成人口库核验（3级）后再登记企业",
                                "verify your identity against the register (level 3) before registering a company",
                                "actor"))
    if not name:
        problems.append(Problem("legal_person.name", "请填写单位名称", "the name is required", "name"))
    if problem := credit_code_problem(credit_code):
        problems.append(Problem("legal_person.credit_code", f"统一社会信用代码无效：{problem}",
                                f"the unified social credit code is invalid: {problem}", "credit_code"))
    elif LegalPerson.objects.filter(credit_code=credit_code).exists():
        problems.append(Problem("legal_person.duplicate", "该单位已登记", "this organisation is already registered",
                                "credit_code"))
    _raise(problems)
    record = (register or registers.legal_person_register()).lookup(credit_code)
    if record is None:
        raise DomainError.single("legal_person.not_found", "法人库中没有该统一社会信用代码",
                                 "the legal-person register does not know this credit code", "credit_code")
    if not _same_name(record.legal_representative_name, person.name):
        _refuse(actor=actor, action="identity.legal_person.refused", target_type="identity.legalperson",
                target_id=credit_code, target_label=record.name, after={"credit_code": credit_code},
                problems=[Problem("legal_person.not_representative", "法人库登记的法定代表人不是您，不能代为登记",
                                  "the register names someone else as legal representative", "credit_code")])
    if not _same_name(record.name, name):
        raise DomainError.single("legal_person.name_mismatch", f"单位名称与法人库登记不符（登记名称：{record.name}）",
                                 f"the name differs from the register's ({record.name})", "name")
    try:
        with transaction.atomic():
            company = LegalPerson.objects.create(
                name=record.name, credit_code=credit_code, legal_representative=person,
                region_code=record.region_code or credit_code[2:8], trust_level=TrustLevel.REGISTER,
                verified_at=timezone.now(), created_by=actor)
            audit.record(actor=actor, action="identity.legal_person.registered", target=company,
                         after={"credit_code": credit_code, "name": company.name,
                                "legal_representative": person.name, "region_code": company.region_code,
                                "trust_level": company.trust_level})
    except IntegrityError as exc:
        raise DomainError.single("legal_person.duplicate", "该单位已登记", "this organisation is already registered",
                                 "credit_code") from exc
    return company


def _ensure_representative(actor, legal_person: LegalPerson) -> Person:
    person = _person_of(actor)
    if person is None or person.pk != legal_person.legal_representative_id:
        raise DomainError.single("agent.not_representative", "只有法定代表人可以授权或撤销经办人",
                                 "only the legal representative may grant or revoke agents", "legal_person")
    return person


def _item_code_problems(codes: list[str]) -> list[Problem]:
    problems = []
    for code in codes:
        if problem := implementation_code_problem(code):
            problems.append(Problem("agent.item_code", f"实施编码 {code} 无效：{problem}",
                                    f"implementation code {code} is invalid: {problem}", "item_codes"))
    known = hooks.known_item_codes(codes)
    for code in codes:
        if code not in known and not implementation_code_problem(code):
            problems.append(Problem("agent.item_unknown", f"事项清单中没有实施编码 {code}",
                                    f"no implementation item has the code {code}", "item_codes"))
    return problems


@transaction.atomic
def agent_grant(*, actor, legal_person: LegalPerson, agent_name: str, agent_id_number: str,
                agent_id_type: str = IdType.RESIDENT_ID, all_items: bool = False,
                item_codes: Iterable[str] = (), expires_at: dt.datetime) -> AgentMandate:
    """The legal representative authorises a person, found by document number and name, as agent.

    The agent must be registered at trust level 3 or above and hold no mandate in force for this
    legal person; the mandate covers all items or the listed implementation codes, and ends at
    ``expires_at`` (in the future, at most five years ahead). Audit: identity.agent.granted, on
    behalf of the legal person. Raises DomainError listing every problem.
    """
    legal_person = LegalPerson.objects.select_for_update().get(pk=legal_person.pk)
    representative = _ensure_representative(actor, legal_person)
    now = timezone.now()
    codes = list(dict.fromkeys(c for c in (normalise_id(c) for c in item_codes or ()) if c))
    problems = []
    agent = find_person(id_type=agent_id_type, id_number=agent_id_number, name=agent_name)
    if agent is None:
        problems.append(Problem("agent.not_found", "未找到证件号码与姓名相符的注册用户，请经办人先完成实名注册",
                                "no registered person has this document number and name; the agent must register "
                                "first", "agent_id_number"))
    elif agent.pk == representative.pk:
        problems.append(Problem("agent.self", "法定代表人本人办理无需授权", "the legal representative acts without a "
                                "mandate", "agent_id_number"))
    elif agent.trust_level < TrustLevel.REGISTER:
        problems.append(Problem("agent.low_trust", "经办人须先完成人口库核验（3级）",
                                "the agent must verify their identity against the register (level 3) first",
                                "agent_id_number"))
    elif any(m.in_force_at(now) for m in legal_person.mandates.filter(agent=agent, revoked_at__isnull=True)):
        problems.append(Problem("agent.exists", "该经办人已有有效授权，如需变更请先撤销",
                                "this agent already holds a mandate in force; revoke it first", "agent_id_number"))
    if all_items == bool(codes):
        problems.append(Problem("agent.scope", "请选择“全部事项”或填写实施编码（二者选一）",
                                "choose either all items or a list of implementation codes", "item_codes"))
    elif codes:
        problems += _item_code_problems(codes)
    if expires_at is None or timezone.is_naive(expires_at):
        problems.append(Problem("agent.expires_at", "请填写授权截止日期", "the expiry is required", "expires_at"))
    elif expires_at <= now:
        problems.append(Problem("agent.expires_past", "授权截止日期须晚于今天", "the expiry must be in the future",
                                "expires_at"))
    elif expires_at > now + MAX_MANDATE:
        problems.append(Problem("agent.expires_far", "授权期限最长五年", "a mandate lasts five years at most",
                                "expires_at"))
    _raise(problems)
    mandate = AgentMandate.objects.create(legal_person=legal_person, agent=agent, all_items=bool(all_items),
                                          item_codes=codes, granted_by=actor, granted_at=now, expires_at=expires_at)
    audit.record(actor=actor, action="identity.agent.granted", target=mandate, on_behalf_of=legal_person.credit_code,
                 after={"legal_person": legal_person.credit_code, "agent": agent.name,
                        "agent_id_number": agent.id_number_masked, "all_items": mandate.all_items,
                        "item_codes": codes, "expires_at": expires_at})
    return mandate


@transaction.atomic
def agent_revoke(*, actor, mandate: AgentMandate, reason: str) -> AgentMandate:
    """The legal representative ends a mandate now, giving a reason.

    Audit: identity.agent.revoked, on behalf of the legal person. Raises DomainError when the actor
    is not the legal representative, the reason is missing, or the mandate has already ended.
    """
    mandate = AgentMandate.objects.select_for_update().select_related("legal_person").get(pk=mandate.pk)
    _ensure_representative(actor, mandate.legal_person)
    reason, now = (reason or "").strip(), timezone.now()
    problems = []
    if not reason:
        problems.append(Problem("agent.reason", "请填写撤销原因", "give a reason for the revocation", "reason"))
    if mandate.revoked_at is not None:
        problems.append(Problem("agent.already_revoked", "该授权已撤销", "this mandate is already revoked", "mandate"))
    elif mandate.expires_at <= now:
        problems.append(Problem("agent.already_expired", "该授权已到期", "this mandate has already expired", "mandate"))
    _raise(problems)
    mandate.revoked_at, mandate.revoked_by, mandate.reason = now, actor, reason[:500]
    mandate.save(update_fields=["revoked_at", "revoked_by", "reason"])
    audit.record(actor=actor, action="identity.agent.revoked", target=mandate, reason=mandate.reason,
                 on_behalf_of=mandate.legal_person.credit_code,
                 before={"revoked_at": None}, after={"revoked_at": now, "agent": mandate.agent.name})
    return mandate
