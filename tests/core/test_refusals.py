"""One way to keep a refusal's record although the refused transaction rolls back (core/refusals.py)."""

import pytest
from django.db import transaction

from govhall.core import audit, refusals
from govhall.core.errors import DomainError, Problem
from govhall.core.models import AuditEvent

pytestmark = pytest.mark.django_db
PROBLEM = Problem("test.refused", "不可以", "not allowed", "")


def _record(action):
    return lambda: audit.record(actor=None, action=action, target_type="test", target_id="1")


@refusals.keeping
@transaction.atomic
def service(*, action="test.refused"):
    audit.record(actor=None, action="test.changed", target_type="test", target_id="1")  # rolled back
    refusals.refuse([PROBLEM], record=_record(action))


def actions():
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def test_the_refusal_is_kept_and_the_change_rolled_back():
    with pytest.raises(DomainError) as exc:
        service()
    assert exc.value.problems == [PROBLEM]
    assert actions() == ["test.refused"]
    assert audit.verify().ok  # the chain holds: the rolled back event left no gap


@pytest.mark.django_db(transaction=True)
def test_outside_any_transaction_the_record_commits_on_its_own():
    with pytest.raises(DomainError):
        service()
    assert actions() == ["test.refused"]


def test_nested_keepers_write_the_record_once():
    outer = refusals.keeping(transaction.atomic(lambda: service()))
    with pytest.raises(DomainError):
        outer()
    assert actions() == ["test.refused"]


def test_a_refusal_without_a_keeper_writes_its_record_at_once():
    with pytest.raises(DomainError):
        refusals.refuse([PROBLEM], record=_record("test.checked_first"))
    assert actions() == ["test.checked_first"]


def test_other_errors_pass_through_and_keep_nothing():
    @refusals.keeping
    @transaction.atomic
    def broken():
        audit.record(actor=None, action="test.changed", target_type="test", target_id="1")
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        broken()
    assert actions() == []
