"""Licence types, issuance, serials under concurrency, the life cycle and share links."""

import datetime as dt
import json
import threading
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from govhall.core.errors import DomainError, NotFound
from govhall.core.models import AuditEvent
from govhall.licenses import hooks, services
from govhall.licenses.identifier import is_valid, parse_identifier
from govhall.licenses.models import Licence, LicenceEvent, LicenceType
from govhall.notifications.models import Message

from .conftest import COMPANY_FACE, PERSON_FACE, PERSON_SCHEMA


def codes(exc) -> list[str]:
    return [p.code for p in exc.value.problems]


# --- licence types -------------------------------------------------------------------------------


def test_type_code_must_be_the_defining_organs_credit_code_plus_three_digits(organ, other_organ):
    with pytest.raises(DomainError) as exc:
        services.licence_type_create(actor=None, type_code=other_organ.credit_code + "001", name="X",
                                     holder_kind="person", face_schema=PERSON_SCHEMA, defining_organ=organ)
    assert codes(exc) == ["licenses.type.organ"]
    with pytest.raises(DomainError) as exc:
        wrong_check = "Q" if organ.credit_code[-1] != "Q" else "R"  # never the organ's own check character
        services.licence_type_create(actor=None, type_code=organ.credit_code[:-1] + wrong_check + "001", name="",
                                     holder_kind="robot", face_schema=[{"name": "Bad Name", "type": "colour"}],
                                     defining_organ=organ, validity_years=0)
    assert {"licenses.type.code", "licenses.type.name", "licenses.type.holder_kind", "licenses.type.validity",
            "licenses.type.schema.name", "licenses.type.schema.label", "licenses.type.schema.type"} <= set(codes(exc))
    assert not LicenceType.objects.exists()


def test_type_creation_is_audited(person_type):
    event = AuditEvent.objects.get(action="licenses.type.created")
    assert event.after["type_code"] == person_type.type_code and person_type.public_fields == ["category",
                                                                                               "qualified_on"]


# --- issuance ------------------------------------------------------------------------------------


def test_issue_builds_a_checked_identifier_and_stores_the_id_number_sealed(person_licence, organ, person_type):
    licence = person_licence
    today = timezone.localdate()
    parts = parse_identifier(licence.identifier)
    assert is_valid(licence.identifier)
    assert parts.type_code == person_type.type_code and parts.issuer_code == organ.credit_code
    assert parts.serial == f"{today.year}0000001" and parts.version == "001" and licence.version == 1
    assert licence.holder_code_shown == "3415**********1235"
    assert b"341502199003071235" not in bytes(licence.holder_code_cipher)
    assert licence.reveal_holder_code() == "341502199003071235"
    assert licence.valid_from == today
    assert licence.valid_until == services._add_years(today, 3) - dt.timedelta(days=1)
    assert licence.face == {"category": "餐饮服务", "qualified_on": "2024-05-06", "score": 92,
                            "address": "六安市金安区梅山路1号"}
    assert licence.events.get().kind == LicenceEvent.Kind.ISSUED
    event = AuditEvent.objects.get(action="licenses.licence.issued")
    assert event.after["identifier"] == licence.identifier and "341502199003071235" not in str(event.after)
    message = Message.objects.get(recipient=licence.holder_user, kind="licenses.licence.issued")
    assert licence.identifier in message.body_zh


def test_serials_count_per_issuer_and_type(person_type, company_type, organ, other_organ, company, applicant):
    first = services.licence_issue(actor=None, licence_type=company_type, issuer=organ, holder_name=company.name,
                                   holder_code=company.credit_code, face=dict(COMPANY_FACE))
    second = services.licence_issue(actor=None, licence_type=company_type, issuer=organ, holder_name=company.name,
                                    holder_code=company.credit_code, face=dict(COMPANY_FACE))
    elsewhere = services.licence_issue(actor=None, licence_type=company_type, issuer=other_organ,
                                       holder_name=company.name, holder_code=company.credit_code,
                                       face=dict(COMPANY_FACE))
    assert [first.serial[-7:], second.serial[-7:], elsewhere.serial[-7:]] == ["0000001", "0000002", "0000001"]
    assert first.holder_code_shown == company.credit_code and first.holder_code_cipher is None


