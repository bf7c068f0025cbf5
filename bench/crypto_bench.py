"""Crypto benchmark: our SM2/SM3/SM4 interface beside ``openssl speed`` on the same machine.

Usage:  .venv/bin/python bench/crypto_bench.py [--seconds 2]

Method: one process, one core, no Django. Each figure of ours is a loop over govhall.crypto.sm for
``--seconds`` of process CPU time after a short warm-up (``openssl speed`` also counts CPU time): SM2 sign/verify of a 32-byte message (Z_A and SM3 included, as
in real use) and of a precomputed 32-byte digest (what ``openssl speed sm2`` measures); SM3, SM4-GCM
and SM4-CBC over 1 MiB buffers. OpenSSL's figures come from ``openssl speed -mr -seconds N`` (``sm2``;
``-bytes 1048576 -evp sm3 / sm4-gcm / sm4-cbc``). OpenSSL 3.0 has no SM4-GCM, so SM4-CTR (GCM's
keystream without GHASH, an upper bound) stands in and the result says so. MB/s = 10^6 bytes/s.
The load average is recorded: on a shared machine the figures move with it.
Results go to stdout and bench/results/crypto.json. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from govhall.crypto import sm  # noqa: E402 - after the path set-up

MIB = 1024 * 1024


def rate(fn, seconds: float) -> float:
    """Calls per CPU-second of ``fn`` over about ``seconds`` of process CPU time (after a 0.2 s
    warm-up). CPU time, like ``openssl speed`` without ``-elapsed``, so both sides are measured alike
    and other processes on the machine matter less."""
    end = time.process_time() + 0.2
    while time.process_time() < end:
        fn()
    count, start = 0, time.process_time()
    end = start + seconds
    while (now := time.process_time()) < end:
        for _ in range(10):
            fn()
        count += 10
    return count / (now - start)


def ours(seconds: float) -> dict:
    key = sm.sm2_generate()
    message = os.urandom(32)
    digest = sm.sm3(sm.sm2_z(key.public) + message)
    signature = sm.sm2_sign(key, message)
    digest_signature = sm.sm2_sign_digest(key, digest)
    buffer = os.urandom(MIB)
    sm4_key, iv = os.urandom(16), os.urandom(16)
    return {
        "sm2_sign_per_s": rate(lambda: sm.sm2_sign(key, message), seconds),
        "sm2_verify_per_s": rate(lambda: sm.sm2_verify(key.public, message, signature), seconds),
        "sm2_sign_digest_per_s": rate(lambda: sm.sm2_sign_digest(key, digest), seconds),
        "sm2_verify_digest_per_s": rate(lambda: sm.sm2_verify_digest(key.public, digest, digest_signature),
                                        seconds),
        "sm3_mb_s": rate(lambda: sm.sm3(buffer), seconds) * MIB / 1e6,
        "sm4_gcm_mb_s": rate(lambda: sm.sm4_gcm_encrypt(sm4_key, buffer), seconds) * MIB / 1e6,
        "sm4_cbc_mb_s": rate(lambda: sm.sm4_cbc_encrypt(sm4_key, iv, buffer), seconds) * MIB / 1e6,
    }


def openssl_speed(*args: str) -> list[list[str]]:
    done = subprocess.run(["openssl", "speed", "-mr", *args], capture_output=True, text=True, timeout=300)
    return [line.split(":") for line in done.stdout.splitlines() if re.match(r"\+F\d*:", line)]


def openssl_figures(seconds: int) -> dict:
    figures: dict = {"version": subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()}
    for row in openssl_speed("-seconds", str(seconds), "sm2"):
        if "SM2" in row[3].upper():
            figures["sm2_sign_per_s"], figures["sm2_verify_per_s"] = float(row[4]), float(row[5])
    for name, algorithm in (("sm3", "sm3"), ("sm4_gcm", "sm4-gcm"), ("sm4_cbc", "sm4-cbc")):
        rows = openssl_speed("-seconds", str(seconds), "-bytes", str(MIB), "-evp", algorithm)
        if not rows and algorithm == "sm4-gcm":
            rows = openssl_speed("-seconds", str(seconds), "-bytes", str(MIB), "-evp", "sm4-ctr")
            figures["sm4_gcm_note"] = "OpenSSL 3.0 has no SM4-GCM; SM4-CTR (no GHASH) stands in"
        if rows:
            figures[f"{name}_mb_s"] = float(rows[-1][-1]) / 1e6
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=2)
    args = parser.parse_args()
    load_before = os.getloadavg()
    mine, theirs = ours(args.seconds), openssl_figures(args.seconds)
    load_after = os.getloadavg()
    rows = []
    for metric, value in mine.items():
        reference = theirs.get(metric.replace("_digest", ""))
        rows.append({"metric": metric, "ours": round(value, 1),
                     "openssl": round(reference, 1) if reference else None,
                     "ratio": round(value / reference, 2) if reference else None})
    result = {"machine": {"cpu": _cpu(), "cores": os.cpu_count(), "python": platform.python_version(),
                          "openssl": theirs["version"],
                          "load_average_1m_before_after": [round(load_before[0], 2), round(load_after[0], 2)]},
              "seconds_per_figure": args.seconds, "rows": rows,
              "notes": [theirs["sm4_gcm_note"]] if "sm4_gcm_note" in theirs else []}
    print(f"{'metric':26} {'ours':>10} {'openssl':>10} {'ratio':>6}")
    for row in rows:
        print(f"{row['metric']:26} {row['ours']:>10} {row['openssl'] or '-':>10} {row['ratio'] or '-':>6}")
    print(f"load average (1 min) before/after: {load_before[0]:.2f} / {load_after[0]:.2f} on {os.cpu_count()} cores")
    for note in result["notes"]:
        print("note:", note)
    out = ROOT / "bench" / "results" / "crypto.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    main()
