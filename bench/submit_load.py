"""Submission throughput: ``POST /api/v1/applications/{public_id}/submit`` on a real server, beside a
bare Django JSON view on the same server.

Usage:  .venv/bin/python bench/submit_load.py [--drafts 5000] [--users 250] [--duration 30]
                                              [--concurrency 8,16] [--profile 300] [--fresh]

What it does, in order (PostgreSQL database ``govhall_bench_submit``, state in /tmp/govhall-bench-submit/,
port 8765; GOVHALL_BENCH_DATABASE, GOVHALL_BENCH_STATE and GOVHALL_BENCH_PORT name others, so that two
people can measure on one machine):

1. prepare (in this process): migrate, load the demo catalogue and accounts (GOVHALL_DEMO), create
   ``users`` applicants with a verified real-name identity and *their SM2 signing keys generated in
   advance* (steady state: no first-time key generation inside a timed submit), and build complete
   drafts with the services until ``drafts`` unsubmitted drafts exist (form filled, every applicant
   material uploaded, promises signed, optional ones declined) over five published items of four
   organs (case numbers allow 9,999 per item and day). Then one fresh session per applicant, made
   directly with SessionStore as ``login.services.complete_login`` leaves it (_auth_user_id,
   _auth_user_backend, _auth_user_hash, login.generation, login.factors), and a CSRF token (ninja's
   SessionAuth enforces Django's CSRF check on POST: cookie + X-CSRFToken header).
   Before the load, VACUUM (ANALYZE) (the bench machine's PostgreSQL runs with autovacuum off).
2. serve: gunicorn exactly as ``govhall up`` starts it (2 workers, 4 threads, access log to a file),
   settings ``bench_settings`` = the production profile (DEBUG off, production cookies and password
   hasher; GOVHALL_SSL_REDIRECT=0 because the load comes over plain HTTP on loopback) with one extra
   URL, ``/bench/bare/`` (bench_urls.py: JsonResponse through the same middleware).
3. load: an asyncio HTTP/1.1 keep-alive generator in this process (``concurrency`` connections, each
   sending its next request when the previous answer arrives: closed loop). For each concurrency: the
   bare view (GET, logged-in session) for ``duration`` s, then submits of distinct drafts (each a
   first submit) for ``duration`` s or until the drafts run out. Warm-up requests are not counted.
   Every answer is checked (200 / 201).
4. profile: cProfile of ``profile`` submits in-process through Django's test client (the same
   endpoint, the same settings, the same database), with queries and database time per submit.

``--variant submit-lock-self`` measures the candidate fix in bench_patches.py the same way.

Results: stdout and bench/results/cases-submit[-<variant>].json. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(ROOT / "src"))  # the in-process profile measures this checkout, as the server does
from common import pct  # noqa: E402

STATE = Path(os.environ.get("GOVHALL_BENCH_STATE", "/tmp/govhall-bench-submit"))
PG_DATABASE = os.environ.get("GOVHALL_BENCH_DATABASE", "govhall_bench_submit")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PORT = int(os.environ.get("GOVHALL_BENCH_PORT", "8765"))
ITEMS = ["食品经营许可（新办）", "公共场所卫生许可"]  # every published implementation of these
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


VARIANT = ""


def environment() -> dict:
    """The environment of both this process and the server: same database, keys and var dir."""
    STATE.mkdir(parents=True, exist_ok=True)
    keyfile = STATE / "keys.json"
    if not keyfile.exists():
        keyfile.write_text(json.dumps({"SECRET_KEY": secrets.token_urlsafe(50),
                                       "GOVHALL_MASTER_KEY": secrets.token_hex(32)}))
    env = dict(os.environ)
    env.update(json.loads(keyfile.read_text()))
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT / "src"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "GOVHALL_VAR_DIR": str(STATE / "var"),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}",
        "GOVHALL_SSL_REDIRECT": "0",
        "GOVHALL_DEMO": "1",
        "GOVHALL_LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "GOVHALL_BENCH_VARIANT": VARIANT,
    })
    return env


def setup_django(fresh: bool) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DATABASE]).fetchone():
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    os.environ.update(environment())
    import django

    django.setup()


# --- 1. prepare -------------------------------------------------------------------------------------

def resident_id(i: int) -> str:
    from govhall.identity.codes import resident_id_check_char

    day = 1 + i % 28
    month = 1 + (i // 28) % 12
    year = 1960 + (i // 336) % 40
    first17 = f"341502{year:04d}{month:02d}{day:02d}{(i * 7) % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def applicants(n: int) -> list:
    from django.db import transaction

    from govhall.crypto import keystore
    from govhall.identity import services as identity
    from govhall.identity.models import Person, User

    users = []
    for i in range(n):
        user, created = User.objects.get_or_create(username=f"bench_submit_{i}",
                                                    defaults={"display_name": f"申请人{i}"})
        if created:
            user.set_unusable_password()
            user.save()
            with transaction.atomic():
                person = identity.person_create(actor=user, user=user, name=f"申请人{i}", id_type="resident_id",
                                                id_number=resident_id(i), phone=f"139{i:08d}")
                Person.objects.filter(pk=person.pk).update(trust_level=4)  # bench: register check skipped
            with transaction.atomic():  # steady state: the key exists before the first timed submit
                keystore.key_generate(actor=user, purpose=f"applicant.u{user.pk}")
        users.append(user)
    return users


def items() -> list:
    from govhall.catalog.models import ImplementationItem

    out = []
    for name in ITEMS:
        out += list(ImplementationItem.objects.filter(versions__name=name, versions__state="published").distinct())
    return out


def build_draft(user, item, tag: str):
    from govhall.cases import services
    from govhall.cases.models import ApplicationMaterial

    application = services.application_start(actor=user, item_code=item.code)
    services.application_update(actor=user, application=application, form_data={
        "contact_name": user.display_name, "contact_phone": "13955600001", "address": "六安市金安区梅山南路 1 号",
        "description": f"基准测试申请 {tag}"})
    for row in application.materials.select_related("material"):
        m = row.material
        if row.status != ApplicationMaterial.Status.MISSING:
            continue
        if m.necessity == "optional":
            services.material_set(actor=user, application=application, material_id=m.pk, status="not_needed")
        elif m.necessity == "promise":
            services.material_set(actor=user, application=application, material_id=m.pk, status="promised",
                                  promise_text="本人承诺所填信息和提交材料真实有效，如有虚假愿承担法律责任。")
        else:
            services.material_upload(actor=user, application=application, material_id=m.pk,
                                     upload=io.BytesIO(PDF + f"% {tag} {m.pk}\n".encode()), filename=f"{m.name}.pdf")
    return application


def prepare(n_drafts: int, n_users: int) -> dict:
    from django.conf import settings
    from django.core.management import call_command

    from govhall.cases.models import Application
    from govhall.demo import catalog as demo

    call_command("migrate", verbosity=0)
    if demo.database_is_empty():
        call_command("demo", "load", verbosity=0)
    users = applicants(n_users)
    targets = items()
    have = Application.objects.filter(state="draft", applicant__username__startswith="bench_submit_").count()
    t = time.perf_counter()
    for k in range(have, n_drafts):
        build_draft(users[k % len(users)], targets[k % len(targets)], f"d{k}")
        if k % 500 == 499:
            print(f"  {k + 1} drafts, {time.perf_counter() - t:.0f} s", flush=True)
    drafts = list(Application.objects.filter(state="draft", applicant__username__startswith="bench_submit_")
                  .order_by("pk").values_list("public_id", "applicant_id"))
    cookies = {u.pk: session_cookie(u) for u in users}
    csrf = csrf_token()
    return {"drafts": [(str(p), cookies[a]) for p, a in drafts], "csrf": csrf,
            "session_cookie": settings.SESSION_COOKIE_NAME, "csrf_cookie": settings.CSRF_COOKIE_NAME,
            "items": [i.code for i in targets], "users": len(users)}


def session_cookie(user) -> str:
    """A session as complete_login leaves it, saved in the session store; returns its key."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from govhall.login.services import FACTORS, GENERATION, current_generation

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "govhall.identity.backends.GovHallBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[GENERATION] = current_generation(user.pk)
    session[FACTORS] = ["password"]
    session.save()
    return session.session_key


