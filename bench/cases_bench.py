"""Case-handling benchmarks: the working-day clock, the officer's queue with 1,000,000 cases, and
(via bench/submit_load.py) submission throughput on a real server.

Usage (one command each; results go to stdout and bench/results/cases-*.json):

    .venv/bin/python bench/cases_bench.py clock [--cases 100000]
    .venv/bin/python bench/cases_bench.py queue --db sqlite|postgres|both [--cases 1000000] [--rounds 200]
    .venv/bin/python bench/submit_load.py            # submission throughput (see that file)
    .venv/bin/python bench/cases_bench.py report     # bench/results/cases-<date>.txt from the JSON files

clock: ``clock.compute`` for N realistic cases (limits 5-45 working days, starts across 2025-2026,
a third with one or two special procedures, some open; about 15 % with an extension) against the real
official calendar 2004-2026 (``official_days`` → ``WorkCalendar.from_days``). Total seconds and
microseconds per case, best of 5; due dates that would fall in 2027 (not entered) are None, as the
clock answers them. ``clock --variant fast-check`` measures the candidate WorkCalendar methods of
``_calendar_candidates()`` (monkeypatched).

queue: its own database (SQLite file under /tmp/govhall-bench-cases/, or the PostgreSQL database
``govhall_bench_cases``), migrated, then N Case rows (and their minimal Application rows)
bulk-inserted over 200 organs with a realistic stage mix; one officer of the busiest organ. p50/p95
over ``rounds`` calls of ``selectors.queue(officer, stage, limit=50)`` per stage and of
``selectors.queue_counts(officer)``, after a warm-up, plus the workbench page
(``/console/cases/?queue=<stage>``, logged in, full middleware and template) through Django's test
client if it exists, and the EXPLAIN of the queue and counts queries. Generating 1,000,000 cases takes
about 11 minutes per database; later runs reuse the data (``--fresh`` drops it). Not a test: nothing
here asserts a time.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import time
from bisect import bisect_right
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import migrate, setup_database, summarise  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SQLITE_DIR = Path("/tmp/govhall-bench-cases")
PG_DATABASE = "govhall_bench_cases"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def machine() -> str:
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}")


# --- 1. the clock ---------------------------------------------------------------------------------

def clock_cases(cal, n: int, seed: int = 11) -> list[dict]:
    """Realistic inputs to clock.compute: what _refresh passes for an accepted case."""
    from govhall.cases import clock

    rng = random.Random(seed)
    first, last = dt.date(2025, 1, 2), dt.date(2026, 9, 30)
    span = (last - first).days
    limits = [5, 7, 10, 12, 15, 20, 20, 20, 30, 45]
    out = []
    for _ in range(n):
        start = first + dt.timedelta(days=rng.randrange(span))
        promised = rng.choice(limits)
        legal = max(promised, rng.choice([20, 20, 30, 45]))
        pauses = []
        if rng.random() < 1 / 3:
            day = start
            for _k in range(rng.choice([1, 1, 2])):
                day = day + dt.timedelta(days=rng.randrange(1, 10))
                expected = rng.randrange(3, 20)
                ended = day + dt.timedelta(days=rng.randrange(1, 25)) if rng.random() < 0.7 else None
                pauses.append(clock.Pause(day, ended, expected))
                day = ended or day
                if ended is None:
                    break
        extension = rng.choice([10, 15]) if rng.random() < 0.15 else 0
        today = min(start + dt.timedelta(days=rng.randrange(0, 60)), dt.date(2026, 12, 31))
        out.append({"start": start, "promised_days": promised, "legal_days": legal, "extension_days": extension,
                    "pauses": pauses, "today": today})
    return out


def _calendar_candidates():
    """Candidate replacements for ``WorkCalendar._check`` and ``WorkCalendar.add_working_days``
    (src/govhall/core/calendar.py): the same answers and the same year in CalendarYearUnknown, but no
    min()/max() over generators, no range() and no second check of ``start`` in the common case of
    one date, or two dates in the same year."""
    from govhall.core.calendar import CalendarYearUnknown

    def _check(self, a: dt.date, b: dt.date | None = None) -> None:
        known = self.known_years
        ya = a.year
        yb = ya if b is None else b.year
        if ya == yb:
            if ya not in known:
                raise CalendarYearUnknown(ya)
            return
        if ya > yb:
            ya, yb = yb, ya
        for year in range(ya, yb + 1):
            if year not in known:
                raise CalendarYearUnknown(year)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        if n < 0:
            raise ValueError("n must not be negative")
        if start.year not in self.known_years:
            raise CalendarYearUnknown(start.year)
        if n == 0:
            return start
        days = self.working_days
        i = bisect_right(days, start) + n - 1
        if i >= len(days):
            raise CalendarYearUnknown(max(self.known_years) + 1)
        end = days[i]
        if end.year != start.year:
            self._check(start, end)
        return end

    return _check, add_working_days


def run_clock(n: int, variant: str = "") -> dict:
    from govhall.cases import clock
    from govhall.core.calendar import WorkCalendar, official_days

    if variant == "fast-check":
        WorkCalendar._check, WorkCalendar.add_working_days = _calendar_candidates()
    cal = WorkCalendar.from_days({d: working for d, (working, _) in official_days(2004, 2026).items()})
    inputs = clock_cases(cal, n)
    rounds = []
    results = None
    for _ in range(5):
        t = time.perf_counter()
        results = [clock.compute(cal, **kw) for kw in inputs]
        rounds.append(time.perf_counter() - t)
    best = min(rounds)
    none_promised = sum(1 for r in results if r.promised_due is None)
    return {
        "what": "clock.compute over N cases, real official calendar 2004-2026, best of 5",
        "variant": variant or "as in src/",
        "cases": n, "with_pauses": sum(1 for kw in inputs if kw["pauses"]),
        "with_two_pauses": sum(1 for kw in inputs if len(kw["pauses"]) == 2),
        "with_open_pause": sum(1 for kw in inputs if any(p.ended_on is None for p in kw["pauses"])),
        "with_extension": sum(1 for kw in inputs if kw["extension_days"]),
        "due_in_unknown_year_none": none_promised,
        "rounds_s": [round(r, 4) for r in rounds], "best_total_s": round(best, 4),
        "per_case_us": round(best / n * 1e6, 2), "working_days_in_calendar": len(cal.working_days),
        "machine": machine(),
    }


# --- 2. the queue ---------------------------------------------------------------------------------

# share of cases per stage (the rest is "done"); an organ's open work is ~30 % of its cases
STAGE_MIX = [("accept", 0.05), ("correction", 0.02), ("undertake", 0.06), ("review", 0.10), ("approve", 0.04),
             ("decide", 0.02), ("special", 0.01), ("deliver", 0.02)]
STAGE_STATE = {"accept": "submitted", "correction": "correction", "undertake": "in_progress",
               "review": "in_progress", "approve": "in_progress", "decide": "in_progress", "special": "suspended",
               "deliver": "decided", "done": "closed"}
N_ORGANS = 200


def setup_db(db: str) -> None:
    setup_database(db, var_dir=SQLITE_DIR / "var", sqlite_file=SQLITE_DIR / "cases.sqlite3", pg_database=PG_DATABASE)


def organ_weights() -> list[float]:
    """A few big organs (the city's market regulator, social security …) and a long tail (Zipf-like:
    the busiest organ gets about 2.6 % of all cases, 26,000 of 1,000,000, about 8,000 of them open)."""
    return [1 / (i + 1) ** 0.4 for i in range(N_ORGANS)]


def generate_cases(n: int, seed: int = 5) -> dict:
    """Bulk-insert ``n`` cases (and their applications) over 200 organs. No audit events or timeline:
    load data, not history. One published item per organ, one applicant per 50 cases."""
    from django.db import connection, transaction
    from django.utils import timezone

    from govhall.cases.models import Application, Case
    from govhall.catalog import testing
    from govhall.catalog.models import ItemVersion, Organ
    from govhall.identity.models import StaffRole, User
    from govhall.identity.roles import Role

    rng = random.Random(seed)
    t0 = time.perf_counter()
    with transaction.atomic():
        region = testing.region_tree()["city"]
        organs = Organ.objects.bulk_create([
            Organ(credit_code=testing.make_credit_code(region.code, 60000000 + i), name=f"基准测试局{i:03d}",
                  region=region, level="3", nature="1") for i in range(N_ORGANS)])
        # one real item (published through the services) copied as a version row per organ
        template = testing.make_item(organ=organs[0])
        version = template.versions.get()
        versions = [version]
        for organ in organs[1:]:
            catalog_item = template.catalog_item
            code = _item_code(template.code, organ.pk)
            item = type(template).objects.create(catalog_item=catalog_item, organ=organ, key=code, code=code,
                                                 region_id=organ.region_id, level=template.level)
            v = ItemVersion.objects.get(pk=version.pk)
            v.pk, v.id, v.item = None, None, item
            v.save()
            versions.append(v)
        applicants = User.objects.bulk_create([User(username=f"bench_applicant_{i}", password="!")
                                               for i in range(max(1, n // 50))])
        officer = User.objects.create(username="bench_officer", password="!")
        StaffRole.objects.create(user=officer, role=Role.WINDOW_OFFICER, organ=organs[0])
    print(f"  catalogue and users in {time.perf_counter() - t0:.1f} s", flush=True)

    weights = organ_weights()
    stages = [s for s, _ in STAGE_MIX] + ["done"]
    stage_w = [w for _, w in STAGE_MIX] + [1 - sum(w for _, w in STAGE_MIX)]
    base = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0) - dt.timedelta(days=720)
    batch = 10_000
    per_stage_busy: dict[str, int] = {}
    for start in range(0, n, batch):
        size = min(batch, n - start)
        organ_idx = rng.choices(range(N_ORGANS), weights, k=size)
        stage_pick = rng.choices(stages, stage_w, k=size)
        apps, cases = [], []
        for k in range(size):
            i = start + k
            v = versions[organ_idx[k]]
            received = base + dt.timedelta(minutes=i * 720 * 24 * 60 // n)
            apps.append(Application(applicant_id=applicants[i % len(applicants)].pk, item_id=v.item_id,
                                    version_id=v.pk, state="submitted", applicant_name=f"申请人{i % 997}",
                                    submitted_at=received, form_data={}))
        with transaction.atomic():
            Application.objects.bulk_create(apps, batch_size=2000)
            if not apps[0].pk:  # backends without RETURNING on bulk insert
                raise SystemExit("bulk_create did not return primary keys")
            for k, app in enumerate(apps):
                i = start + k
                stage = stage_pick[k]
                organ = organs[organ_idx[k]]
                received = app.submitted_at
                due = (received + dt.timedelta(days=rng.randrange(1, 40))).date()
                if organ_idx[k] == 0:
                    per_stage_busy[stage] = per_stage_busy.get(stage, 0) + 1
                cases.append(Case(
                    number=f"B{i:012d}", application_id=app.pk, item_id=app.item_id, version_id=app.version_id,
                    organ_id=organ.pk, applicant_id=app.applicant_id, applicant_name=app.applicant_name,
                    item_name="食品经营许可（新办）", state=STAGE_STATE[stage], stage=stage,
                    queue_due=None if stage == "done" else due, promised_days=10, legal_days=20,
                    received_at=received, last_received_on=received.date(), acceptance_due=due,
                    accepted_on=received.date() if stage not in ("accept", "correction") else None,
                    due_date=due, legal_due_date=due, query_code=f"{i % 1000000:06d}",
                    closed_at=received + dt.timedelta(days=20) if stage == "done" else None,
                    result_code="granted" if stage == "done" else ""))
            Case.objects.bulk_create(cases, batch_size=2000)
        if (start // batch) % 10 == 9:
            print(f"  {start + size:,} cases, {time.perf_counter() - t0:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"cases": n, "organs": N_ORGANS, "seconds": round(time.perf_counter() - t0, 1),
            "busy_organ_by_stage": per_stage_busy}


def _item_code(template_code: str, organ_pk: int) -> str:
    return f"{template_code[:-6]}{organ_pk:06d}"[-len(template_code):]


def explain(sql: str, params, db: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if db == "postgres":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        rows = cursor.fetchall()
    if db == "postgres":
        return "\n".join(r[0] for r in rows)
    return "\n".join(" | ".join(str(c) for c in r) for r in rows)


def timed(fn, rounds: int, warmup: int = 20) -> dict:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return summarise(samples)


def run_queue(db: str, n: int, rounds: int) -> dict:
    setup_db(db)
    migrate()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from govhall.cases import selectors
    from govhall.cases.models import Case
    from govhall.identity.models import User

    have = Case.objects.count()
    gen = None
    if have == 0:
        print(f"[{db}] generating {n:,} cases", flush=True)
        gen = generate_cases(n)
        print(f"[{db}] generated in {gen['seconds']} s", flush=True)
    elif have != n:
        raise SystemExit(f"the bench database has {have:,} cases, not {n:,}: drop it first "
                         f"(rm -r {SQLITE_DIR} / DROP DATABASE {PG_DATABASE})")
    officer = User.objects.get(username="bench_officer")
    organs = selectors._staff_organs(officer)
    busy = dict(Case.objects.filter(organ_id__in=organs).values_list("stage").annotate(
        n=__import__("django.db.models", fromlist=["Count"]).Count("pk")).order_by())
    result: dict = {"db": db, "cases": Case.objects.count(), "rounds": rounds, "officer_organs": len(organs),
                    "busy_organ_cases_by_stage": busy, "generated": gen,
                    "vendor_version": connection.vendor + " " + _db_version(db)}

    def fresh_officer():
        """The officer as a new request sees them: organ_ids() caches the organ scope on the user
        object, so each call gets a copy without that cache (the scope queries are timed; loading
        the user, which the authentication middleware does for every request, is not)."""
        user = copy.copy(officer)
        user.__dict__.pop("_govhall_case_organs", None)
        return user

    for stage in ("accept", "review", "undertake", "correction"):
        result[f"queue_{stage}"] = timed(lambda s=stage: selectors.queue(fresh_officer(), s, limit=50), rounds)
    result["queue_review_page_20"] = timed(lambda: selectors.queue(fresh_officer(), "review", limit=50,
                                                                    offset=50 * 20), rounds)
    result["queue_counts"] = timed(lambda: selectors.queue_counts(fresh_officer()), rounds)
    # queries of one call
    with CaptureQueriesContext(connection) as ctx:
        selectors.queue(fresh_officer(), "review", limit=50)
    result["queue_queries"] = [q["sql"] for q in ctx.captured_queries]
    with CaptureQueriesContext(connection) as ctx:
        selectors.queue_counts(fresh_officer())
    result["queue_counts_queries"] = [q["sql"] for q in ctx.captured_queries]

    qs = (Case.objects.filter(organ_id__in=organs, stage="review").select_related("organ", "assignee")
          .only("pk", "number", "item_name", "applicant_name", "state", "stage", "queue_due", "due_date",
                "acceptance_due", "received_at", "assignee__username", "is_joint", "organ__name", "row_version")
          .order_by("queue_due", "pk")[:50])
    sql, params = qs.query.sql_with_params()
    result["explain_queue"] = explain(sql, params, db)
    from django.db.models import Count

    counts_qs = (Case.objects.filter(organ_id__in=organs, stage__in=[s for s in selectors.QUEUES if s != "joint"])
                 .values("stage").annotate(n=Count("pk")).order_by())
    sql, params = counts_qs.query.sql_with_params()
    result["explain_counts"] = explain(sql, params, db)

    # the workbench page, if it exists
    from django.urls import Resolver404, resolve

    try:
        resolve("/console/cases/")
        page_exists = True
    except Resolver404:
        page_exists = False
    result["workbench_page_exists"] = page_exists
    if page_exists:
        client = Client()
        client.force_login(officer)
        from govhall.login.services import FACTORS

        session = client.session
        session[FACTORS] = ["password", "totp"]
        session.save()

        def page(stage="review"):
            response = client.get("/console/cases/", {"queue": stage})
            assert response.status_code == 200, response.status_code

        result["workbench_page_review"] = timed(page, rounds)
        result["workbench_page_accept"] = timed(lambda: page("accept"), rounds)
        with CaptureQueriesContext(connection) as ctx:
            page()
        result["workbench_page_queries"] = len(ctx.captured_queries)
    if db == "postgres":
        # Bulk-inserted rows are not yet marked all-visible, so the counts query reads the heap page of
        # every open case (the generator spreads open cases over the whole table: pessimistic). After
        # VACUUM, as autovacuum leaves a mostly settled table, it can be an index-only scan.
        original_queue_counts = selectors.queue_counts(fresh_officer())
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) cases_case")
        result["after_vacuum"] = {
            "queue_counts": timed(lambda: selectors.queue_counts(fresh_officer()), rounds),
            "queue_review": timed(lambda: selectors.queue(fresh_officer(), "review", limit=50), rounds),
            "explain_counts": explain(sql, params, db),
        }
        # candidate for selectors.queue_counts (src/govhall/cases/selectors.py): Count("*") instead of
        # Count("pk"): COUNT(id) needs the id, which the case_queue index lacks, so PostgreSQL reads
        # the heap; COUNT(*) can be an index-only scan. Monkeypatched here, restored afterwards.
        original_count = selectors.Count
        selectors.Count = lambda *args, **kwargs: Count("*")
        try:
            star = (Case.objects.filter(organ_id__in=organs, stage__in=[s for s in selectors.QUEUES if s != "joint"])
                    .values("stage").annotate(n=Count("*")).order_by())
            star_sql, star_params = star.query.sql_with_params()
            result["after_vacuum"]["candidate_count_star"] = {
                "queue_counts": timed(lambda: selectors.queue_counts(fresh_officer()), rounds),
                "explain_counts": explain(star_sql, star_params, db),
                "same_answer": selectors.queue_counts(fresh_officer()) == original_queue_counts}
        finally:
            selectors.Count = original_count
    result["machine"] = machine()
    return result


def _db_version(db: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if db == "postgres" else "SELECT sqlite_version()")
        return cursor.fetchone()[0].split(" on ")[0]


def drop(db: str) -> None:
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
    else:
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)


def report() -> Path:
    """bench/results/cases-<date>.txt from the JSON results of the three parts."""
    def load(name):
        path = RESULTS / name
        return json.loads(path.read_text()) if path.exists() else None

    def row(label, m):
        return f"  {label:<44} p50 {m['p50_ms']:>7.2f} ms   p95 {m['p95_ms']:>7.2f} ms   max {m['max_ms']:>7.2f} ms"

    lines = [f"GovHall case handling benchmarks, {dt.date.today()}", f"machine: {machine()}", ""]
    for name, label in (("cases-clock.json", "as in src/"), ("cases-clock-fast-check.json", "candidate")):
        r = load(name)
        if r:
            lines += [f"1. clock.compute, {r['cases']:,} cases ({label}): best of 5 {r['best_total_s']} s, "
                      f"{r['per_case_us']} us per case; rounds {r['rounds_s']}",
                      f"   {r['with_pauses']:,} with pauses ({r['with_two_pauses']:,} two, {r['with_open_pause']:,} "
                      f"open), {r['with_extension']:,} with an extension, {r['due_in_unknown_year_none']} due "
                      "dates in 2027 (None)"]
    lines.append("")
    for db in ("sqlite", "postgres"):
        r = load(f"cases-queue-{db}.json")
        if not r:
            continue
        lines += [f"2. queue, {db} ({r['vendor_version']}): {r['cases']:,} cases, officer of the busiest organ "
                  f"({sum(v for k, v in r['busy_organ_cases_by_stage'].items() if k != 'done'):,} open of "
                  f"{sum(r['busy_organ_cases_by_stage'].values()):,}: {r['busy_organ_cases_by_stage']}), "
                  f"{r['rounds']} rounds after 20 warm-up"]
        for key in [k for k in r if k.startswith(("queue_", "workbench_page_")) and isinstance(r[k], dict)
                    and "p50_ms" in r[k]]:
            lines.append(row(key, r[key]))
        lines.append(f"  workbench page /console/cases/ exists: {r['workbench_page_exists']}")
        lines += ["  EXPLAIN of the queue query (stage review, LIMIT 50):"]
        lines += ["    " + x for x in r["explain_queue"].splitlines()]
        lines += ["  EXPLAIN of the counts query:"] + ["    " + x for x in r["explain_counts"].splitlines()]
        if "after_vacuum" in r:
            v = r["after_vacuum"]
            lines += ["  after VACUUM (ANALYZE) cases_case:", row("queue_counts", v["queue_counts"]),
                      row("queue_review", v["queue_review"]), "  EXPLAIN of the counts query after VACUUM:"]
            lines += ["    " + x for x in v["explain_counts"].splitlines()]
            if "candidate_count_star" in v:
                c = v["candidate_count_star"]
                lines += ["  candidate: queue_counts with Count(\"*\") (after VACUUM; same counts: "
                          f"{c['same_answer']}):", row("queue_counts", c["queue_counts"]),
                          "  EXPLAIN of the candidate counts query:"]
                lines += ["    " + x for x in c["explain_counts"].splitlines()]
        lines.append("")
    for name in ("cases-submit-run1.json", "cases-submit-submit-lock-self-run1.json", "cases-submit.json",
                 "cases-submit-submit-lock-self.json"):
        r = load(name)
        if not r:
            continue
        lines += [f"3. submit throughput, {name} ({r.get('variant', 'as in src/')}): {r['server']}; {r['database']}",
                  f"   {r['drafts_submitted_under_load']:,} first submits of pre-built drafts under load; "
                  f"{r['applicants']} applicants; {r['signing_keys']}"]
        for level in r["load"]:
            for kind in ("bare", "submit"):
                m = level[kind]
                lines.append(f"   c={m['concurrency']:<3} {kind:<7} {m['requests_per_s']:>7.1f} req/s  p50 "
                             f"{m['p50_ms']:>6.1f} ms  p95 {m['p95_ms']:>6.1f} ms  p99 {m['p99_ms']:>6.1f} ms  "
                             f"({m['requests']} requests, errors {m['errors'] or 'none'}, load generator CPU "
                             f"{m['load_generator_cpu_share']:.0%})")
            lines.append(f"   c={level['concurrency']:<3} ratio submit/bare = {level['ratio_submit_to_bare']}")
        p, u = r["in_process_profile"], r["in_process_unprofiled"]
        lines.append(f"   in-process (test client, no profiler, {u['submits']} submits): p50 {u['p50_ms']} ms, p95 "
                     f"{u['p95_ms']} ms, {u['queries_per_submit']} queries, {u['db_ms_per_submit']} ms in the "
                     "database per submit")
        lines.append(f"   cProfile of {p['submits']} submits ({p['profiled_ms_per_submit']} ms per submit under the "
                     "profiler), cumulative ms per submit:")
        lines += [f"     {k:<62} {v:>7.2f}" for k, v in p["cumulative_ms_per_submit"].items()]
        lines.append("")
    out = RESULTS / f"cases-{dt.date.today()}.txt"
    out.write_text("\n".join(lines) + "\n")
    print(out.read_text())
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("clock")
    p.add_argument("--cases", type=int, default=100_000)
    p.add_argument("--variant", choices=["", "fast-check"], default="",
                   help="fast-check: WorkCalendar._check and add_working_days replaced by _calendar_candidates() (monkeypatch)")
    sub.add_parser("report", help="write bench/results/cases-<date>.txt from the JSON results")
    p = sub.add_parser("queue")
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--rounds", type=int, default=200)
    p.add_argument("--fresh", action="store_true", help="drop the bench database first")
    args = parser.parse_args()
    if args.what == "report":
        report()
        return
    if args.what == "clock":
        result = run_clock(args.cases, args.variant)
        out = RESULTS / f"cases-clock{'-' + args.variant if args.variant else ''}.json"
    else:
        if args.db == "both":  # one process per database: Django is set up once per process
            for db in ("sqlite", "postgres"):
                cmd = [sys.executable, __file__, "queue", "--db", db, "--cases", str(args.cases), "--rounds",
                       str(args.rounds)] + (["--fresh"] if args.fresh else [])
                subprocess.run(cmd, check=True)
            return
        if args.fresh:
            drop(args.db)
        result = run_queue(args.db, args.cases, args.rounds)
        out = RESULTS / f"cases-queue-{args.db}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))


if __name__ == "__main__":
    main()