def test_issue_lists_every_problem_at_once_issues_nothing_and_audits_the_attempt(person_type, organ):
    with pytest.raises(DomainError) as exc:
        services.licence_issue(actor=None, licence_type=person_type, issuer=organ, holder_name=" ",
                               holder_code="341502199003071236",
                               face={"qualified_on": "2024-13-01", "score": "many", "colour": "red"})
    assert codes(exc) == ["licenses.holder.name", "licenses.holder.code", "licenses.face.unknown",
                          "licenses.face.required", "licenses.face.type", "licenses.face.type"]
    assert [p.field for p in exc.value.problems][2:] == ["face.colour", "face.category", "face.qualified_on",
                                                         "face.score"]
    assert not Licence.objects.exists()
    refused = AuditEvent.objects.get(action="licenses.licence.issue_refused")
    assert "licenses.face.required" in refused.after["problems"]


def test_a_type_without_a_template_issues_nothing(person_type, organ):
    LicenceType.objects.filter(pk=person_type.pk).update(template="")
    person_type.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        services.licence_issue(actor=None, licence_type=person_type, issuer=organ, holder_name="张三",
                               holder_code="341502199003071235", face=dict(PERSON_FACE))
    assert codes(exc) == ["licenses.type.no_template"]
    assert not Licence.objects.exists()


def test_the_holder_account_must_be_the_same_person(person_type, organ, applicant_person):
    with pytest.raises(DomainError) as exc:
        services.licence_issue(actor=None, licence_type=person_type, issuer=organ, holder_name="李娜",
                               holder_code="341503199205202420", holder_user=applicant_person.user,
                               face=dict(PERSON_FACE))
    assert codes(exc) == ["licenses.holder.user"]


