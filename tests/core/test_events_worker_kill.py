"""A worker killed in the middle of an event loses nothing and doubles nothing.

A real second process (a worker-style task runner: Django set up as the worker is, running the
``deliver_event`` task's body against this test's database, SQLite file or PostgreSQL) takes the
delivery, writes the subscriber's consequence and sleeps before it can finish. It is killed with
SIGKILL. The delivery is still pending (the consequence and the "done" mark were one transaction,
which died with the process); the periodic sweep hands it to a worker again, which does it once;
further sweeps and drains change nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from django.db import connection, transaction
from django.utils import timezone

from govhall.core import events, tasks
from govhall.core.models import DomainEvent, EventDelivery

NAME = "test.worker_kill.consequence"

CHILD = textwrap.dedent('''
    import os, sys, time
    os.environ["DJANGO_SETTINGS_MODULE"] = "govhall.settings.test"
    import django
    django.setup()
    from django.utils import timezone
    from govhall.core import events
    from govhall.core.models import DomainEvent

    @events.subscriber("test.worker_kill", on=["test.worker_kill.happened"])
    def slow(event):
        DomainEvent.objects.create(name="NAME", payload={"of": event.id}, occurred_at=timezone.now())
        print("consequence written, not committed", flush=True)
        time.sleep(120)  # killed here

    print("worker:", events.deliver(int(sys.argv[1])), flush=True)
''').replace('"NAME"', repr(NAME))


@events.subscriber("test.worker_kill", on=["test.worker_kill.happened"])
def _consequence(event):
    if not DomainEvent.objects.filter(name=NAME, payload__of=event.id).exists():  # idempotent
        DomainEvent.objects.create(name=NAME, payload={"of": event.id}, occurred_at=timezone.now())


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_event_loses_nothing_and_doubles_nothing(monkeypatch):
    queued = []
    with monkeypatch.context() as m:  # the task waits in the queue for the worker (here: the child)
        m.setattr(events, "_enqueue", queued.extend)
        with transaction.atomic():
            event = events.record("test.worker_kill.happened", {"case_id": 1})
    delivery = EventDelivery.objects.get(event=event, subscriber="test.worker_kill")
    assert queued == [delivery.pk]

    env = {**os.environ, "DATABASE_URL": _database_url()}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(delivery.pk)], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()  # the child is inside the subscriber, its transaction open
        assert line.startswith("consequence written"), line + child.stderr.read()
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("pending", 0)  # nothing of the dead attempt was kept
    assert not DomainEvent.objects.filter(name=NAME).exists()

    # the periodic sweep, once the grace period has passed, hands it to a worker again
    EventDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - dt.timedelta(minutes=2))
    assert tasks.sweep_event_deliveries() == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("done", 1)
    assert DomainEvent.objects.filter(name=NAME, payload__of=event.pk).count() == 1

    # sweeping and draining again, or a late duplicate task, changes nothing
    assert tasks.sweep_event_deliveries() == 0
    assert events.drain() == 0
    assert events.deliver(delivery.pk) == "skipped"
    assert DomainEvent.objects.filter(name=NAME).count() == 1
