"""Real-name registration: level 2, every problem listed, nothing saved on error, identifiers sealed."""

import pytest
from django.db import connection

from govhall.core.errors import DomainError
from govhall.core.models import AuditEvent
from govhall.crypto.fields import blind_index
from govhall.identity import services
from govhall.identity.models import ID_NUMBER_FIELD, Person, User

GOOD = {"username": "wang5", "password": "Tea-Garden-2026", "name": "王五", "id_type": "resident_id",
        "id_number": "341502198511115551", "phone": "13955600003", "email": "wang5@example.cn"}


def register(**changes):
    return services.person_register(**{**GOOD, **changes})


def fields_of(exc) -> set[str]:
    return {p.field for p in exc.value.problems}


def test_registration_creates_an_account_and_a_person_at_level_2(db):
    person = register()
    assert person.user.check_password(GOOD["password"])
    assert (person.name, person.trust_level, person.trust_method) == ("王五", 2, "format")
    assert (person.division_code, str(person.birth_date), person.gender) == ("341502", "1985-11-11", "male")
    event = AuditEvent.objects.get(action="identity.person.registered")
    assert event.actor == person.user
    assert event.after["id_number"] == "3415**********5551"
    assert event.after["phone"] == "139****0003"


def test_a_lower_case_check_character_is_the_same_number(db):
    register(id_number="11010519491231002x", username="chen", name="陈晓明")
    with pytest.raises(DomainError) as exc:
        register(id_number="11010519491231002X", username="chen2", name="陈晓明")
    assert [p.code for p in exc.value.problems] == ["person.duplicate_id"]


def test_a_duplicate_id_number_or_username_is_refused_and_nothing_is_saved(db):
    register()
    with pytest.raises(DomainError) as exc:
        register(username="WANG5")
    assert fields_of(exc) == {"username", "id_number"}
    assert {p.code for p in exc.value.problems} == {"person.username_taken", "person.duplicate_id"}
    assert User.objects.count() == Person.objects.count() == 1


def test_a_bad_check_digit_a_weak_password_and_a_bad_phone_are_all_listed(db):
    with pytest.raises(DomainError) as exc:
        register(id_number="341502198511115552", password="12345678", phone="12345")
    assert fields_of(exc) == {"id_number", "password", "phone"}
    password_problems = [p for p in exc.value.problems if p.field == "password"]
    assert len(password_problems) >= 2  # too short, too common, entirely numeric
    assert all(p.message_zh != p.message_en for p in password_problems)
    assert not User.objects.exists() and not Person.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="identity.").exists()


def test_a_password_like_the_username_is_refused(db):
    with pytest.raises(DomainError) as exc:
        register(username="tea-garden-2026", password="tea-garden-2026")
    assert "password" in fields_of(exc)


def test_other_documents_have_no_birth_date_or_gender(db):
    person = register(id_type="hk_macao_permit", id_number="h12345678")
    assert (person.birth_date, person.gender, person.division_code) == (None, "", "")
    assert person.id_number_masked == "H123*5678"
    assert person.reveal_id_number() == "H12345678"


def test_identifiers_are_never_stored_in_clear(db):
    person = register()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM identity_person WHERE id = %s", [person.pk])
        row = cursor.fetchone()
    raw = b"".join(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row)
    for secret in ("341502198511115551", "13955600003", "198511115551", "5560003"):
        assert secret.encode() not in raw
    assert person.id_number_index == blind_index("341502198511115551", ID_NUMBER_FIELD)
    events = AuditEvent.objects.filter(target_type="identity.person")
    assert "341502198511115551" not in str(list(events.values()))


def test_identifiers_are_masked_for_display(db):
    person = register()
    assert person.id_number_masked == "3415**********5551"
    assert person.phone_masked == "139****0003"


def test_an_existing_account_can_be_given_a_person_once(applicant):
    person = services.person_create(actor=None, user=applicant, name="张三", id_type="resident_id",
                                    id_number="341502199003071235", phone="13955600001")
    assert applicant.person == person
    with pytest.raises(DomainError) as exc:
        services.person_create(actor=None, user=applicant, name="张三", id_type="passport_cn",
                               id_number="E12345678", phone="13955600001")
    assert {p.code for p in exc.value.problems} == {"person.exists"}


FULL_WIDTH = "３４１５０２１９８５１１１１５５５１"  # GOOD's number in full-width digits
ARABIC_INDIC = "٣٤١٥٠٢١٩٨٥١١١١٥٥٥١"  # the same digits as Arabic-Indic digits


def test_a_number_in_full_width_digits_is_stored_as_the_ascii_number(db):
    person = register(id_number=FULL_WIDTH, phone="１３９５５６００００３")
    assert person.reveal_id_number() == GOOD["id_number"] and person.reveal_phone() == GOOD["phone"]
    assert person.id_number_index == blind_index(GOOD["id_number"], ID_NUMBER_FIELD)
    assert (person.division_code, str(person.birth_date)) == ("341502", "1985-11-11")


@pytest.mark.parametrize("first, second", [(GOOD["id_number"], FULL_WIDTH), (FULL_WIDTH, GOOD["id_number"]),
                                           (FULL_WIDTH, " ３４１５ ０２１９\u3000８５１１ １１５５ ５１ ")],
                         ids=["ascii-then-full-width", "full-width-then-ascii", "full-width-with-spaces"])
def test_one_person_cannot_register_twice_by_writing_the_digits_differently(db, first, second):
    register(id_number=first)
    with pytest.raises(DomainError) as exc:
        register(id_number=second, username="wang5b")
    assert [p.code for p in exc.value.problems] == ["person.duplicate_id"]
    assert Person.objects.count() == 1


def test_non_ascii_digits_are_not_a_document_number(db):
    with pytest.raises(DomainError) as exc:
        register(id_number=ARABIC_INDIC)
    assert [p.code for p in exc.value.problems] == ["person.id_number"]
    with pytest.raises(DomainError) as exc:
        register(id_type="taiwan_permit", id_number="١٢٣٤٥٦٧٨")
    assert [p.code for p in exc.value.problems] == ["person.id_number"]
    assert not Person.objects.exists()
