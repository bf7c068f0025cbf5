"""Who may manage seals (crypto/policy.py), checked in the services themselves: every rule is tried
by calling the service directly as an actor who may not, and the service refuses. The seal registry
reads through ``Seal.objects.for_actor``: another organ's seal is not found."""

from __future__ import annotations

import pytest

from govhall.catalog import testing
from govhall.core.actors import SYSTEM
from govhall.core.errors import DomainError, NotFound
from govhall.core.models import AuditEvent
from govhall.crypto import policy, seals
from govhall.crypto.models import Seal, SealAuthorisation
from govhall.identity.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(organ):
    """A reviewer of the seal's organ: may be authorised to use its seals, may not manage them."""
    return testing.make_staff("organ_reviewer", Role.REVIEWER, organ=organ)


@pytest.fixture
def seal(organ, security_admin):
    return seals.seal_create(actor=security_admin, organ=organ, name="六安市市场监督管理局行政审批专用章", days=30)


def test_a_security_admin_of_the_organ_manages_its_seals(seal, security_admin, staff):
    assert policy.can_manage_seal(security_admin, seal)
    assert policy.can_authorise_seal_user(security_admin, seal, staff)
    seals.seal_authorise(actor=security_admin, seal=seal, user=staff)
    seals.seal_unauthorise(actor=security_admin, seal=seal, user=staff)
    seals.seal_revoke(actor=security_admin, seal=seal)
    assert Seal.objects.get(pk=seal.pk).state == Seal.State.REVOKED


def test_another_organs_security_admin_cannot_authorise_a_user(seal, other_security_admin, staff):
    assert not policy.can_authorise_seal_user(other_security_admin, seal, staff)
    with pytest.raises(NotFound):
        seals.seal_authorise(actor=other_security_admin, seal=seal, user=staff)
    assert not SealAuthorisation.objects.exists()
    assert not AuditEvent.objects.filter(action="crypto.seal.authorised").exists()


def test_staff_without_the_security_role_cannot_authorise_even_themselves(seal, staff):
    assert not policy.can_authorise_seal_user(staff, seal, staff)
    with pytest.raises(NotFound):
        seals.seal_authorise(actor=staff, seal=seal, user=staff)
    assert not SealAuthorisation.objects.exists()


def test_only_staff_of_the_seals_organ_can_be_authorised(seal, security_admin, other_organ):
    outsider = testing.make_staff("hefei_reviewer", Role.REVIEWER, organ=other_organ)
    assert policy.can_manage_seal(security_admin, seal)
    assert not policy.can_authorise_seal_user(security_admin, seal, outsider)
    with pytest.raises(DomainError) as exc:
        seals.seal_authorise(actor=security_admin, seal=seal, user=outsider)
    assert exc.value.problems[0].code == "crypto.seal.user"
    assert not SealAuthorisation.objects.exists()


def test_the_system_authorises_its_own_service_accounts(seal, applicant):
    assert policy.can_authorise_seal_user(SYSTEM, seal, applicant)
    seals.seal_authorise(actor=SYSTEM, seal=seal, user=applicant)
    event = AuditEvent.objects.get(action="crypto.seal.authorised")
    assert event.actor_id is None and event.actor_label == "system"


def test_another_organs_security_admin_cannot_end_an_authorisation_or_revoke(seal, security_admin,
                                                                              other_security_admin, staff):
    seals.seal_authorise(actor=security_admin, seal=seal, user=staff)
    with pytest.raises(NotFound):
        seals.seal_unauthorise(actor=other_security_admin, seal=seal, user=staff)
    with pytest.raises(NotFound):
        seals.seal_revoke(actor=other_security_admin, seal=seal)
    assert Seal.objects.get(pk=seal.pk).state == Seal.State.ACTIVE
    assert SealAuthorisation.objects.get(seal=seal, user=staff).revoked_at is None


def test_a_seal_cannot_be_made_for_an_organ_outside_the_scope(other_organ, security_admin, staff):
    for actor in (security_admin, staff):
        with pytest.raises(NotFound):
            seals.seal_create(actor=actor, organ=other_organ, name="合肥市市场监督管理局专用章", days=30)
    assert not Seal.objects.exists()


def test_the_registry_reads_only_the_actors_seals(seal, security_admin, other_security_admin, staff, applicant):
    assert list(Seal.objects.for_actor(security_admin)) == [seal]
    assert list(Seal.objects.for_actor(SYSTEM)) == [seal]
    for outsider in (other_security_admin, staff, applicant):
        assert not Seal.objects.for_actor(outsider).exists()
