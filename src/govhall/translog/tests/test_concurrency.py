"""Appends from two threads (two database connections, real transactions) queue on the head row
and produce one consistent tree: no index twice, no lost subtree, the root of all the leaves."""

import threading

import pytest
from django.db import connection, transaction

from govhall.translog import selectors, services
from govhall.translog.models import LogEntry, LogNode

from .naive import MTH, PROOF

PER_THREAD = 25


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_produce_one_consistent_tree():
    errors = []
    start = threading.Barrier(2)

    def worker(name):
        try:
            start.wait()
            for i in range(PER_THREAD):
                with transaction.atomic():
                    services.append(kind="licenses.issued", payload={"thread": name, "n": i})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    total = 2 * PER_THREAD
    assert sorted(LogEntry.objects.values_list("index", flat=True)) == list(range(total))
    data = [e.leaf_data for e in LogEntry.objects.order_by("index")]
    assert {e.payload["thread"] for e in LogEntry.objects.all()} == {"a", "b"}
    assert LogNode.objects.count() == 2 * total - bin(total).count("1")  # every perfect subtree, once
    assert selectors.root_at(total) == MTH(data)
    assert selectors.check_log().ok
    for old in (1, 7, 32, 49):
        assert selectors.consistency_proof(old, total) == PROOF(old, data)
