"""Federation: the signed request/response round trip between two GovHall nodes on loopback.

Usage:  .venv/bin/python bench/federation_bench.py [--db sqlite|postgres] [--requests 500]
                                                   [--threads 1,4] [--fresh]

Method:
1. Node A (Lu'an, code 341500) is this process; node B (Hefei, 340100) is a gunicorn server started
   as ``govhall up`` starts it (2 workers, 4 threads), each with its own database (SQLite files, or
   PostgreSQL databases ``govhall_bench_fed_a`` / ``_b``), master key and SM2 node key, migrated and
   trusting each other's public key through ``govhall federation descriptor`` / ``trust``. Node B
   issues one licence.
2. Round trip: ``govhall.federation.client.exchange(B, "licenses.verify", {identifier})`` from A:
   A builds and signs the request (key store: unwrap + SM2 sign), POSTs it, B parses, verifies the
   signature against A's key, claims the message id (replay guard), answers from its licence
   register, signs the answer, writes request and answer to its message log; A verifies the answer
   (signature, request id, SM3 of the request), writes both to its log. Everything a production
   exchange does; 20 warm-up exchanges first.
3. Latency: ``--requests`` exchanges one after another (p50/p95/p99). Throughput: the same number
   spread over each ``--threads`` count (one HTTP session per thread), requests/s = n / wall time.
4. SM2 share: both sides accumulate the time spent in SM2 signing (key store call: key unwrap + sign)
   and verification in ``federation.envelope.sm2_clock``; B reports its part in the ``Server-Timing``
   header, read here. Share = (A's SM2 time + B's SM2 time) / round-trip time. Besides, the raw
   primitives (``crypto.sm.sm2_sign`` / ``sm2_verify`` on the same message bytes, no key store) are
   timed to show what the cryptography alone costs: 2 signatures + 2 verifications per round trip.
5. Server side alone: node A's ``server.receive`` in a loop in this process (no HTTP, no competing
   client), for requests signed by a bench peer: what one node spends answering, and its SM2 share.
Results: stdout and bench/results/federation-<db>.json. Not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
STATE = Path("/tmp/govhall-bench-federation")
sys.path.insert(0, str(BENCH))

from common import pct, summarise  # noqa: E402

SETUP_B = r"""
import json, sys
from govhall.catalog import services as catalog, testing
from govhall.federation import selectors, services
from govhall.licenses import services as licences
from govhall.licenses.models import Licence
lic = Licence.objects.first()
if lic is None:
    region = testing.region_tree()["hefei"]
    organ = catalog.organ_create(actor=None, credit_code=testing.make_credit_code("340100", 99000001),
                                 name="合肥市市场监督管理局", region=region, level="3", nature="1")
    schema = [{"name": "business_name", "label_zh": "经营者名称", "label_en": "Operator", "type": "text",
               "required": True, "public": True}]
    kind = licences.licence_type_create(actor=None, type_code=organ.credit_code + "002", name="食品经营许可证",
                                        holder_kind="legal_person", face_schema=schema, defining_organ=organ,
                                        validity_years=5, template="licences/food_business")
    lic = licences.licence_issue(actor=None, licence_type=kind, issuer=organ, holder_name="合肥庐州茶社有限公司",
                                 holder_code="91341502MA2TEA019F", face={"business_name": "合肥庐州茶社有限公司"})