def test_issuance_goes_to_the_transparency_log_through_the_hook(person_type, organ):
    logged = []

    def fake(kind, payload):
        logged.append((kind, payload))
        return 41

    with mock.patch.object(hooks, "log_event", fake):
        licence = services.licence_issue(actor=None, licence_type=person_type, issuer=organ, holder_name="张三",
                                         holder_code="341502199003071235", face=dict(PERSON_FACE))
    assert licence.log_index == 41
    [(kind, payload)] = logged
    assert kind == "licence.issued"
    assert payload["identifier"] == licence.identifier and payload["status"] == "valid"
    assert payload["holder_name"] == "张*" and payload["holder_code"] == "3415**********1235"
    # the face is committed with the licence's own random key: a guessed face cannot be confirmed from the
    # log without it, while the holder (who has it) can show what the face said
    import hashlib
    import hmac
    import json

    canonical = json.dumps(licence.face, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    assert len(licence.face_salt) == 32
    assert payload["face_commitment"] == hmac.new(bytes.fromhex(licence.face_salt), canonical, "sm3").hexdigest()
    assert payload["face_commitment"] != hashlib.new("sm3", canonical).hexdigest()
    assert "face_sm3" not in payload and licence.face_salt not in str(payload)
    assert "341502199003071235" not in str(payload)


def test_issuance_and_revocation_are_entries_of_the_real_transparency_log(person_type, organ):
    from govhall.translog import selectors as log

    before = log.tree_size()
    licence = services.licence_issue(actor=None, licence_type=person_type, issuer=organ, holder_name="张三",
                                     holder_code="341502199003071235", face=dict(PERSON_FACE))
    services.licence_revoke(actor=None, licence=licence, reason="注销")
    assert log.tree_size() == before + 2
    assert licence.log_index == before
    issued, revoked = (json.loads(log.entry(i).data) for i in (before, before + 1))
    assert (issued["kind"], revoked["kind"]) == ("licence.issued", "licence.revoked")
    assert issued["payload"]["identifier"] == revoked["payload"]["identifier"] == licence.identifier
    assert "341502199003071235" not in log.entry(before).data


@pytest.mark.django_db(transaction=True)
def test_serials_are_unique_under_concurrency(person_type, organ):
    errors, count = [], 6

    def issue():
        try:
            services.licence_issue(actor=None, licence_type=person_type, issuer=organ, holder_name="张三",
                                   holder_code="341502199003071235", face=dict(PERSON_FACE))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    serials = sorted(Licence.objects.values_list("serial", flat=True))
    assert [s[-7:] for s in serials] == [f"{i:07d}" for i in range(1, count + 1)]


# --- life cycle ----------------------------------------------------------------------------------


def test_suspend_reinstate_revoke_and_the_refusals(person_licence):
    licence = person_licence
    services.licence_suspend(actor=None, licence=licence, reason="核查中")
    with pytest.raises(DomainError) as exc:
        services.licence_suspend(actor=None, licence=licence, reason="again")
    assert codes(exc) == ["licenses.licence.state"]
    services.licence_reinstate(actor=None, licence=licence, reason="核查完毕")
    with pytest.raises(DomainError) as exc:
        services.licence_revoke(actor=None, licence=licence, reason="  ")
    assert codes(exc) == ["licenses.reason.required"]
    services.licence_revoke(actor=None, licence=licence, reason="以欺骗手段取得")
    licence.refresh_from_db()
    assert licence.status == "revoked"
    with pytest.raises(DomainError) as exc:
        services.licence_revoke(actor=None, licence=licence, reason="twice")
    assert codes(exc) == ["licenses.licence.state"]
    with pytest.raises(DomainError) as exc:
        services.licence_reinstate(actor=None, licence=licence, reason="undo")
    assert codes(exc) == ["licenses.licence.state"]
    assert list(licence.events.values_list("kind", flat=True)) == ["issued", "suspended", "reinstated", "revoked"]
    actions = list(AuditEvent.objects.filter(action__startswith="licenses.licence.").values_list("action", flat=True))
    assert actions == ["licenses.licence.issued", "licenses.licence.suspended", "licenses.licence.reinstated",
                       "licenses.licence.revoked"]
    kinds = set(Message.objects.filter(recipient=licence.holder_user).values_list("kind", flat=True))
    assert {"licenses.licence.suspended", "licenses.licence.reinstated", "licenses.licence.revoked"} <= kinds


def test_every_status_change_is_logged(person_licence):
    with mock.patch.object(hooks, "log_event", return_value=7) as log:
        services.licence_suspend(actor=None, licence=person_licence, reason="核查中")
        services.licence_revoke(actor=None, licence=person_licence, reason="注销")
    assert [c.args[0] for c in log.call_args_list] == ["licence.suspended", "licence.revoked"]
    assert [c.args[1]["status"] for c in log.call_args_list] == ["suspended", "revoked"]
    assert person_licence.events.filter(log_index=7).count() == 2


def test_replace_issues_the_next_version_and_validates_the_new_face(person_licence):
    with pytest.raises(DomainError) as exc:
        services.licence_replace(actor=None, licence=person_licence, face_changes={"qualified_on": "soon"},
                                 reason="变更")
    assert codes(exc) == ["licenses.face.type"]
    new = services.licence_replace(actor=None, licence=person_licence, face_changes={"address": "合肥市"},
                                   reason="住址变更")
    old = Licence.objects.get(pk=person_licence.pk)
    assert old.status == "replaced" and old.replaced_by == new
    assert new.version == 2 and new.serial == old.serial and new.identifier.endswith(".002." + new.identifier[-1])
    assert is_valid(new.identifier) and new.face["address"] == "合肥市" and new.face["category"] == "餐饮服务"
    assert new.holder_code_shown == old.holder_code_shown and new.reveal_holder_code() == "341502199003071235"
    with pytest.raises(DomainError):
        services.licence_replace(actor=None, licence=old, face_changes={}, reason="again")


def test_expire_due_expires_only_what_has_ended(person_licence, company_licence):
    end = person_licence.valid_until
    assert services.expire_due(end) == 0
    assert services.expire_due(end + dt.timedelta(days=1)) == 1
    person_licence.refresh_from_db()
    assert person_licence.status == "expired"
    assert services.expire_due(end + dt.timedelta(days=1)) == 0
    with pytest.raises(DomainError):
        services.licence_reinstate(actor=None, licence=person_licence, reason="x")


# --- share links ---------------------------------------------------------------------------------


def test_share_links_are_for_the_holder_with_known_fields_and_sane_hours(person_licence, stranger):
    holder = person_licence.holder_user
    with pytest.raises(NotFound):
        services.share_link_create(actor=stranger, licence=person_licence, fields=["category"], hours=1)
    with pytest.raises(DomainError) as exc:
        services.share_link_create(actor=holder, licence=person_licence, fields=["category", "salary"], hours=0)
    assert codes(exc) == ["licenses.share.field", "licenses.share.hours"]
    link = services.share_link_create(actor=holder, licence=person_licence, fields=["score", "category"], hours=2)
    assert link.fields == ["category", "score"] and len(link.token) >= 32
    assert link.expires_at - link.created_at == dt.timedelta(hours=2)
    with pytest.raises(NotFound):
        services.share_link_revoke(actor=stranger, link=link)
    services.share_link_revoke(actor=holder, link=link)
    services.share_link_revoke(actor=holder, link=link)
    assert AuditEvent.objects.filter(action="licenses.share_link.revoked").count() == 1


def test_revoking_the_licence_ends_its_share_links(person_licence):
    link = services.share_link_create(actor=person_licence.holder_user, licence=person_licence,
                                      fields=["category"], hours=5)
    services.licence_revoke(actor=None, licence=person_licence, reason="注销")
    link.refresh_from_db()
    assert link.revoked


