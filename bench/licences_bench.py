"""Licence issuance benchmark: licences per second, each one rendered (reportlab, embedded font),
signed (PAdES, pyHanko), sealed (GB/T 38540, SM2) and logged (transparency log), on SQLite or
PostgreSQL; plus the cost of each stage.

Usage:  .venv/bin/python bench/licences_bench.py [--db sqlite|postgres] [--n 200] [--workers 1,2]
                                                  [--stages 50]

Method: a database of its own (var/licences-bench/ or PostgreSQL ``govhall_bench_licences``),
emptied first (SQLite file removed, PostgreSQL database dropped and recreated), migrated, one organ
and one person licence type. Five warm-up issues (the organ's seal, the PAdES keys, the font and
pyHanko imports are made once) are not counted. Then, for each worker count W, ``--n`` calls of
``licenses.services.licence_issue`` (the real service: identifier, PDF, PAdES, SES seal, storage,
``SignedDocument``, log append, audit events, the holder's notification) split over W processes,
each issue its own transaction; throughput = n / wall time from the first start to the last end.
Stage costs: ``--stages`` renders, PAdES signatures and SES seals timed one by one outside any
transaction. Results to stdout and bench/results/licences-<date>-<db>.json. Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import platform
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from common import setup_django, summarise  # noqa: E402

VAR = "licences-bench"
PG_DB = "govhall_bench_licences"
SCHEMA = [{"name": "category", "label_zh": "类别", "label_en": "Category", "type": "text", "required": True,
           "public": True},
          {"name": "qualified_on", "label_zh": "取得资格日期", "label_en": "Qualified on", "type": "date",
           "required": True, "public": True}]
FACE = {"category": "餐饮服务", "qualified_on": "2024-05-06"}


def _fresh(db: str) -> None:
    if db == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
    else:
        shutil.rmtree(ROOT / "var" / VAR, ignore_errors=True)
    (ROOT / "var" / VAR).mkdir(parents=True, exist_ok=True)


def _prepare() -> dict:
    from django.core.management import call_command

    from govhall.catalog import testing
    from govhall.licenses import services

    call_command("migrate", verbosity=0)
    organ = testing.make_organ(testing.region_tree()["city"], name="六安市市场监督管理局")
    kind = services.licence_type_create(actor=None, type_code=organ.credit_code + "001", name="食品安全管理员证",
                                        holder_kind="person", face_schema=SCHEMA, defining_organ=organ,
                                        validity_years=3, template="licences/person_card")
    for _ in range(5):
        _issue(kind, organ)
    return {"organ": organ.pk, "type": kind.pk}


def _issue(kind, organ):
    from govhall.licenses import services

    return services.licence_issue(actor=None, licence_type=kind, issuer=organ, holder_name="张三",
                                  holder_code="341502199003071235", face=dict(FACE))


def _worker(db: str, ids: dict, n: int, start_at: float, out) -> None:
    setup_django(db, VAR, PG_DB)
    from django.db import connection

    from govhall.catalog.models import Organ
    from govhall.licenses.models import LicenceType

    organ, kind = Organ.objects.get(pk=ids["organ"]), LicenceType.objects.get(pk=ids["type"])
    _issue(kind, organ)  # warm-up in this process (imports, font), not counted
    while time.time() < start_at:
        time.sleep(0.001)
    samples, begin = [], time.perf_counter()
    for _ in range(n):
        t = time.perf_counter()
        _issue(kind, organ)
        samples.append(time.perf_counter() - t)
    out.put({"begin": time.time() - (time.perf_counter() - begin), "end": time.time(), "samples": samples})
    connection.close()


def throughput(db: str, ids: dict, n: int, workers: int) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    start_at = time.time() + 8.0  # every worker has set Django up before the clock starts
    share = [n // workers + (1 if i < n % workers else 0) for i in range(workers)]
    procs = [ctx.Process(target=_worker, args=(db, ids, k, start_at, queue)) for k in share]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    wall = max(r["end"] for r in results) - min(r["begin"] for r in results)
    samples = [s for r in results for s in r["samples"]]
    return {"workers": workers, "n": n, "wall_s": round(wall, 2), "licences_per_s": round(n / wall, 1),
            "per_issue": summarise(samples)}


def stages(k: int) -> dict:
    """The cost of each stage, outside any transaction."""
    from govhall.crypto import seals
    from govhall.documents import pades, pdf, services
    from govhall.licenses.models import Licence
    from govhall.licenses.render import content_for

    licence = Licence.objects.select_related("licence_type", "issuer").first()
    seal = services.organ_seal(actor=None, organ=licence.issuer)
    sealer = services.platform_sealer()
    root, signer = pades.keys_ensure()
    times = {"render": [], "pades": [], "ses_seal": []}
    for _ in range(k):
        content = content_for(licence)
        content.seal_png = bytes(seal.picture)
        t = time.perf_counter()
        data = pdf.render(content)
        times["render"].append(time.perf_counter() - t)
        t = time.perf_counter()
        signed = pades.sign_pdf(data, signer=signer, root=root, reason="bench")
        times["pades"].append(time.perf_counter() - t)
        t = time.perf_counter()
        seals.seal_sign(actor=sealer, seal=seal, document=signed, properties="bench")
        times["ses_seal"].append(time.perf_counter() - t)
    return {name: summarise(v) for name, v in times.items()} | {"pdf_bytes": len(signed)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--stages", type=int, default=50)
    args = parser.parse_args()
    _fresh(args.db)
    setup_django(args.db, VAR, PG_DB)
    ids = _prepare()
    stage_costs = stages(args.stages)
    print(json.dumps({"stages": stage_costs}, ensure_ascii=False), flush=True)
    from django.db import connection

    connection.close()
    runs = []
    for w in [int(x) for x in args.workers.split(",")]:
        row = throughput(args.db, ids, args.n, w)
        runs.append(row)
        print(json.dumps(row), flush=True)
    out = {"date": dt.date.today().isoformat(), "db": args.db, "machine": platform.machine(),
           "cpus": os.cpu_count(), "load_avg": os.getloadavg(), "python": platform.python_version(),
           "stages": stage_costs, "runs": runs}
    path = ROOT / "bench" / "results" / f"licences-{out['date']}-{args.db}.json"
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(f"written {path}")


if __name__ == "__main__":
    main()