def csrf_token() -> str:
    from django.middleware.csrf import _get_new_csrf_string

    return _get_new_csrf_string()


def vacuum() -> None:
    """VACUUM (ANALYZE) the bench database before a load run. The PostgreSQL of the bench machine runs
    with autovacuum off; without this, every run inherits the dead rows of the previous ones (each
    request rewrites its session row, each submit the audit-chain head and a case-serial row) and
    gets slower from run to run."""
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{PG_DATABASE}", autocommit=True) as conn:
        autovacuum = conn.execute("SHOW autovacuum").fetchone()[0]
        conn.execute("VACUUM (ANALYZE)")
    print(f"VACUUM (ANALYZE) done (server autovacuum: {autovacuum})", flush=True)


# --- 2. serve ----------------------------------------------------------------------------------------

def start_server(workers: int) -> subprocess.Popen:
    """gunicorn as govhall up runs it (src/govhall/core/management/commands/up.py)."""
    cmd = [sys.executable, "-m", "gunicorn", "govhall.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
           "--workers", str(workers), "--threads", "4", "--access-logfile", "-", "--graceful-timeout", "5"]
    log = open(STATE / "gunicorn.log", "ab")  # noqa: SIM115 (closed with the process)
    server = subprocess.Popen(cmd, env=environment(), stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _ = asyncio.run(one_request("GET", "/bench/bare/", {}))
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer; see {STATE / 'gunicorn.log'}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


# --- 3. load -----------------------------------------------------------------------------------------

def request_bytes(method: str, path: str, headers: dict, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{PORT}", "Accept: application/json",
             f"Content-Length: {len(body)}"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    else:
        body = await reader.read()
    return status, body


async def one_request(method: str, path: str, headers: dict) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    try:
        writer.write(request_bytes(method, path, headers))
        await writer.drain()
        return await read_response(reader)
    finally:
        writer.close()


def headers_for(prep: dict, session_key: str, post: bool) -> dict:
    cookie = f"{prep['session_cookie']}={session_key}"
    headers = {}
    if post:
        cookie += f"; {prep['csrf_cookie']}={prep['csrf']}"
        headers["X-CSRFToken"] = prep["csrf"]
        headers["Content-Type"] = "application/json"
    headers["Cookie"] = cookie
    return headers


async def closed_loop(jobs, concurrency: int, duration: float, expect: int) -> dict:
    """``concurrency`` keep-alive connections; each sends the next job when its answer arrived."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    samples: list[bytes] = []
    end = time.perf_counter() + duration
    iterator = iter(jobs)

    async def worker():
        reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
        try:
            while time.perf_counter() < end:
                try:
                    method, path, headers = next(iterator)
                except StopIteration:
                    return
                t = time.perf_counter()
                writer.write(request_bytes(method, path, headers))
                await writer.drain()
                status, body = await read_response(reader)
                latencies.append(time.perf_counter() - t)
                if status != expect:
                    errors[str(status)] = errors.get(str(status), 0) + 1
                    if len(samples) < 3:
                        samples.append(body[:300])
        finally:
            writer.close()

    cpu0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - t0
    ms = [x * 1000 for x in latencies]
    return {"concurrency": concurrency, "requests": len(ms), "seconds": round(elapsed, 2),
            "requests_per_s": round(len(ms) / elapsed, 1),
            "p50_ms": round(pct(ms, 50), 1), "p95_ms": round(pct(ms, 95), 1), "p99_ms": round(pct(ms, 99), 1),
            "max_ms": round(max(ms), 1), "errors": errors, "error_samples": [s.decode("utf-8", "replace")
                                                                            for s in samples],
            "load_generator_cpu_share": round((time.process_time() - cpu0) / elapsed, 2)}


def run_load(prep: dict, concurrency_levels: list[int], duration: float, reserve: int) -> tuple[list, int]:
    drafts = prep["drafts"][reserve:]  # the first ``reserve`` drafts are kept for the in-process profile
    sessions = sorted({s for _, s in prep["drafts"]})
    used = 0
    out = []

    def bare_jobs():
        i = 0
        while True:
            yield "GET", "/bench/bare/", headers_for(prep, sessions[i % len(sessions)], False)
            i += 1

    def submit_jobs(start: int):
        for public_id, session in drafts[start:]:
            yield "POST", f"/api/v1/applications/{public_id}/submit", headers_for(prep, session, True)

    # warm-up: every worker process and thread, both endpoints (these drafts are not counted)
    asyncio.run(closed_loop(bare_jobs(), 8, 3, 200))
    warm = asyncio.run(closed_loop(submit_jobs(0), 8, 3, 201))
    used += warm["requests"]
    if warm["errors"]:
        raise SystemExit(f"submit warm-up failed: {warm}")
    for c in concurrency_levels:
        bare = asyncio.run(closed_loop(bare_jobs(), c, duration, 200))
        submit = asyncio.run(closed_loop(submit_jobs(used), c, duration, 201))
        used += submit["requests"]
        out.append({"concurrency": c, "bare": bare, "submit": submit,
                    "ratio_submit_to_bare": round(submit["requests_per_s"] / bare["requests_per_s"], 3)})
        print(json.dumps(out[-1], ensure_ascii=False), flush=True)
    return out, used


# --- 4. profile --------------------------------------------------------------------------------------

PROFILE_PARTS = {  # label: (module path fragment, function name)
    "signing.sign (payload + key lookup + unwrap + SM2)": ("cases/signing.py", "sign"),
    "  signing.payload (canonical JSON of the application)": ("cases/signing.py", "payload"),
    "  keystore.sign (active key + SM4-GCM unwrap + SM2 sign)": ("crypto/keystore.py", "sign"),
    "    SM2 sign": ("crypto/sm.py", "sm2_sign"),
    "    private key unwrap + load": ("crypto/keystore.py", "_private_key"),
    "audit.record (all calls: chain head lock + SM3 hash + insert)": ("core/audit.py", "record"),
    "notify (inbox message + deliveries)": ("notifications/services.py", "notify"),
    "_material_problems": ("cases/services.py", "_material_problems"),
    "_event (timeline)": ("cases/services.py", "_event"),
    "_next_serial (case number upsert)": ("cases/services.py", "_next_serial"),
    "services.application_submit": ("cases/services.py", "application_submit"),
    "selectors.applicant_application": ("cases/selectors.py", "applicant_application"),
}


def profile(prep: dict, n: int) -> dict:
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client

    drafts = prep["drafts"][:n]
    db_time = [0.0]
    queries = [0]

    def wrapper(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_time[0] += time.perf_counter() - t
            queries[0] += 1

    client = Client(enforce_csrf_checks=True)
    client.cookies[prep["csrf_cookie"]] = prep["csrf"]

    def submit(public_id, session):
        client.cookies[prep["session_cookie"]] = session
        response = client.post(f"/api/v1/applications/{public_id}/submit", content_type="application/json",
                               headers={"X-CSRFToken": prep["csrf"]})
        assert response.status_code == 201, (response.status_code, response.content[:300])

    # the first 20 warm the process (imports, caches) and are not profiled
    for public_id, session in drafts[:20]:
        submit(public_id, session)
    drafts = drafts[20:]
    profiler = cProfile.Profile()
    with connection.execute_wrapper(wrapper):
        t0 = time.perf_counter()
        profiler.enable()
        for public_id, session in drafts:
            submit(public_id, session)
        profiler.disable()
        wall = time.perf_counter() - t0
    k = len(drafts)
    stats = pstats.Stats(profiler)
    stats.dump_stats(str(STATE / "submit.prof"))
    parts = {}
    for label, (fragment, name) in PROFILE_PARTS.items():
        total = sum(v[3] for (path, _, fn), v in stats.stats.items() if fn == name and path.endswith(fragment))
        parts[label] = round(total / k * 1000, 2)
    # cProfile inflates Python-heavy code; the un-profiled wall time is measured separately below
    return {"submits": k, "profiled_ms_per_submit": round(wall / k * 1000, 2),
            "queries_per_submit": round(queries[0] / k, 1), "db_ms_per_submit (profiled run)":
            round(db_time[0] / k * 1000, 2), "cumulative_ms_per_submit": parts,
            "profile_file": str(STATE / "submit.prof")}


def plain_timing(prep: dict, drafts: list) -> dict:
    from django.db import connection
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.cookies[prep["csrf_cookie"]] = prep["csrf"]
    db_time, queries, samples = [0.0], [0], []

    def wrapper(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_time[0] += time.perf_counter() - t
            queries[0] += 1

    with connection.execute_wrapper(wrapper):
        for public_id, session in drafts:
            client.cookies[prep["session_cookie"]] = session
            t = time.perf_counter()
            response = client.post(f"/api/v1/applications/{public_id}/submit", content_type="application/json",
                                   headers={"X-CSRFToken": prep["csrf"]})
            samples.append(time.perf_counter() - t)
            assert response.status_code == 201, response.status_code
    ms = [s * 1000 for s in samples]
    return {"submits": len(ms), "p50_ms": round(pct(ms, 50), 2), "p95_ms": round(pct(ms, 95), 2),
            "mean_ms": round(sum(ms) / len(ms), 2), "queries_per_submit": round(queries[0] / len(ms), 1),
            "db_ms_per_submit": round(db_time[0] / len(ms) * 1000, 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drafts", type=int, default=5000)
    parser.add_argument("--users", type=int, default=250)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--concurrency", default="8,16")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--profile", type=int, default=300)
    parser.add_argument("--fresh", action="store_true", help="drop the bench database first")
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--variant", default="", choices=["", "submit-lock-self"],
                        help="a candidate change to src/, monkeypatched in server and profile (bench_patches.py)")
    args = parser.parse_args()
    global VARIANT
    VARIANT = args.variant
    setup_django(args.fresh)
    t = time.perf_counter()
    prep = prepare(args.drafts, args.users)
    print(f"prepared {len(prep['drafts'])} drafts for {prep['users']} applicants in "
          f"{time.perf_counter() - t:.0f} s", flush=True)
    if args.prepare_only:
        return
    reserve = args.profile + 20 + 100
    from django.db import connections

    connections.close_all()
    vacuum()
    server = start_server(args.workers)
    try:
        load, used = run_load(prep, [int(c) for c in args.concurrency.split(",")], args.duration, reserve)
    finally:
        stop_server(server)
    import bench_patches

    bench_patches.apply(args.variant)
    prof = profile(prep, args.profile + 20)
    plain = plain_timing(prep, prep["drafts"][args.profile + 20:reserve])
    from django.conf import settings

    result = {
        "endpoint": "POST /api/v1/applications/{public_id}/submit", "baseline": "GET /bench/bare/ (JsonResponse)",
        "variant": args.variant or "as in src/",
        "server": f"gunicorn, {args.workers} workers x 4 threads (gthread), as govhall up; settings bench_settings "
                  f"(production profile, DEBUG={settings.DEBUG}, SSL redirect off)",
        "database": f"PostgreSQL database {PG_DATABASE} on 127.0.0.1 (TCP)",
        "drafts_prepared": len(prep["drafts"]), "drafts_submitted_under_load": used,
        "applicants": prep["users"], "items": prep["items"], "duration_s": args.duration,
        "signing_keys": "pre-generated for every applicant (steady state)",
        "load": load, "in_process_profile": prof, "in_process_unprofiled": plain,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}; load generator in the same machine (see its CPU share)",
    }
    out = ROOT / "bench" / "results" / f"cases-submit{'-' + args.variant if args.variant else ''}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
