"""Public licence verification under load: ``GET /api/v1/licenses/verify?identifier=…`` on a real
server, beside a bare Django JSON view on the same server.

Usage:  .venv/bin/python bench/licences_verify_load.py [--licences 1000] [--duration 20]
                                                       [--connections 16,64] [--fresh]

Method:
1. prepare (this process): PostgreSQL database ``govhall_bench_verify`` (state in
   /tmp/govhall-bench-verify/), migrated; one organ, one licence type and ``--licences`` licences
   issued through ``licenses.services.licence_issue`` (each also appended to the transparency log);
   every tenth one revoked, so that the answers are a mix of valid and revoked. VACUUM (ANALYZE).
2. serve: gunicorn exactly as ``govhall up`` starts it (2 workers, 4 threads), production settings plus
   the bench-only ``/bench/bare/`` view (bench_urls.py), as in bench/submit_load.py.
3. load: ``wrk`` (Debian package ``wrk``; C, so the load generator takes little of the 2 cores) with a
   Lua script that picks a random identifier per request; anonymous requests, no cookies, keep-alive.
   For each connection count: the bare view, then the verify API, ``--duration`` seconds each, after a
   5-second (bare) or 10-second (verify) warm-up; the first verify run of a fresh server was 40 %
   slower with a 5-second warm-up. A sample of answers is checked first (authentic and valid / revoked as issued).
Results: stdout and bench/results/licences-verify-<date>.json. Not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import submit_load as server  # noqa: E402  (gunicorn start/stop and the environment, shared)

server.STATE = Path("/tmp/govhall-bench-verify")
server.PG_DATABASE = "govhall_bench_verify"
server.PORT = 8093


def prepare(n: int) -> list[str]:
    from django.core.management import call_command

    from govhall.catalog import testing
    from govhall.licenses import services
    from govhall.licenses.models import Licence, LicenceType

    call_command("migrate", verbosity=0)
    if Licence.objects.count() >= n:
        return list(Licence.objects.order_by("pk").values_list("identifier", flat=True)[:n])
    organ = testing.make_organ(testing.region_tree()["city"], name="六安市市场监督管理局")
    schema = [{"name": "premises", "label_zh": "经营场所", "label_en": "Premises", "type": "text", "required": True,
               "public": True}]
    kind = LicenceType.objects.filter(type_code=organ.credit_code + "002").first() or services.licence_type_create(
        actor=None, type_code=organ.credit_code + "002", name="食品经营许可证", holder_kind="legal_person",
        face_schema=schema, defining_organ=organ, validity_years=5, template="licences/food_business")
    identifiers = []
    for i in range(n):
        code = testing.make_credit_code("341500", 80000000 + i)
        licence = services.licence_issue(actor=None, licence_type=kind, issuer=organ, holder_name=f"测试商户{i}",
                                         holder_code=code, face={"premises": f"六安市金安区测试路{i}号"})
        if i % 10 == 9:
            services.licence_revoke(actor=None, licence=licence, reason="基准测试")
        identifiers.append(licence.identifier)
        if i % 200 == 199:
            print(f"  issued {i + 1}", flush=True)
    return identifiers


def check_answers(identifiers: list[str]) -> dict:
    seen = {}
    for i in (0, 9, 10, 19):
        url = f"http://127.0.0.1:{server.PORT}/api/v1/licenses/verify?identifier={identifiers[i]}"
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 (loopback)
            body = json.loads(r.read())
        seen[identifiers[i]] = (body["authentic"], body["status"])
    expected = {identifiers[i]: (True, "revoked" if i % 10 == 9 else "valid") for i in (0, 9, 10, 19)}
    if seen != expected:
        raise SystemExit(f"wrong answers before the load: {seen}")
    return {"checked": len(seen)}


LUA = """
local ids = {%s}
math.randomseed(7)
request = function()
  return wrk.format("GET", "/api/v1/licenses/verify?identifier=" .. ids[math.random(#ids)])
end
"""


def wrk(path: str | None, connections: int, duration: int, script: Path | None) -> dict:
    url = f"http://127.0.0.1:{server.PORT}{path or '/'}"
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-H", "Accept: application/json"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def latency(p: str) -> float:
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", out)
        value, unit = float(m.group(1)), m.group(2)
        return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2)

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"connections": connections, "requests_per_s": rps, "p50_ms": latency("50"), "p90_ms": latency("90"),
            "p99_ms": latency("99"), "non_2xx": int(errors.group(1)) if errors else 0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--licences", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", default="16,64")
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    server.setup_django(args.fresh)
    identifiers = prepare(args.licences)
    server.vacuum()
    script = server.STATE / "verify.lua"
    script.write_text(LUA % ",".join(f'"{i}"' for i in identifiers))
    gunicorn = server.start_server(2)
    results = []
    try:
        check = check_answers(identifiers)
        for c in [int(x) for x in args.connections.split(",")]:
            wrk("/bench/bare/", c, 5, None)  # warm-up
            bare = wrk("/bench/bare/", c, args.duration, None)
            wrk(None, c, 10, script)  # warm-up: each worker thread's connection, the row cache
            verify = wrk(None, c, args.duration, script)
            row = {"connections": c, "bare": bare, "verify": verify,
                   "ratio_verify_to_bare": round(verify["requests_per_s"] / bare["requests_per_s"], 2)}
            print(json.dumps(row, ensure_ascii=False), flush=True)
            results.append(row)
    finally:
        server.stop_server(gunicorn)
    out = {"endpoint": "GET /api/v1/licenses/verify", "licences": len(identifiers), "answers_checked": check,
           "server": "gunicorn 2 workers x 4 threads, production settings", "load_generator": "wrk -t2",
           "database": "PostgreSQL", "duration_s": args.duration, "load": results,
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg": os.getloadavg()}}
    path = BENCH / "results" / f"licences-verify-{dt.date.today()}.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=2))
    print(f"written {path}")


if __name__ == "__main__":
    main()
