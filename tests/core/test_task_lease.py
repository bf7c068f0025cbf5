"""A task left RUNNING by a task worker that died (kill -9, lost database connection) is queued again and
runs once; the tasks of live workers, and of workers that keep dying on the same task, are not."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from govhall.core import task_lease
from govhall.core.models import TaskWorker

RAN: list[str] = []


@task()
def remember(label: str) -> str:
    RAN.append(label)
    return label


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    RAN.clear()
    yield
    RAN.clear()


def claimed_by(*worker_ids: str, label: str = "job") -> DBTaskResult:
    row = DBTaskResult.objects.get(pk=remember.enqueue(label).id)
    for worker_id in worker_ids:
        row.claim(worker_id)
    return row


def last_beat(worker_id: str, seconds_ago: float) -> None:
    now = timezone.now()
    TaskWorker.objects.create(worker_id=worker_id, host="node-1", pid=4242, started_at=now - dt.timedelta(hours=1),
                              seen_at=now - dt.timedelta(seconds=seconds_ago))


def run_worker(worker_id: str) -> None:
    call_command("worker", "--batch", "--no-startup-delay", "--worker-id", worker_id, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_task_left_running_by_a_dead_worker_runs_again_once(db_tasks, settings):
    row = claimed_by("killed-worker")
    last_beat("killed-worker", seconds_ago=2 * settings.GOVHALL_TASK_LEASE)

    run_worker("new-worker")  # a worker starting takes the dead worker's task over

    row.refresh_from_db()
    assert RAN == ["job"]
    assert (row.status, row.return_value, row.worker_ids) == ("SUCCESSFUL", "job", ["killed-worker", "new-worker"])
    # the dead worker is forgotten; the new one stopped cleanly and removed its own row
    assert not TaskWorker.objects.exists()

    run_worker("third-worker")
    assert RAN == ["job"]


@pytest.mark.django_db
def test_tasks_of_a_live_worker_and_of_a_worker_without_heartbeat_are_left_alone(db_tasks, settings):
    busy = claimed_by("busy-worker", label="long")
    last_beat("busy-worker", seconds_ago=settings.GOVHALL_TASK_LEASE - 5)
    plain = claimed_by("plain-db-worker", label="other")  # a plain db_worker: nothing says it died

    assert task_lease.recover() == {"requeued": [], "failed": []}
    busy.refresh_from_db()
    plain.refresh_from_db()
    assert (busy.status, plain.status) == ("RUNNING", "RUNNING")
    assert TaskWorker.objects.filter(worker_id="busy-worker").exists()


@pytest.mark.django_db
def test_a_dead_workers_task_goes_back_to_the_queue(db_tasks, settings):
    row = claimed_by("killed-worker")
    last_beat("killed-worker", seconds_ago=settings.GOVHALL_TASK_LEASE + 1)

    assert task_lease.recover() == {"requeued": [str(row.pk)], "failed": []}
    assert DBTaskResult.objects.ready().filter(pk=row.pk).exists()
    assert task_lease.recover() == {"requeued": [], "failed": []}


@pytest.mark.django_db
def test_a_task_its_workers_keep_dying_on_is_failed_instead_of_queued_for_ever(db_tasks, settings):
    settings.GOVHALL_TASK_MAX_ATTEMPTS = 3
    row = claimed_by("w1", "w2", "w3")
    last_beat("w3", seconds_ago=2 * settings.GOVHALL_TASK_LEASE)

    assert task_lease.recover() == {"requeued": [], "failed": [str(row.pk)]}
    row.refresh_from_db()
    assert row.status == "FAILED" and row.finished_at is not None
    assert row.exception_class_path == task_lease.LOST and "3 attempts" in row.traceback
    assert not DBTaskResult.objects.ready().exists()
