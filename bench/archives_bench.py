"""Archives benchmark: how fast a closed case becomes an archival package, how big it is, and how
long the four-property checks and a restore drill take.

Usage:  .venv/bin/python bench/archives_bench.py [--db sqlite|postgres] [--rounds 20]

Method: a database of its own (SQLite file under /tmp/govhall-bench-archives/, or the PostgreSQL
database ``govhall_bench_archives``), migrated, with the Lu'an demo loaded (which archives its two
closed cases: one granted with its licence, one not accepted). Then, for each of the two cases,
``rounds`` rebuilds (``services.package_build``: collect, bag with SHA-256/SHA-512/SM3 manifests,
seal over tagmanifest-sm3.txt, ZIP, store, transparency log, audit) without the checks (wall-clock
time, and the CPU time of this process, which the machine's load does not inflate), then ``rounds``
four-property check runs over the stored package, then 5 restore drills (pdfsig included when
installed). Packages per second = 1 / p50 of a build. Sizes are the stored ZIP and the
payload. Results go to stdout and bench/results/archives-<db>.json. Not a test: nothing here asserts
a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import migrate, setup_database, summarise  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/govhall-bench-archives")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    fresh = not (WORK / "bench.sqlite3").exists() if args.db == "sqlite" else True
    os.environ["GOVHALL_DEMO"] = "1"
    setup_database(args.db, var_dir=WORK / "var", sqlite_file=WORK / "bench.sqlite3",
                   pg_database="govhall_bench_archives")
    from django.core.management import call_command

    from govhall.archives import services
    from govhall.archives.models import ArchivePackage
    from govhall.cases.models import Case
    from govhall.demo.catalog import database_is_empty

    migrate()
    if fresh or database_is_empty():
        if not database_is_empty():
            call_command("flush", interactive=False, verbosity=0)
        call_command("demo", "load", verbosity=0)
    cases = list(Case.objects.filter(number__in=ArchivePackage.objects.values("case_number")).order_by("pk"))
    out = {"db": args.db, "rounds": args.rounds, "machine": platform.platform(), "cpus": os.cpu_count(),
           "load": os.getloadavg(), "cases": {}}
    for case in cases:
        builds, checks, packages, cpu = [], [], [], []
        for _ in range(args.rounds):
            t, c = time.perf_counter(), time.process_time()
            packages.append(services.package_build(actor=None, case=case, trigger="bench", run_checks=False))
            builds.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        last = packages[-1]
        for _ in range(args.rounds):
            t = time.perf_counter()
            run = services.package_check(actor=None, package=last, trigger="bench")
            checks.append(time.perf_counter() - t)
        assert run.ok, [r for r in run.results if r.failed]
        drills = []
        for _ in range(5):
            t = time.perf_counter()
            assert services.drill(package=last).ok
            drills.append(time.perf_counter() - t)
        build = summarise(builds)
        out["cases"][case.result_code] = {
            "case": case.number, "build": build, "packages_per_second": round(1000 / build["p50_ms"], 2),
            "build_cpu": summarise(cpu), "packages_per_cpu_second": round(1000 / summarise(cpu)["p50_ms"], 2),
            "check": summarise(checks), "drill": summarise(drills), "zip_bytes": last.size,
            "payload_bytes": last.payload_bytes, "payload_files": last.payload_files}
    out["load_after"] = os.getloadavg()
    out["pdfsig"] = bool(subprocess.run(["which", "pdfsig"], capture_output=True).returncode == 0)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"archives-{args.db}.json").write_text(json.dumps(out, indent=2, ensure_ascii=False))
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
