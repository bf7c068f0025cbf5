"""Electronic supervision benchmarks: the full scan (every rule over every case, open and closed, plus
the figures), incremental evaluation of one case (what the case-event subscriber does), and reading a
quarter's pre-aggregated figures.

Usage (results to stdout and bench/results/supervision-<db>-<n>.json):

    .venv/bin/python bench/supervision_bench.py --db postgres|sqlite [--cases 100000] [--fresh]

Its own database (SQLite file under /tmp/govhall-bench-supervision/, or the PostgreSQL database
``govhall_bench_supervision``), migrated, then N cases bulk-inserted over 200 organs with what the rules
read: applications, three handling steps per accepted case (undertake 3, review 3, approve 2 working
days; durations drawn 1-4 working days), decisions, refusal events with reasons, correction notices,
special procedures and a few payment orders, on the real official calendar. The mix (seeded, so every
run has the same data): 70 % closed after a decision, 5 % not accepted, 3 % withdrawn, 22 % open;
5 % accepted after the 5 working days of Art. 32; decisions 3-25 working days after the clock start
(promised 10, legal 20), so a share of the cases is late. No audit events or timeline except the refusal
events: load data, not history. Later runs reuse the data (``--fresh`` drops it).

Measured: the first full scan (raises every warning: bulk inserts, transitions, audit events), a second
full scan (nothing new: the steady state of the hourly job), ``evaluate_cases([id])`` for 200 random
cases (p50/p95, after warm-up), and ``selectors.figures(period=<quarter>)`` (p50/p95). Not a test:
nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import migrate, setup_database, summarise  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SQLITE = Path("/tmp/govhall-bench-supervision/supervision.sqlite3")
PG_DATABASE = "govhall_bench_supervision"
N_ORGANS = 200
STEPS = [
    {"kind": "apply", "name": "申请", "description": "", "time_limit_days": None},
    {"kind": "accept", "name": "受理", "description": "", "time_limit_days": 1},
    {"kind": "undertake", "name": "承办", "description": "", "time_limit_days": 3},
    {"kind": "review", "name": "审核", "description": "", "time_limit_days": 3},
    {"kind": "approve", "name": "批准", "description": "", "time_limit_days": 2},
]
STATES = [("closed", 0.70), ("not_accepted", 0.05), ("withdrawn", 0.03), ("submitted", 0.03), ("correction", 0.02),
          ("in_progress", 0.14), ("suspended", 0.01), ("decided", 0.02)]


def machine() -> str:
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def generate(n: int, seed: int = 12) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from govhall.cases.models import (
        Application,
        Case,
        CaseEvent,
        CaseStep,
        CorrectionItem,
        CorrectionNotice,
        Decision,
        PaymentOrder,
        SpecialProcedure,
    )
    from govhall.catalog import testing
    from govhall.catalog.models import ItemVersion, Organ, ProcessStep
    from govhall.core.calendar_store import get_calendar
    from govhall.identity.models import User

    rng = random.Random(seed)
    cal = get_calendar()
    t0 = time.perf_counter()
    with transaction.atomic():
        region = testing.region_tree()["city"]
        organs = Organ.objects.bulk_create([
            Organ(credit_code=testing.make_credit_code(region.code, 61000000 + i), name=f"监察基准局{i:03d}",
                  region=region, level="3", nature="1") for i in range(N_ORGANS)])
        template = testing.make_item(organ=organs[0], process_steps=STEPS)
        version = template.versions.get()
        versions = [version]
        steps = list(ProcessStep.objects.filter(version=version))
        for organ in organs[1:]:
            code = f"{template.code[:-6]}{organ.pk:06d}"[-len(template.code):]
            item = type(template).objects.create(catalog_item=template.catalog_item, organ=organ, key=code, code=code,
                                                 region_id=organ.region_id, level=template.level)
            v = ItemVersion.objects.get(pk=version.pk)
            v.pk, v.id, v.item = None, None, item
            v.save()
            ProcessStep.objects.bulk_create([ProcessStep(version=v, order=s.order, kind=s.kind, name=s.name,
                                                         time_limit_days=s.time_limit_days) for s in steps])
            versions.append(v)
        applicants = User.objects.bulk_create([User(username=f"sup_applicant_{i}", password="!")
                                               for i in range(max(1, n // 50))])
        staff = User.objects.bulk_create([User(username=f"sup_officer_{i}", password="!") for i in range(400)])
    print(f"  catalogue and users in {time.perf_counter() - t0:.1f} s", flush=True)

    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    first = today - dt.timedelta(days=540)
    working = [d for d in cal.working_days if first <= d <= today]
    states, weights = [s for s, _ in STATES], [w for _, w in STATES]

    def add(d, k):
        try:
            return cal.add_working_days(d, k)
        except Exception:
            return None

    def at(d, hour=10):
        return dt.datetime(d.year, d.month, d.day, hour, tzinfo=tz)

    batch = 5000
    for start in range(0, n, batch):
        size = min(batch, n - start)
        apps, cases, meta = [], [], []
        for k in range(size):
            i = start + k
            o = rng.randrange(N_ORGANS)
            v = versions[o]
            received = working[int(len(working) * (i / n))] if i < n else working[-1]
            state = rng.choices(states, weights)[0]
            apps.append(Application(applicant_id=applicants[i % len(applicants)].pk, item_id=v.item_id,
                                    version_id=v.pk, state="submitted", applicant_name=f"申请人{i % 997}",
                                    submitted_at=at(received, 9), form_data={},
                                    channel="window" if rng.random() < 0.25 else "online"))
            meta.append((o, v, received, state))
        with transaction.atomic():
            Application.objects.bulk_create(apps, batch_size=2000)
            extra = {"steps": [], "decisions": [], "events": [], "notices": [], "pauses": [], "orders": []}
            for k, app in enumerate(apps):
                i = start + k
                o, v, received, state = meta[k]
                acceptance_due = add(received, 5)
                accepted = state not in ("submitted", "correction", "not_accepted", "withdrawn") or (
                    state == "withdrawn" and rng.random() < 0.5)
                accept_delay = rng.choice([0, 0, 1, 1, 2, 3, 4]) if rng.random() > 0.05 else rng.randrange(6, 9)
                accepted_on = add(received, accept_delay) if accepted else None
                if accepted_on and accepted_on > today:
                    accepted_on = today
                clock_start = accepted_on if accepted_on and accept_delay <= 5 else (received if accepted else None)
                due = add(clock_start, 10) if clock_start else None
                legal = add(clock_start, 20) if clock_start else None
                decided_on = None
                if state in ("closed", "decided") and clock_start:
                    decided_on = add(clock_start, rng.choice([3, 5, 7, 8, 9, 10, 10, 12, 15, 25]))
                    if decided_on is None or decided_on > today:
                        decided_on = None
                        state = "in_progress"
                assignee = staff[o * 2 + rng.randrange(2)]
                cases.append(Case(
                    number=f"S{i:012d}", application_id=app.pk, item_id=app.item_id, version_id=app.version_id,
                    organ_id=organs[o].pk, applicant_id=app.applicant_id, applicant_name=app.applicant_name,
                    item_name="食品经营许可（新办）", state=state, promised_days=10, legal_days=20,
                    received_at=at(received, 9), last_received_on=received, acceptance_due=acceptance_due,
                    accepted_on=accepted_on, acceptance_deemed=bool(accepted_on and accept_delay > 5),
                    acceptance_notice_number=f"受理〔{received:%Y}〕{i}" if accepted_on else "",
                    clock_start=clock_start, due_date=due, legal_due_date=legal, query_code="000000",
                    assignee_id=assignee.pk if accepted_on else None,
                    closed_at=at(decided_on or received, 16) if state in ("closed", "not_accepted", "withdrawn")
                    else None, result_code={"closed": "granted", "not_accepted": "not_accepted",
                                            "withdrawn": "withdrawn"}.get(state, "")))
            Case.objects.bulk_create(cases, batch_size=2000)
            for k, case in enumerate(cases):
                o, v, received, state = meta[k]
                if case.clock_start:
                    day = case.clock_start
                    for order, (kind, name) in enumerate([("undertake", "承办"), ("review", "审核"), ("approve", "批准")],
                                                         start=1):
                        end = add(day, rng.choice([1, 1, 2, 2, 3, 4]))
                        done = end is not None and end <= today and (
                            state in ("closed", "decided") or rng.random() < 0.5)
                        extra["steps"].append(CaseStep(case=case, order=order, kind=kind, name=name,
                                                       organ_id=case.organ_id, state="done" if done else "active",
                                                       started_at=at(day), finished_at=at(end) if done else None,
                                                       assignee_id=case.assignee_id))
                        if not done:
                            break
                        day = end
                if state in ("closed", "decided") and case.closed_at or state == "decided":
                    dday = case.closed_at.astimezone(tz).date() if case.closed_at else add(case.clock_start, 8)
                    extra["decisions"].append(Decision(
                        case=case, outcome="grant" if rng.random() < 0.95 else "deny",
                        reasons="经审查，申请材料齐全、符合法定形式，经营场所与设施符合要求" if rng.random() > 0.01 else "不符合条件",
                        legal_basis="《食品安全法》第三十五条", decided_by_id=case.assignee_id or staff[0].pk,
                        decided_at=at(min(dday or today, today), 15), document_number=f"决定{case.number}"))
                if state == "not_accepted":
                    extra["events"].append(CaseEvent(case=case, at=case.closed_at, kind="not_accepted",
                                                     actor_label="bench", summary_zh="不予受理", summary_en="not accepted",
                                                     detail={"reason": "不属于本机关职权范围，请向区市场监管局申请",
                                                             "legal_basis": "《行政许可法》第三十二条"}))
                if rng.random() < 0.08:
                    extra["notices"].append((case, received))
                if rng.random() < 0.03 and case.clock_start:
                    s = add(case.clock_start, 2)
                    extra["pauses"].append(SpecialProcedure(case=case, kind="site_check", reason="现场核查",
                                                            expected_days=5, started_on=s, ended_on=add(s, 4),
                                                            started_by_id=staff[0].pk))
                if rng.random() < 0.01 and case.clock_start:
                    extra["orders"].append(PaymentOrder(case=case, order_number=f"PAYB{case.pk:012d}", amount_fen=5000,
                                                        lines=[], state="paid"))
            CaseStep.objects.bulk_create(extra["steps"], batch_size=2000)
            Decision.objects.bulk_create(extra["decisions"], batch_size=2000)
            CaseEvent.objects.bulk_create(extra["events"], batch_size=2000)
            SpecialProcedure.objects.bulk_create([p for p in extra["pauses"] if p.started_on], batch_size=2000)
            PaymentOrder.objects.bulk_create(extra["orders"], batch_size=2000)
            notices = CorrectionNotice.objects.bulk_create([
                CorrectionNotice(case=c, notice_number=f"补正{c.number}", issued_by_id=staff[0].pk,
                                 issued_at=at(add(r, 2) or r), deadline=add(r, 17) or r, state="answered")
                for c, r in extra["notices"]], batch_size=2000)
            CorrectionItem.objects.bulk_create([CorrectionItem(notice=x, form_field="address", problem="地址不完整")
                                                for x in notices], batch_size=2000)
        if (start // batch) % 4 == 3 or start + size == n:
            print(f"  {start + size:,} cases, {time.perf_counter() - t0:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"cases": n, "organs": N_ORGANS, "seconds": round(time.perf_counter() - t0, 1)}


def timed(fn, rounds: int, warmup: int = 10) -> dict:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return summarise(samples)


def run(db: str, n: int, fresh: bool, rounds: int) -> dict:
    if fresh:
        if db == "sqlite" and SQLITE.exists():
            SQLITE.unlink()
        if db == "postgres":
            import psycopg

            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')
    setup_database(db, var_dir=Path("/tmp/govhall-bench-supervision/var"), sqlite_file=SQLITE, pg_database=PG_DATABASE)
    migrate()
    from govhall.cases.models import Case
    from govhall.supervision import selectors, services
    from govhall.supervision.models import Warning

    result = {"db": db, "machine": machine(), "date": dt.date.today().isoformat()}
    have = Case.objects.count()
    if have != n:
        if have:
            raise SystemExit(f"the database holds {have} cases, not {n}: use --fresh")
        print(f"generating {n:,} cases…", flush=True)
        result["generate"] = generate(n)
    result["cases"] = n
    for label in ("scan_first", "scan_again", "scan_recent"):
        if label == "scan_first" and Warning.objects.exists():
            print("warnings exist already: the first scan was measured before", flush=True)
            continue
        t = time.perf_counter()
        out = services.scan(full=label != "scan_recent",
                            progress=lambda k, label=label: k % 50000 == 0 and print(f"  {label}: {k:,}", flush=True))
        result[label] = {**out.as_dict(), "wall_seconds": round(time.perf_counter() - t, 2)}
        print(label, result[label], flush=True)
    t = time.perf_counter()
    result["scan_no_figures"] = {**services.scan(figures_too=False).as_dict(),
                                 "wall_seconds": round(time.perf_counter() - t, 2)}
    print("scan_no_figures", result["scan_no_figures"], flush=True)
    ids = list(Case.objects.values_list("pk", flat=True))
    rng = random.Random(3)
    # calibration: how long one trivial ORM query takes on this machine now (shared, loaded)
    result["one_query_ms"] = timed(lambda: Case.objects.filter(pk=rng.choice(ids)).exists(), rounds)
    print("one trivial query (ms)", result["one_query_ms"], flush=True)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        services.evaluate_cases([rng.choice(ids)])
    result["evaluate_one_queries"] = len(queries.captured_queries)
    result["load_average"] = os.getloadavg()
    result["evaluate_one_ms"] = timed(lambda: services.evaluate_cases([rng.choice(ids)]), rounds)
    print("evaluate one case (ms)", result["evaluate_one_ms"], flush=True)
    periods = [p for p in selectors.periods() if "Q" in p]
    quarter = periods[1] if len(periods) > 1 else periods[0]
    result["figures_quarter_ms"] = timed(lambda: list(selectors.figures(None, period=quarter)), rounds)
    result["figures_quarter"] = quarter
    print(f"figures of {quarter} (ms)", result["figures_quarter_ms"], flush=True)
    result["warnings"] = {lvl: Warning.objects.filter(level=lvl).count() for lvl in ("notice", "yellow", "red")}
    from django.db.models import Count

    result["warnings_by_rule"] = {r["rule__code"]: r["n"] for r in Warning.objects.order_by("rule__code")
                                  .values("rule__code").annotate(n=Count("pk"))}
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"supervision-{db}-{n}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    print(f"→ {path}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    run(args.db, args.cases, args.fresh, args.rounds)


if __name__ == "__main__":
    main()
