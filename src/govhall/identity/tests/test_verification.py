"""Raising the trust level: the population register (3) and the face check (4)."""

import pytest

from govhall.core.errors import DomainError
from govhall.core.models import AuditEvent
from govhall.identity import services
from govhall.identity.codes import resident_id_check_char
from govhall.identity.models import Person

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 2048


def make(username, name, id_number, id_type="resident_id"):
    return services.person_register(username=username, password="Tea-Garden-2026", name=name, id_type=id_type,
                                    id_number=id_number, phone="13955600009")


def test_the_register_confirms_name_and_number_and_the_person_reaches_level_3(db):
    person = make("zhang3", "张三", "341502199003071235")
    verified = services.person_verify_register(actor=person.user, person=person)
    assert (verified.trust_level, verified.trust_method) == (3, "population_register")
    assert verified.verified_at is not None
    event = AuditEvent.objects.get(action="identity.person.verified")
    assert event.before == {"trust_level": 2, "method": "format"}
    assert event.after["id_number"] == "3415**********1235"


def test_a_name_the_register_does_not_know_stays_at_level_2_with_an_audit_event(db):
    person = make("zhang3", "张山", "341502199003071235")  # the register knows 张三
    with pytest.raises(DomainError) as exc:
        services.person_verify_register(actor=person.user, person=person)
    assert [p.code for p in exc.value.problems] == ["person.register_mismatch"]
    assert Person.objects.get(pk=person.pk).trust_level == 2
    event = AuditEvent.objects.get(action="identity.person.verification_failed")
    assert event.actor == person.user and event.after["id_number"] == "3415**********1235"


def test_a_number_outside_the_simulated_register_is_not_confirmed(db):
    first17 = "34150219900101901"  # sequence 900-999: "not in the register" in the simulator
    person = make("nobody", "无名", first17 + resident_id_check_char(first17))
    with pytest.raises(DomainError):
        services.person_verify_register(actor=person.user, person=person)


def test_passports_and_permits_are_verified_at_a_window_not_online(db):
    person = make("visitor", "John Smith", "AB1234567", id_type="passport_foreign")
    with pytest.raises(DomainError) as exc:
        services.person_verify_register(actor=person.user, person=person)
    assert exc.value.problems[0].code == "person.register_unsupported"


def test_nobody_verifies_someone_elses_identity(db):
    person, other = make("zhang3", "张三", "341502199003071235"), make("wang5", "王五", "341502198511115551")
    with pytest.raises(DomainError):
        services.person_verify_register(actor=other.user, person=person)


def test_the_face_check_needs_level_3_and_then_raises_to_level_4(db):
    person = make("zhang3", "张三", "341502199003071235")
    with pytest.raises(DomainError) as exc:
        services.person_verify_face(actor=person.user, person=person, image=JPEG)
    assert exc.value.problems[0].code == "person.face_needs_register"
    person = services.person_verify_register(actor=person.user, person=person)
    with pytest.raises(DomainError):
        services.person_verify_face(actor=person.user, person=person, image=JPEG + b"GOVHALL-NOT-THE-SAME-PERSON")
    assert Person.objects.get(pk=person.pk).trust_level == 3
    person = services.person_verify_face(actor=person.user, person=person, image=JPEG)
    assert (person.trust_level, person.trust_method) == (4, "face")
    assert AuditEvent.objects.filter(action="identity.person.verified").count() == 2


def test_a_register_chosen_by_setting_is_used(db, settings):
    settings.GOVHALL_POPULATION_REGISTER = "govhall.identity.tests.test_verification.RefusingRegister"
    person = make("zhang3", "张三", "341502199003071235")
    with pytest.raises(DomainError):
        services.person_verify_register(actor=person.user, person=person)


class RefusingRegister:
    def check(self, name, id_number):
        return False
