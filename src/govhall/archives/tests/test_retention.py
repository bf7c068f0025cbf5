"""Retention periods per item type, disposal lists (archivist proposes, approver approves, audited
destruction record), legal holds that block disposal, and the organ scope of every action."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.archives import services
from govhall.archives.models import ArchivePackage, DisposalList
from govhall.catalog import testing
from govhall.core.errors import DomainError, NotFound
from govhall.core.models import AuditEvent
from govhall.identity.roles import Role

pytestmark = pytest.mark.django_db


def test_retention_rules_and_the_permanent_default(refused, archivist):
    package = ArchivePackage.objects.get(case_number=refused.number)
    assert package.retention_period == "permanent" and package.retain_until is None  # no rule: kept
    rule = services.retention_set(actor=archivist, item_type=package.item_type, period="10y", note="test")
    assert rule.period == "10y"
    rebuilt = services.package_build(actor=archivist, case=refused, reason="retention rule set")
    assert rebuilt.retention_period == "10y"
    assert rebuilt.retain_until == rebuilt.closed_at.astimezone().date().replace(year=rebuilt.closed_at.year + 10)
    with pytest.raises(DomainError) as exc:
        services.retention_set(actor=archivist, item_type="99", period="5y")
    assert {p.code for p in exc.value.problems} == {"archives.retention.item_type", "archives.retention.period"}


def test_disposal_needs_an_approver_and_respects_legal_hold(refused, archivist, approver, organ, clock_start,
                                                            media):
    package = ArchivePackage.objects.get(case_number=refused.number)
    with pytest.raises(DomainError) as exc:  # permanent: never due
        services.disposal_propose(actor=archivist, organ=organ, packages=[package], reason="到期")
    assert exc.value.problems[0].code == "archives.disposal.not_due"
    ArchivePackage.objects.filter(pk=package.pk).update(retention_period="10y", retain_until=dt.date(2026, 5, 1))
    package.refresh_from_db()
    services.legal_hold_set(actor=archivist, package=package, hold=True, reason="诉讼中")
    package.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        services.disposal_propose(actor=archivist, organ=organ, packages=[package], reason="到期")
    assert exc.value.problems[0].code == "archives.disposal.legal_hold"
    services.legal_hold_set(actor=archivist, package=package, hold=False, reason="诉讼终结")
    package.refresh_from_db()
    disposal = services.disposal_propose(actor=archivist, organ=organ, packages=[package], reason="保管期满")
    with pytest.raises(DomainError):  # the archivist cannot approve
        services.disposal_decide(actor=archivist, disposal=disposal, approve=True)
    # a hold set after the proposal blocks the approval
    services.legal_hold_set(actor=archivist, package=package, hold=True, reason="新的诉讼")
    with pytest.raises(DomainError):
        services.disposal_decide(actor=approver, disposal=disposal, approve=True)
    services.legal_hold_set(actor=archivist, package=package, hold=False, reason="诉讼终结")
    disposal = services.disposal_decide(actor=approver, disposal=disposal, approve=True, note="同意")
    path = services.storage.primary().path(package.storage_name)
    disposal = services.disposal_execute(actor=archivist, disposal=disposal)
    package.refresh_from_db()
    assert disposal.state == DisposalList.State.EXECUTED and package.state == "disposed"
    import os

    assert not os.path.exists(path)
    assert disposal.record["destroyed"][0]["sm3"] == package.sm3 and disposal.record["approved_by"] == "approver"
    assert package.events.filter(event_type="deletion").exists()
    for action in ("archives.disposal.proposed", "archives.disposal.approved", "archives.package.destroyed",
                   "archives.disposal.executed"):
        assert AuditEvent.objects.filter(action=action).exists(), action
    with pytest.raises(DomainError):
        services.export(package=package, directory=media / "x")


def test_other_organs_staff_see_nothing(refused, other_organ):
    stranger = testing.make_staff("hefei_archivist", Role.ARCHIVIST, other_organ)
    package = ArchivePackage.objects.get(case_number=refused.number)
    with pytest.raises(NotFound):
        services.legal_hold_set(actor=stranger, package=package, hold=True, reason="x")
    with pytest.raises(NotFound):
        services.package_build(actor=stranger, case=refused)
    from govhall.archives import selectors

    assert not selectors.search(stranger).exists()
    with pytest.raises(NotFound):
        selectors.access_package(stranger, refused.number)
