"""Company registration: only the legal representative the register names, verified at level 3."""

import pytest

from govhall.core.errors import DomainError
from govhall.core.models import AuditEvent
from govhall.identity import services
from govhall.identity.models import LegalPerson

TEA = {"name": "六安皖西茶业有限公司", "credit_code": "91341502MA2TEA019F"}


def test_the_legal_representative_registers_the_company_at_level_3(applicant_person):
    company = services.legal_person_register(actor=applicant_person.user, **TEA)
    assert (company.legal_representative, company.trust_level, company.region_code) == (applicant_person, 3, "341502")
    event = AuditEvent.objects.get(action="identity.legal_person.registered")
    assert event.after["credit_code"] == TEA["credit_code"]


def test_someone_the_register_does_not_name_is_refused_and_the_attempt_is_recorded(db):
    wang = services.person_register(username="wang5", password="Tea-Garden-2026", name="王五", id_type="resident_id",
                                    id_number="341502198511115551", phone="13955600003")
    wang = services.person_verify_register(actor=wang.user, person=wang)
    with pytest.raises(DomainError) as exc:
        services.legal_person_register(actor=wang.user, **TEA)
    assert [p.code for p in exc.value.problems] == ["legal_person.not_representative"]
    assert not LegalPerson.objects.exists()
    assert AuditEvent.objects.filter(action="identity.legal_person.refused", target_id=TEA["credit_code"]).exists()


def test_a_person_at_level_2_must_verify_first(applicant):
    person = services.person_create(actor=None, user=applicant, name="张三", id_type="resident_id",
                                    id_number="341502199003071235", phone="13955600001")
    with pytest.raises(DomainError) as exc:
        services.legal_person_register(actor=person.user, **TEA)
    assert {p.code for p in exc.value.problems} == {"legal_person.low_trust"}


def test_every_shape_problem_is_listed(applicant_person):
    with pytest.raises(DomainError) as exc:
        services.legal_person_register(actor=applicant_person.user, name="", credit_code="91341502MA2TEA0190")
    assert {p.field for p in exc.value.problems} == {"name", "credit_code"}


def test_unknown_codes_names_and_duplicates(applicant_person):
    with pytest.raises(DomainError) as exc:
        services.legal_person_register(actor=applicant_person.user, name="某公司", credit_code="91341504MA2T0004XQ")
    assert exc.value.problems[0].code == "legal_person.not_found"
    with pytest.raises(DomainError) as exc:
        services.legal_person_register(actor=applicant_person.user, name="皖西茶业", credit_code=TEA["credit_code"])
    assert exc.value.problems[0].code == "legal_person.name_mismatch"
    services.legal_person_register(actor=applicant_person.user, **TEA)
    with pytest.raises(DomainError) as exc:
        services.legal_person_register(actor=applicant_person.user, **TEA)
    assert exc.value.problems[0].code == "legal_person.duplicate"


def test_staff_without_a_person_cannot_register_a_company(catalog_admin):
    with pytest.raises(DomainError) as exc:
        services.legal_person_register(actor=catalog_admin, **TEA)
    assert exc.value.problems[0].code == "legal_person.no_person"