services.node_key_ensure(actor=None)
services.peer_trust(actor=None, descriptor=json.loads(sys.stdin.read()))
print("RESULT=" + json.dumps({"descriptor": selectors.descriptor(), "identifier": lic.identifier,
                              "issuer": lic.issuer.credit_code}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node_env(name: str, code: str, db: str, port: int) -> dict:
    home = STATE / name
    home.mkdir(parents=True, exist_ok=True)
    keyfile = home / "keys.json"
    if not keyfile.exists():
        keyfile.write_text(json.dumps({"SECRET_KEY": secrets.token_urlsafe(40), "GOVHALL_MASTER_KEY": secrets.token_hex(32)}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVHALL_", "DATABASE_URL", "DJANGO_"))}
    env.update(json.loads(keyfile.read_text()))
    if db == "postgres":
        database = f"govhall_bench_fed_{name}"
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
                conn.execute(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{home / 'db.sqlite3'}"
    env.update({"DJANGO_SETTINGS_MODULE": "govhall.settings.base", "GOVHALL_VAR_DIR": str(home / "var"),
                "GOVHALL_DEMO": "0", "GOVHALL_NODE_CODE": code, "GOVHALL_NODE_BASE_URL": f"http://127.0.0.1:{port}",
                "GOVHALL_NODE_NAME": {"340100": "合肥市政务服务网", "341500": "六安市政务服务网"}[code],
                "GOVHALL_HOME_REGION": code, "GOVHALL_LOG_LEVEL": "WARNING", "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "GOVHALL_TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                "GOVHALL_FEDERATION_RETRIES": "0", "GOVHALL_FEDERATION_BREAKER_FAILURES": "1000"})
    return env


def govhall(env: dict, *args: str, stdin: str = "") -> str:
    done = subprocess.run([str(BIN / "govhall"), *args], input=stdin, env=env, capture_output=True, text=True,
                          timeout=600)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return done.stdout


def timed_primitives(message: bytes, rounds: int = 300) -> dict:
    from govhall.crypto import sm

    key = sm.sm2_generate()
    signature = sm.sm2_sign(key, message)
    started = time.perf_counter()
    for _ in range(rounds):
        sm.sm2_sign(key, message)
    sign = (time.perf_counter() - started) / rounds
    started = time.perf_counter()
    for _ in range(rounds):
        sm.sm2_verify(key.public, message, signature)
    verify = (time.perf_counter() - started) / rounds
    return {"sign_ms": round(sign * 1000, 3), "verify_ms": round(verify * 1000, 3),
            "per_round_trip_ms": round((2 * sign + 2 * verify) * 1000, 3)}


def server_in_process(identifier: str, n: int = 300) -> dict:
    """Node A's own endpoint logic (``server.receive``: parse, verify, replay guard, handler, sign,
    log) called in a loop in this process: no HTTP, no client competing for the CPU. The requester
    is a bench peer whose raw key signs the requests (prepared beforehand, not timed)."""
    from govhall.crypto import keys, sm
    from govhall.federation import envelope, server, services

    key, key_id = sm.sm2_generate(), f"bench-{secrets.token_hex(4)}"
    services.peer_trust(actor=None, descriptor={"code": "bench-peer", "name": "bench", "base_url": "http://127.0.0.1:9",
                                                "keys": [{"key_id": key_id,
                                                          "public_key_pem": keys.public_key_to_pem(key.public)}]})
    wires = [envelope.seal(envelope.request_message(sender="bench-peer", receiver="341500",
                                                    operation="licenses.verify", body={"identifier": identifier},
                                                    case_number="BENCH-1", purpose="性能测试 / benchmark"),
                           signer=lambda data: (key_id, sm.sm2_sign(key, data))).wire for _ in range(n + 20)]
    for wire in wires[:20]:
        server.receive(wire)
    totals, sm2 = [], []
    for wire in wires[20:]:
        reply = server.receive(wire)
        assert reply.status == 200
        totals.append(reply.total_seconds)
        sm2.append(reply.sm2_seconds)
    return summarise(totals) | {"sm2_ms_per_request": round(statistics.mean(sm2) * 1000, 3),
                                "sm2_share": round(sum(sm2) / sum(totals), 3)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--threads", default="1,4")
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    if args.fresh and STATE.exists():
        shutil.rmtree(STATE)
    port_b = free_port()
    env_a, env_b = node_env("a", "341500", args.db, 9), node_env("b", "340100", args.db, port_b)
    print("migrating both nodes ...", flush=True)
    govhall(env_a, "migrate", "--noinput")
    govhall(env_b, "migrate", "--noinput")
    descriptor_a = json.loads(govhall(env_a, "federation", "descriptor"))
    out = govhall(env_b, "shell", "-c", SETUP_B, stdin=json.dumps(descriptor_a))
    result = json.loads(out.split("RESULT=", 1)[1])

    # node A is this process
    os.environ.clear()
    os.environ.update(env_a)
    import django

    django.setup()
    from govhall.federation import client, envelope, services

    services.peer_trust(actor=None, descriptor=result["descriptor"], issuer_prefixes=[result["issuer"]])
    log = open(STATE / "b-gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen([str(BIN / "gunicorn"), "govhall.wsgi", "-b", f"127.0.0.1:{port_b}", "--workers", "2",
                               "--threads", "4", "--log-level", "warning"], env=env_b, stdout=log, stderr=log,
                              start_new_session=True)
    try:
        import requests

        for _ in range(150):
            try:
                requests.get(f"http://127.0.0.1:{port_b}/federation/v1/messages", timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        server_sm2 = threading.local()

        class TimedSession(requests.Session):
            def post(self, *a, **kw):
                response = super().post(*a, **kw)
                timing = dict(part.strip().split(";dur=") for part in response.headers.get("Server-Timing", "").split(",")
                              if ";dur=" in part)
                server_sm2.ms = float(timing.get("sm2", 0))
                server_sm2.total = float(timing.get("total", 0))
                return response

        local = threading.local()

        def session():
            if not hasattr(local, "s"):
                local.s = TimedSession()
            return local.s

        client._session = session
        body = {"identifier": result["identifier"]}

        def one() -> tuple[float, float, float, float]:
            token = envelope.sm2_clock.set(0.0)
            started = time.perf_counter()
            answer = client.exchange("340100", "licenses.verify", body, case_number="BENCH-1",
                                     purpose="性能测试 / benchmark")
            elapsed = time.perf_counter() - started
            assert answer.body["valid"] is True
            mine = envelope.sm2_clock.get()
            envelope.sm2_clock.reset(token)
            return elapsed, mine, server_sm2.ms / 1000, server_sm2.total / 1000

        for _ in range(20):
            one()
        samples = [one() for _ in range(args.requests)]
        latency = summarise([s[0] for s in samples])
        total = sum(s[0] for s in samples)
        sm2_a, sm2_b = sum(s[1] for s in samples), sum(s[2] for s in samples)
        server_total = sum(s[3] for s in samples)
        sealed = envelope.seal(envelope.request_message(sender="341500", receiver="340100", operation="licenses.verify",
                                                        body=body, case_number="BENCH-1", purpose="性能测试 / benchmark"))
        primitives = timed_primitives(sealed.signed_bytes)
        report = {
            "date": dt.date.today().isoformat(), "db": args.db, "machine": f"{platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} cores", "requests": args.requests,
            "sequential": latency | {"requests_per_s": round(args.requests / total, 1)},
            "sm2": {
                "client_ms_per_request": round(sm2_a / len(samples) * 1000, 3),
                "server_ms_per_request": round(sm2_b / len(samples) * 1000, 3),
                "server_handling_ms_per_request": round(server_total / len(samples) * 1000, 3),
                "share_of_round_trip": round((sm2_a + sm2_b) / total, 3),
                "primitives": primitives,
                "primitive_share_of_round_trip": round(primitives["per_round_trip_ms"] / (total / len(samples) * 1000), 3),
            },
            "concurrent": {},
        }
        for threads in [int(t) for t in args.threads.split(",") if t]:
            per_thread = max(1, args.requests // threads)
            times: list[float] = []
            lock = threading.Lock()

            def work(n=per_thread, times=times, lock=lock):
                mine = []
                for _ in range(n):
                    started = time.perf_counter()
                    answer = client.exchange("340100", "licenses.verify", body, case_number="BENCH-1",
                                             purpose="性能测试 / benchmark")
                    assert answer.body["valid"] is True
                    mine.append(time.perf_counter() - started)
                from django.db import connection

                connection.close()
                with lock:
                    times.extend(mine)

            pool = [threading.Thread(target=work) for _ in range(threads)]
            started = time.perf_counter()
            for t in pool:
                t.start()
            for t in pool:
                t.join()
            wall = time.perf_counter() - started
            report["concurrent"][str(threads)] = summarise(times) | {"requests_per_s": round(len(times) / wall, 1)}
        report["server_in_process"] = server_in_process(result["identifier"])
        print(json.dumps(report, ensure_ascii=False, indent=2))
        out_path = BENCH / "results" / f"federation-{args.db}.json"
        out_path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        print(f"written to {out_path.relative_to(ROOT)}; p50 {latency['p50_ms']} ms, p95 {latency['p95_ms']} ms, "
              f"p99 {pct([s[0] * 1000 for s in samples], 99):.2f} ms, median SM2 client "
              f"{statistics.median(s[1] for s in samples) * 1000:.2f} ms")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
