"""The electronic licence a granted case issues (the item version's ``result_licence_type_code``).

``problems(case)`` is the cheap pre-check the decision runs under its lock: a grant is refused when
the licence it must issue could not be issued (the type is unknown, has no template, the holder is of
the wrong kind, face fields are missing, the issuing organ can have no seal). The licence itself is
issued after the decision commits, by the subscriber in ``subscribers.py`` (``issue_for_case``), so
rendering, signing and the transparency-log append hold no case lock. The case is read through its
attributes only: this module imports nothing from ``cases``.
"""

from __future__ import annotations

from dataclasses import dataclass

from govhall.core.errors import Problem

from .models import HolderKind, Licence, LicenceType
from .services import _holder_problems, face_from_form, face_problems, licence_issue


@dataclass(frozen=True)
class Plan:
    licence_type: LicenceType
    holder_name: str
    holder_code: str
    face: dict


def _problem(code: str, zh: str, en: str) -> Problem:
    return Problem(code, zh, en, "outcome")


def plan(case) -> tuple[Plan | None, list[Problem]]:
    """What the case's grant must issue (None: the item issues no licence) and every problem that
    would keep it from being issued."""
    from govhall.identity.selectors import person_of

    code = (case.version.result_licence_type_code or "").strip()
    if not code:
        return None, []
    licence_type = LicenceType.objects.filter(type_code=code).first()
    if licence_type is None:
        return None, [_problem("cases.licence.type_missing", f"结果证照类型 {code} 尚未登记，不能作出准予决定",
                               f"the result licence type {code} is not registered: the grant cannot issue it")]
    problems = []
    if not licence_type.template:
        problems.append(_problem("licenses.type.no_template", f"证照类型“{licence_type.name}”尚未配置模板，不能签发",
                                 f"licence type “{licence_type.name}” has no template: it cannot be issued"))
    application = case.application
    holder_name = holder_code = ""
    if licence_type.holder_kind == HolderKind.LEGAL_PERSON:
        company = application.legal_person
        if company is None:
            problems.append(_problem("cases.licence.holder",
                                     f"“{licence_type.name}”只能发给法人，本件申请人是自然人",
                                     f"“{licence_type.name}” is issued to legal persons; this applicant is a person"))
        else:
            holder_name, holder_code = company.name, company.credit_code
    else:
        person = person_of(case.applicant)
        if person is None or application.legal_person_id:
            problems.append(_problem("cases.licence.holder", f"“{licence_type.name}”只能发给实名登记的自然人",
                                     f"“{licence_type.name}” is issued to a registered natural person"))
        else:
            holder_name, holder_code = person.name, person.reveal_id_number()
    if holder_code:
        problems += [Problem(p.code, p.message_zh, p.message_en, "outcome")
                     for p in _holder_problems(licence_type, holder_name, holder_code, case.applicant)]
    # the face from the form's licence_<name> fields (as the officer corrected them), never another field
    face = face_from_form(licence_type, {**(application.form_data or {}), **(getattr(case, "face_corrections", None)
                                                                            or {})})
    problems += face_problems(licence_type, face)[1]
    problems += _seal_problems(case.organ)
    return Plan(licence_type, holder_name, holder_code, face), problems


def _seal_problems(organ) -> list[Problem]:
    """The organ's seal: an active one, or one the platform can make on first use (documents)."""
    from govhall.documents.services import active_seal

    if active_seal(organ) is not None or (organ.credit_code or "").isascii() and organ.credit_code:
        return []
    return [_problem("cases.licence.no_seal", f"{organ.name}没有可用的电子印章，不能签发证照",
                     f"{organ.name} has no usable seal: the licence cannot be issued")]


def problems(case) -> list[Problem]:
    """The pre-check of a grant (see the module's text)."""
    return plan(case)[1]


def issue_for_case(*, actor, case) -> Licence | None:
    """Issue the case's licence once: a licence already issued for the case and type is returned as
    it is (the subscriber may run twice)."""
    found, trouble = plan(case)
    if found is None and not trouble:
        return None
    existing = (Licence.objects.filter(case_number=case.number, licence_type__type_code=found.licence_type.type_code)
                .order_by("pk").first()) if found else None
    if existing is not None:
        return existing
    if trouble:
        from govhall.core.errors import DomainError

        raise DomainError(trouble)
    return licence_issue(actor=actor, licence_type=found.licence_type, issuer=case.organ,
                         holder_name=found.holder_name, holder_code=found.holder_code, face=found.face,
                         holder_user=case.applicant, case_number=case.number)
