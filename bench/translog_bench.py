"""Transparency-log benchmark: inclusion-proof cost at 10^3, 10^5 and 10^6 entries, and appends/s.

Usage:  .venv/bin/python bench/translog_bench.py [--db sqlite|postgres] [--sizes 1000,100000,1000000]
                                                 [--proofs 1000] [--appends 500]

Method: the log lives in the benchmark's own database (var/translog-bench/ or PostgreSQL database
``govhall_bench_translog``), emptied first. It is grown to each size in turn with the same rows
``services.append`` writes (canonical leaf JSON, leaf hash, every completed perfect subtree, head),
computed in Python with ``merkle.frontier_append`` and inserted with ``bulk_create`` in batches (one
append per leaf would take hours at 10^6). At each size: ``selectors.inclusion_proof(i, N)`` for
``--proofs`` random indexes (seeded), timed one by one (wall clock, includes the query), with the
number of stored nodes each proof read and the number of SQL queries; every proof is verified against
the root. Then ``selectors.consistency_proof`` for random old sizes. At the largest size, ``--appends``
real ``services.append`` calls, each in its own transaction (as the licence app calls it).
Results to stdout and bench/results/translog-<date>-<db>.json. Not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from common import setup_django, summarise  # noqa: E402


def grow(target: int, state: dict, batch: int = 20_000) -> float:
    """Extend the log to ``target`` leaves with bulk inserts; returns the seconds it took."""
    from django.db import transaction
    from django.utils import timezone

    from govhall.translog import merkle, services
    from govhall.translog.models import LogEntry, LogHead, LogNode, node_key

    start = time.perf_counter()
    frontier, size = state["frontier"], state["size"]
    now = timezone.now()
    while size < target:
        entries, nodes = [], []
        for index in range(size, min(target, size + batch)):
            payload = {"identifier": f"1.2.156.3005.2.11340000MB0000000X001.11340000MB0000000X.{index:08d}.01.K",
                       "status": "valid", "holder": f"持证人{index}", "event": "issued"}
            data = services.leaf_data(kind="licenses.issued", payload=payload, logged_at=now)
            leaf = services.HASHER.leaf(data)
            frontier, completed = merkle.frontier_append(frontier, index, leaf, services.HASHER)
            entries.append(LogEntry(index=index, kind="licenses.issued", data=data.decode(), leaf_hash=leaf,
                                    created_at=now))
            nodes += [LogNode(key=node_key(level, i), level=level, index=i, hash=h) for level, i, h in completed]
        size += len(entries)
        with transaction.atomic():
            LogEntry.objects.bulk_create(entries, batch_size=2000)
            LogNode.objects.bulk_create(nodes, batch_size=2000)
            LogHead.objects.update_or_create(pk=1, defaults={
                "size": size, "frontier": b"".join(frontier), "root": merkle.frontier_root(frontier, services.HASHER),
                "updated_at": now})
    state["frontier"], state["size"] = frontier, size
    return time.perf_counter() - start


def measure_proofs(n: int, count: int, rng: random.Random) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from govhall.translog import merkle, selectors
    from govhall.translog.models import LogEntry

    root = selectors.root_at(n)
    indexes = [rng.randrange(n) for _ in range(count)]
    leaves = dict(LogEntry.objects.filter(index__in=indexes).values_list("index", "leaf_hash"))
    times, nodes_read, queries, path_lengths = [], [], [], []
    for i in indexes:
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            path = selectors.inclusion_proof(i, n)
            times.append(time.perf_counter() - t0)
        queries.append(len(ctx.captured_queries))
        nodes_read.append(len(merkle.nodes_for(merkle.inclusion_ranges(i, n))))
        path_lengths.append(len(path))
        assert selectors.verify_inclusion(leaf_hash=bytes(leaves[i]), index=i, tree_size=n, path=path, root=root)
    olds = [rng.randrange(1, n) for _ in range(max(1, count // 5))]
    ctimes, cnodes = [], []
    for m in olds:
        t0 = time.perf_counter()
        proof = selectors.consistency_proof(m, n)
        ctimes.append(time.perf_counter() - t0)
        cnodes.append(len(merkle.nodes_for(merkle.consistency_ranges(m, n))))
        assert selectors.verify_consistency(first_size=m, second_size=n, proof=proof,
                                            first_root=selectors.root_at(m), second_root=root)
    return {
        "entries": n, "log2_n": round(math.log2(n), 2),
        "inclusion": {**summarise(times), "nodes_read_mean": round(sum(nodes_read) / len(nodes_read), 2),
                      "nodes_read_max": max(nodes_read), "path_length_max": max(path_lengths),
                      "sql_queries_per_proof": max(queries)},
        "consistency": {**summarise(ctimes), "nodes_read_mean": round(sum(cnodes) / len(cnodes), 2),
                        "nodes_read_max": max(cnodes)},
    }


def measure_appends(count: int) -> dict:
    from django.db import transaction

    from govhall.translog import services

    start = time.perf_counter()
    samples = []
    for i in range(count):
        t0 = time.perf_counter()
        with transaction.atomic():
            services.append(kind="licenses.status_changed", payload={"n": i, "status": "suspended"})
        samples.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - start
    return {"appends": count, "per_s": round(count / elapsed, 1), **summarise(samples)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--proofs", type=int, default=1000)
    parser.add_argument("--appends", type=int, default=500)
    args = parser.parse_args()
    (ROOT / "var" / "translog-bench").mkdir(parents=True, exist_ok=True)
    setup_django(args.db, "translog-bench", "govhall_bench_translog")

    from django.core.management import call_command

    from govhall.translog.models import LogEntry, LogHead, LogNode, SignedTreeHead

    call_command("migrate", verbosity=0)
    for model in (LogEntry, LogNode, LogHead, SignedTreeHead):
        model.objects.all().delete()
    rng = random.Random(9162)
    state = {"frontier": [], "size": 0}
    results = []
    for n in [int(s) for s in args.sizes.split(",")]:
        build_s = grow(n, state)
        row = measure_proofs(n, args.proofs, rng)
        row["build_s"] = round(build_s, 1)
        results.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    appends = measure_appends(args.appends)
    print(json.dumps(appends), flush=True)
    out = {
        "date": dt.date.today().isoformat(), "db": args.db, "machine": platform.machine(),
        "cpus": os.cpu_count(), "load_avg": os.getloadavg(), "python": platform.python_version(),
        "proofs": results, "append_at_size": state["size"], "append": appends,
    }
    path = ROOT / "bench" / "results" / f"translog-{out['date']}-{args.db}.json"
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(f"written {path}")


if __name__ == "__main__":
    main()
