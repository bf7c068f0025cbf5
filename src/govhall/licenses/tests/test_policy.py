"""Who may change a licence's life cycle and define licence types (licenses/policy.py), checked in
the services themselves: each rule is tried by calling the service directly as an actor who may
not, and the service refuses (NotFound: another organ's licence does not exist for them). The
services read licences through ``Licence.objects.for_actor``."""

from __future__ import annotations

import pytest

from govhall.catalog import testing
from govhall.core.actors import SYSTEM
from govhall.core.errors import NotFound
from govhall.core.models import AuditEvent
from govhall.identity.roles import Role
from govhall.licenses import policy, services
from govhall.licenses.models import Licence, LicenceStatus

from .conftest import PERSON_SCHEMA

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver(organ):
    return testing.make_staff("organ_approver", Role.APPROVER, organ=organ)


@pytest.fixture
def other_approver(other_organ):
    return testing.make_staff("hefei_approver", Role.APPROVER, organ=other_organ)


@pytest.fixture
def window_officer(organ):
    return testing.make_staff("organ_window", Role.WINDOW_OFFICER, organ=organ)


def _unchanged(licence):
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.VALID
    assert not AuditEvent.objects.filter(action__in=["licenses.licence.suspended", "licenses.licence.revoked",
                                                     "licenses.licence.replaced"]).exists()


def test_an_approver_of_the_issuing_organ_manages_the_life_cycle(person_licence, approver):
    assert policy.can_suspend_licence(approver, person_licence) and policy.can_revoke_licence(approver, person_licence)
    services.licence_suspend(actor=approver, licence=person_licence, reason="核查")
    services.licence_reinstate(actor=approver, licence=person_licence, reason="核查完毕")
    services.licence_revoke(actor=approver, licence=person_licence, reason="注销")
    person_licence.refresh_from_db()
    assert person_licence.status == LicenceStatus.REVOKED


@pytest.mark.parametrize("who", ["other_approver", "window_officer", "applicant"])
def test_suspending_is_refused_to_anyone_else(person_licence, who, request):
    actor = request.getfixturevalue(who)
    assert not policy.can_suspend_licence(actor, person_licence)
    with pytest.raises(NotFound):
        services.licence_suspend(actor=actor, licence=person_licence, reason="核查")
    _unchanged(person_licence)


@pytest.mark.parametrize("who", ["other_approver", "window_officer", "applicant"])
def test_revoking_is_refused_to_anyone_else(person_licence, who, request):
    actor = request.getfixturevalue(who)
    assert not policy.can_revoke_licence(actor, person_licence)
    with pytest.raises(NotFound):
        services.licence_revoke(actor=actor, licence=person_licence, reason="注销")
    _unchanged(person_licence)


def test_reinstating_and_replacing_are_refused_to_another_organ(person_licence, other_approver):
    services.licence_suspend(actor=SYSTEM, licence=person_licence, reason="核查")
    with pytest.raises(NotFound):
        services.licence_reinstate(actor=other_approver, licence=person_licence, reason="恢复")
    with pytest.raises(NotFound):
        services.licence_replace(actor=other_approver, licence=person_licence, face_changes={}, reason="换发")
    person_licence.refresh_from_db()
    assert person_licence.status == LicenceStatus.SUSPENDED


def test_licences_are_read_through_the_actors_scope(person_licence, approver, other_approver, window_officer):
    assert list(Licence.objects.for_actor(approver)) == [person_licence]
    assert list(Licence.objects.for_actor(SYSTEM)) == [person_licence]
    assert not Licence.objects.for_actor(other_approver).exists()
    assert not Licence.objects.for_actor(window_officer).exists()


def test_a_licence_type_is_defined_by_the_organs_catalogue_admin_only(organ, catalog_admin, other_catalog_admin):
    kwargs = {"type_code": organ.credit_code + "009", "name": "测试证", "holder_kind": "person",
              "face_schema": PERSON_SCHEMA, "defining_organ": organ, "template": "licences/person_card"}
    assert not policy.can_define_licence_type(other_catalog_admin, organ)
    with pytest.raises(NotFound):
        services.licence_type_create(actor=other_catalog_admin, **kwargs)
    assert services.licence_type_create(actor=catalog_admin, **kwargs).defining_organ == organ


def test_expiry_runs_as_the_system_and_audits_as_system(person_licence):
    import datetime as dt

    Licence.objects.filter(pk=person_licence.pk).update(valid_until=dt.date(2020, 1, 1), valid_from=dt.date(2019, 1, 1))
    assert services.expire_due(dt.date(2026, 1, 1)) == 1
    event = AuditEvent.objects.get(action="licenses.licence.expired")
    assert event.actor_id is None and event.actor_label == "system"
