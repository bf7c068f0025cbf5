"""ID-token validation benchmark: how many ID tokens per second a client platform can check.

Usage:  .venv/bin/python bench/oidc_bench.py [--count 5000]

Method: one process, one core, no Django, no network. A 2048-bit RSA key is generated the way
``govhall.oidc.keys`` generates it; a realistic ID token (our claims: iss, aud, sub, iat, exp,
auth_time, nonce, at_hash, trust_level, name) is signed RS256 once. The JWKS is serialised to JSON
and imported again, as a client would after fetching ``/oauth/jwks``. Then ``--count`` validations
are timed (wall clock, after 200 warm-up runs), each: parse, pick the key by kid, verify the RS256
signature, check iss/aud/exp/nonce. Two client libraries: Authlib's ``authlib.jose`` (what
examples and tests use; deprecated by Authlib in favour of joserfc) and ``joserfc``. The median of
3 rounds is reported. Results go to stdout and bench/results/oidc.json. Goal: > 1,000/s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
import warnings
from pathlib import Path

from joserfc import jwt as rfc_jwt
from joserfc.jwk import KeySet, RSAKey

ROOT = Path(__file__).resolve().parent.parent
ISS, AUD, NONCE = "https://www.example.gov.cn", "govhall-demo-platform", "n-0S6_WzA2Mj"


def make_token() -> tuple[str, dict]:
    key = RSAKey.generate_key(2048, private=True)
    key = RSAKey.import_key(key.as_pem(private=True), parameters={"kid": key.thumbprint(), "use": "sig",
                                                                   "alg": "RS256"})
    now = int(time.time())
    claims = {"iss": ISS, "aud": [AUD], "sub": "10086", "iat": now, "exp": now + 3600, "auth_time": now,
              "nonce": NONCE, "at_hash": "77QmUPtjPfzWtF2AnpK9RQ", "trust_level": 3, "name": "张三"}
    token = rfc_jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)
    jwks = json.loads(json.dumps({"keys": [key.as_dict(private=False)]}))
    return token, jwks


def joserfc_validator(jwks: dict):
    key_set = KeySet.import_key_set(jwks)
    registry = rfc_jwt.JWTClaimsRegistry(iss={"essential": True, "value": ISS}, aud={"essential": True, "value": AUD},
                                         nonce={"essential": True, "value": NONCE}, exp={"essential": True})

    def validate(token: str) -> None:
        registry.validate(rfc_jwt.decode(token, key_set, algorithms=["RS256"]).claims)

    return validate


def authlib_validator(jwks: dict):
    warnings.filterwarnings("ignore", message="authlib.jose module is deprecated")
    from authlib.jose import JsonWebKey, JsonWebToken

    key_set = JsonWebKey.import_key_set(jwks)
    jwt = JsonWebToken(["RS256"])
    options = {"iss": {"essential": True, "value": ISS}, "aud": {"essential": True, "value": AUD},
               "nonce": {"essential": True, "value": NONCE}, "exp": {"essential": True}}

    def validate(token: str) -> None:
        jwt.decode(token, key_set, claims_options=options).validate()

    return validate


def measure(validate, token: str, count: int) -> float:
    for _ in range(200):
        validate(token)
    rounds = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(count):
            validate(token)
        rounds.append(count / (time.perf_counter() - start))
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    args = parser.parse_args()
    token, jwks = make_token()
    results = {}
    for name, factory in (("authlib.jose", authlib_validator), ("joserfc", joserfc_validator)):
        validate = factory(jwks)
        results[name] = round(measure(validate, token, args.count))
        print(f"{name:>13}: {results[name]:>7,} ID tokens validated per second ({args.count:,} per round, median of 3)")
    report = {"validations_per_round": args.count, "per_second": results, "goal_per_second": 1000,
              "python": platform.python_version(), "machine": platform.machine(),
              "cpus": os.cpu_count(), "load_average": os.getloadavg()}
    out = ROOT / "bench" / "results" / "oidc.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
