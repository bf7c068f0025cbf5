"""Only one scheduler instance runs periodic jobs; a crashed holder's lease expires."""

import datetime as dt

import pytest
from django.utils import timezone

from govhall.core import scheduler
from govhall.core.models import JobRun

LEASE = dt.timedelta(seconds=90)


@pytest.mark.django_db
def test_a_second_instance_cannot_take_a_live_lease_but_takes_an_expired_one():
    now = timezone.now()
    assert scheduler.acquire_lease("a:1", LEASE, now)
    assert not scheduler.acquire_lease("b:2", LEASE, now + dt.timedelta(seconds=30))
    assert scheduler.acquire_lease("a:1", LEASE, now + dt.timedelta(seconds=30))  # renewal
    assert scheduler.acquire_lease("b:2", LEASE, now + dt.timedelta(seconds=200))  # a:1 died


@pytest.mark.django_db
def test_due_jobs_run_once_per_period(monkeypatch):
    calls = []
    monkeypatch.setitem(scheduler.JOBS, "test.job", scheduler.Job("test.job", dt.timedelta(hours=1),
                                                                  lambda: calls.append(1)))
    now = timezone.now()
    assert "test.job" in scheduler.run_due(now)
    assert "test.job" not in scheduler.run_due(now + dt.timedelta(minutes=10))
    assert "test.job" in scheduler.run_due(now + dt.timedelta(hours=2))
    assert len(calls) == 2


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_does_not_stop_the_others(monkeypatch):
    def boom():
        raise RuntimeError("provider down")

    monkeypatch.setattr(scheduler, "JOBS", {"x.fail": scheduler.Job("x.fail", dt.timedelta(hours=1), boom),
                                            "x.ok": scheduler.Job("x.ok", dt.timedelta(hours=1), lambda: None)})
    assert scheduler.run_due() == ["x.fail", "x.ok"]
    assert "provider down" in JobRun.objects.get(name="x.fail").last_error


@pytest.mark.django_db
def test_the_audit_verification_job_runs_through_the_task_backend():
    from govhall.core.tasks import schedule_audit_verification

    result = schedule_audit_verification()
    assert result.return_value["ok"] is True
