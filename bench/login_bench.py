"""Login benchmark: full login round trips with the production password hasher (Argon2id).

Usage:  .venv/bin/python bench/login_bench.py [--db sqlite|postgres|both] [--rounds 200]

Method: one process, Django's test client (full middleware stack including the session-generation
middleware, templates, sessions and audit chain in the database; no network), production settings
profile ``govhall.settings.base`` (GovHallArgon2PasswordHasher: time_cost 1, memory_cost 47104 KiB,
parallelism 1; NOT the MD5 hasher of the tests). Each round is a fresh client:
- staff: POST password → POST TOTP code (a staff user with a confirmed authenticator);
- citizen: POST password (no second factor).
The clock is moved 31 s between staff logins (time_machine) so that no TOTP code is a replay.
After a warm-up of 10 logins, p50/p95 over ``rounds`` logins of each kind. Also times one Argon2
hash. Results go to stdout and bench/results/login-<db>.json. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup_django, summarise  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
USERS = 50
PASSWORD = "Bench-Login-2026"


def setup(db: str) -> None:
    setup_django(db, f"bench-login-{db}", "govhall_bench_login")

def personas() -> tuple[list, list, dict]:
    from govhall.catalog import testing
    from govhall.catalog.models import Organ
    from govhall.identity.models import StaffRole, User
    from govhall.identity.roles import Role
    from govhall.login import factors

    organ = Organ.objects.first()
    if organ is None:
        organ = testing.make_organ(testing.region_tree()["city"], name="六安市市场监督管理局")
    staff, citizens, secrets = [], [], {}
    for i in range(USERS):
        user, created = User.objects.get_or_create(username=f"bench_staff_{i}")
        if created:
            user.set_password(PASSWORD)
            user.save()
            StaffRole.objects.create(user=user, role=Role.CATALOG_ADMIN, organ=organ)
            factors.totp_enrolment_start(user=user)
            from govhall.login.models import TotpDevice

            TotpDevice.objects.filter(user=user).update(confirmed_at=dt.datetime.now(dt.UTC))
        secrets[user.pk] = factors._secret(factors.confirmed_device(user))
        staff.append(user)
        citizen, created = User.objects.get_or_create(username=f"bench_citizen_{i}")
        if created:
            citizen.set_password(PASSWORD)
            citizen.save()
        citizens.append(citizen)
    return staff, citizens, secrets


def run_one(db: str, rounds: int) -> dict:
    setup(db)
    import time_machine
    from django.contrib.auth import SESSION_KEY
    from django.contrib.auth.hashers import get_hasher, make_password
    from django.core.management import call_command
    from django.test import Client

    from govhall.login import totp

    call_command("migrate", verbosity=0)
    staff, citizens, secrets = personas()

    hash_samples = []
    for _ in range(20):
        t = time.perf_counter()
        make_password(PASSWORD)
        hash_samples.append(time.perf_counter() - t)

    def citizen_login(user):
        client = Client()
        response = client.post("/account/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302 and SESSION_KEY in client.session, response.status_code

    def staff_login(user):
        client = Client()
        response = client.post("/account/login/", {"username": user.username, "password": PASSWORD})
        assert response["Location"] == "/account/login/totp/", response.status_code
        code = totp.code_at(secrets[user.pk], time.time())
        response = client.post("/account/login/totp/", {"code": code})
        assert response.status_code == 302 and SESSION_KEY in client.session, response.status_code

    from django.db.models import Max

    from govhall.login.models import TotpDevice

    # later than every step an earlier run accepted, else its codes would be (rightly) refused as replays
    last_step = TotpDevice.objects.aggregate(m=Max("last_step"))["m"] or 0
    start = max(dt.datetime.now(dt.UTC), dt.datetime.fromtimestamp((last_step + 2) * 30, dt.UTC))
    result = {"db": db, "rounds": rounds}
    with time_machine.travel(start, tick=True) as clock:
        for kind, users, fn in (("citizen_password", citizens, citizen_login),
                                ("staff_password_totp", staff, staff_login)):
            for i in range(10):  # warm-up
                clock.shift(31)
                fn(users[i % len(users)])
            samples = []
            for i in range(rounds):
                clock.shift(31)  # outside the timing: a new TOTP step for every staff login
                t = time.perf_counter()
                fn(users[i % len(users)])
                samples.append(time.perf_counter() - t)
            result[kind] = summarise(samples)
    hasher = get_hasher()
    result["argon2_hash"] = summarise(hash_samples) | {
        "hasher": type(hasher).__name__, "time_cost": hasher.time_cost, "memory_cost_kib": hasher.memory_cost,
        "parallelism": hasher.parallelism}
    result["machine"] = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
                         f"{platform.python_version()}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    if args.db == "both":  # one process per database: Django is set up once per process
        for db in ("sqlite", "postgres"):
            subprocess.run([sys.executable, __file__, "--db", db, "--rounds", str(args.rounds)], check=True)
        return
    result = run_one(args.db, args.rounds)
    out = ROOT / "bench" / "results" / f"login-{args.db}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
