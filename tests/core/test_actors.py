"""The typed system actor (core/actors.py) and the registered permission source (core/permissions.py)."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import transaction

from govhall.core import audit, permissions
from govhall.core.actors import SYSTEM, is_system


def test_the_system_actor_is_typed_frozen_and_holds_no_permission():
    assert is_system(SYSTEM) and SYSTEM.is_system and SYSTEM.pk is None
    assert not SYSTEM.is_authenticated and str(SYSTEM) == "system"
    with pytest.raises(dataclasses.FrozenInstanceError):
        SYSTEM.is_system = False
    assert not permissions.has_permission(SYSTEM, permissions.AUTHENTICATED)
    assert is_system(None)  # callers not yet moved to SYSTEM


@pytest.mark.django_db
def test_audit_records_the_system_actor_as_system(applicant):
    with transaction.atomic():
        typed = audit.record(actor=SYSTEM, action="core.test.system", target_type="x", target_id="1")
        legacy = audit.record(actor=None, action="core.test.none", target_type="x", target_id="2")
        person = audit.record(actor=applicant, action="core.test.user", target_type="x", target_id="3")
    assert (typed.actor_id, typed.actor_label) == (None, "system")
    assert (legacy.actor_id, legacy.actor_label) == (None, "system")
    assert (person.actor_id, person.actor_label) == (applicant.pk, applicant.get_username())
    assert audit.verify().ok


@pytest.mark.django_db
def test_permissions_come_from_the_registered_source_and_deny_without_one(catalog_admin, monkeypatch):
    assert permissions.has_permission(catalog_admin, "catalog.item.edit")  # identity registered its roles
    monkeypatch.setattr(permissions, "_grants_of", permissions._no_grants)
    assert not permissions.has_permission(catalog_admin, "catalog.item.edit")
    assert permissions.has_permission(catalog_admin, permissions.AUTHENTICATED)
