"""Onboarding benchmark: how long importing a region's published list takes, per 1,000 items.

Usage:  .venv/bin/python bench/onboarding_bench.py [--db sqlite|postgres|both] [--copies 9] [--single 200]

Method: a fresh database per run (SQLite file under var/bench-onboarding/, or the PostgreSQL
database gh_onboarding_bench, dropped and created), migrated, with Sichuan → 广安市 → 广安区 registered
through the regions import. Then, timed with time.perf_counter in one process:

1. the real list (src/govhall/demo/data/guangan-district-items.json, 1,135 items, 34 departments,
   133 main items): dry run, then commit (the bulk path: organs through the registry service,
   catalogue entries, items and listed versions in bulk, one audit event per object, bulk search
   indexing);
2. a larger list made of ``copies`` copies of the real one (local codes and main-item names
   suffixed, the same 34 departments): dry run and commit;
3. for comparison, ``single`` items registered one by one through the per-item services
   (catalog.onboarding.items.item_onboard: catalogue entry, item, listed publication), as the
   console and the API do for one item.

Results go to stdout and bench/results/onboarding-<db>.json. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, migrate, setup_database  # noqa: E402

DATA = ROOT / "src" / "govhall" / "demo" / "data"
PG_DATABASE = "gh_onboarding_bench"


def fresh(db: str) -> None:
    var_dir = ROOT / "var" / "bench-onboarding"
    if db == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
    else:
        shutil.rmtree(var_dir, ignore_errors=True)
    setup_database(db, var_dir=var_dir, sqlite_file=var_dir / "bench.sqlite3", pg_database=PG_DATABASE)
    migrate()


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def per_thousand(seconds: float, items: int) -> float:
    return round(seconds / items * 1000, 2)


def run(db: str, copies: int, single: int) -> dict:
    fresh(db)
    from django.db import connection

    from govhall.catalog.models import ImplementationItem, Organ, Region
    from govhall.catalog.onboarding.importer import onboard
    from govhall.catalog.onboarding.items import item_onboard

    regions = onboard(actor=None, kind="regions", file=DATA / "regions.csv", dry_run=False)
    assert regions.committed, regions.problems
    district = Region.objects.get(code="511602")
    rows = json.loads((DATA / "guangan-district-items.json").read_text(encoding="utf-8"))
    real = json.dumps(rows, ensure_ascii=False).encode()
    from govhall.catalog import search

    search.segment("预热")  # load the segmenter's dictionary outside the timings

    out: dict = {"db": db, "vendor": connection.vendor}
    dry, t_dry = timed(lambda: onboard(actor=None, kind="items", file=real, region=district, dry_run=True))
    done, t_commit = timed(lambda: onboard(actor=None, kind="items", file=real, region=district, dry_run=False))
    assert done.committed, done.problems[:5]
    listed = done.created["listed"]
    out["real_list"] = {"rows": len(rows), "organs": done.created["organs"], "items": done.created["items"],
                        "main_items": done.created["main_items"], "listed_versions": listed,
                        "dry_run_s": round(t_dry, 2), "commit_s": round(t_commit, 2),
                        "dry_run_per_1000_rows_s": per_thousand(t_dry, len(rows)),
                        "commit_per_1000_items_s": per_thousand(t_commit, listed)}
    print(f"[{db}] real list: {len(rows)} rows, dry run {t_dry:.2f} s, commit {t_commit:.2f} s "
          f"({per_thousand(t_commit, listed)} s per 1,000 listed items)", flush=True)

    big_rows = [{**r, "item_code": f"{r['item_code']}-C{k}",
                 "group": r["group"] if r["group"] == "未分类" else f"{r['group']}（{k}）"}
                for k in range(1, copies + 1) for r in rows]
    big = json.dumps(big_rows, ensure_ascii=False).encode()
    dry, t_dry = timed(lambda: onboard(actor=None, kind="items", file=big, region=district, dry_run=True))
    done, t_commit = timed(lambda: onboard(actor=None, kind="items", file=big, region=district, dry_run=False))
    assert done.committed, done.problems[:5]
    listed = done.created["listed"]
    out["large_list"] = {"rows": len(big_rows), "listed_versions": listed, "dry_run_s": round(t_dry, 2),
                         "commit_s": round(t_commit, 2),
                         "dry_run_per_1000_rows_s": per_thousand(t_dry, len(big_rows)),
                         "commit_per_1000_items_s": per_thousand(t_commit, listed)}
    print(f"[{db}] large list: {len(big_rows)} rows, dry run {t_dry:.2f} s, commit {t_commit:.2f} s "
          f"({per_thousand(t_commit, listed)} s per 1,000 listed items)", flush=True)

    organ = Organ.objects.get(name="区行政审批局")

    def one_by_one():
        for n in range(single):
            item_onboard(actor=None, organ=organ, name=f"逐项登记基准事项{n}", item_type="01", local_code=f"BENCH-{n}")

    _none, t_single = timed(one_by_one)
    out["one_by_one"] = {"items": single, "s": round(t_single, 2), "per_1000_items_s": per_thousand(t_single, single)}
    print(f"[{db}] one by one: {single} items in {t_single:.2f} s ({per_thousand(t_single, single)} s per 1,000)",
          flush=True)
    out["items_in_database"] = ImplementationItem.objects.count()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--copies", type=int, default=9)
    parser.add_argument("--single", type=int, default=200)
    args = parser.parse_args()
    if args.db == "both":  # one process per database: Django is set up once per process
        for db in ("sqlite", "postgres"):
            subprocess.run([sys.executable, __file__, "--db", db, "--copies", str(args.copies), "--single",
                            str(args.single)], check=True, env={k: v for k, v in os.environ.items()
                                                               if k != "DATABASE_URL"})
        return
    result = run(args.db, args.copies, args.single)
    result["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                         "load_average_1m": round(os.getloadavg()[0], 2)}
    path = ROOT / "bench" / "results" / f"onboarding-{args.db}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"→ {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
