"""RFC 6238 appendix B test vectors (SHA-1, 8 digits) and the authenticator-app defaults."""

import base64

import pytest

from govhall.login import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(("unix_time", "expected"), [
    (59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
    (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130"),
])
def test_the_rfc_6238_sha1_vectors(unix_time, expected):
    key = base64.b32decode(RFC_SECRET)
    assert totp.hotp(key, totp.time_step(unix_time), digits=8) == expected


def test_a_code_matches_its_step_and_the_neighbouring_ones_only():
    secret = totp.new_secret()
    now = 1_800_000_000
    code = totp.code_at(secret, now)
    assert totp.matching_step(secret, code, now) == totp.time_step(now)
    assert totp.matching_step(secret, code, now + 30) == totp.time_step(now)  # clock drift
    assert totp.matching_step(secret, code, now + 90) is None
    assert totp.matching_step(secret, "12ab56", now) is None


def test_the_provisioning_uri_names_issuer_account_and_secret():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", "wang.li", "GovHall")
    assert uri.startswith("otpauth://totp/GovHall%3Awang.li?secret=JBSWY3DPEHPK3PXP&issuer=GovHall")
    assert "digits=6" in uri and "period=30" in uri
