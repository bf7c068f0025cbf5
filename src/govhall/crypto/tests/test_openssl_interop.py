"""Interoperability with the OpenSSL 3 command line, the oracle a third party would use."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache

import pytest

from govhall.crypto import keys, sm

UID = "distid:1234567812345678"


@cache
def _openssl_problem() -> str:
    if not shutil.which("openssl"):
        return "the openssl binary is not installed"
    version = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout
    if not version.startswith("OpenSSL 3"):
        return f"needs OpenSSL 3 (found {version.strip()!r})"
    listed = subprocess.run(["openssl", "list", "-public-key-algorithms", "-digest-algorithms",
                             "-cipher-algorithms"], capture_output=True, text=True).stdout.upper()
    missing = [name for name in ("SM2", "SM3", "SM4-CBC") if name not in listed]
    return f"this OpenSSL lacks {', '.join(missing)}" if missing else ""


pytestmark = pytest.mark.skipif(bool(_openssl_problem()), reason=_openssl_problem() or "openssl ok")


def openssl(*args: str, stdin: bytes | None = None) -> bytes:
    done = subprocess.run(["openssl", *args], input=stdin, capture_output=True, timeout=30)
    if done.returncode:
        raise AssertionError(f"openssl {' '.join(args)} failed: {done.stderr.decode(errors='replace')}")
    return done.stdout


def test_our_signature_verifies_in_openssl(tmp_path):
    key = sm.sm2_generate()
    data = "行政许可证书 No. 341500-2026-000123".encode()
    (tmp_path / "pub.pem").write_text(keys.public_key_to_pem(key.public))
    (tmp_path / "data").write_bytes(data)
    (tmp_path / "sig").write_bytes(sm.sm2_sign(key, data))
    out = openssl("pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "pub.pem"), "-rawin",
                  "-digest", "sm3", "-pkeyopt", UID, "-in", str(tmp_path / "data"),
                  "-sigfile", str(tmp_path / "sig"))
    assert b"Signature Verified Successfully" in out


def test_openssl_refuses_our_signature_over_other_data(tmp_path):
    key = sm.sm2_generate()
    (tmp_path / "pub.pem").write_text(keys.public_key_to_pem(key.public))
    (tmp_path / "data").write_bytes(b"tampered")
    (tmp_path / "sig").write_bytes(sm.sm2_sign(key, b"original"))
    done = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "pub.pem"),
                           "-rawin", "-digest", "sm3", "-pkeyopt", UID, "-in", str(tmp_path / "data"),
                           "-sigfile", str(tmp_path / "sig")], capture_output=True)
    assert done.returncode != 0


def test_openssl_signature_with_our_key_verifies_here(tmp_path):
    key = sm.sm2_generate()
    (tmp_path / "key.pem").write_text(keys.private_key_to_pem(key))
    (tmp_path / "data").write_bytes(b"signed by openssl")
    signature = openssl("pkeyutl", "-sign", "-inkey", str(tmp_path / "key.pem"), "-rawin", "-digest", "sm3",
                        "-pkeyopt", UID, "-in", str(tmp_path / "data"))
    assert sm.sm2_verify(key.public, b"signed by openssl", signature)
    assert not sm.sm2_verify(key.public, b"signed by OpenSSL", signature)


def test_openssl_generated_key_loads_here_and_signs_both_ways(tmp_path):
    openssl("genpkey", "-algorithm", "SM2", "-out", str(tmp_path / "key.pem"))
    openssl("pkey", "-in", str(tmp_path / "key.pem"), "-pubout", "-out", str(tmp_path / "pub.pem"))
    key = keys.load_private_key((tmp_path / "key.pem").read_bytes())
    assert keys.load_public_key((tmp_path / "pub.pem").read_bytes()) == key.public
    assert keys.private_key_to_pem(key) == (tmp_path / "key.pem").read_text()  # byte for byte
    sec1 = openssl("pkey", "-in", str(tmp_path / "key.pem"), "-outform", "DER")  # OpenSSL writes SEC 1 here
    assert keys.load_private_key(sec1) == key
    (tmp_path / "data").write_bytes(b"x")
    (tmp_path / "sig").write_bytes(sm.sm2_sign(key, b"x"))
    assert b"Verified Successfully" in openssl(
        "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "pub.pem"), "-rawin", "-digest", "sm3",
        "-pkeyopt", UID, "-in", str(tmp_path / "data"), "-sigfile", str(tmp_path / "sig"))


def test_our_keys_load_in_openssl_with_the_same_public_key(tmp_path):
    key = sm.sm2_generate()
    (tmp_path / "key.pem").write_text(keys.private_key_to_pem(key))
    (tmp_path / "pub.der").write_bytes(keys.public_key_to_der(key.public))
    text = openssl("pkey", "-in", str(tmp_path / "key.pem"), "-noout", "-text").decode()
    assert "SM2" in text
    derived = openssl("pkey", "-in", str(tmp_path / "key.pem"), "-pubout", "-outform", "DER")
    assert derived == keys.public_key_to_der(key.public)
    assert openssl("pkey", "-pubin", "-inform", "DER", "-in", str(tmp_path / "pub.der"), "-outform", "DER") \
        == keys.public_key_to_der(key.public)


def test_sm3_matches_openssl_dgst():
    data = "政务服务".encode() * 10_000
    assert openssl("dgst", "-sm3", "-binary", stdin=data) == sm.sm3(data)


@pytest.mark.parametrize("size", [0, 5, 16, 1000])
def test_sm4_cbc_matches_openssl_enc_both_ways(size):
    key, iv = bytes.fromhex("0123456789abcdeffedcba9876543210"), bytes(range(16))
    data = (b"0123456789abcdef" * 64)[:size]
    ours = sm.sm4_cbc_encrypt(key, iv, data)
    theirs = openssl("enc", "-sm4-cbc", "-K", key.hex(), "-iv", iv.hex(), stdin=data)
    assert ours == theirs
    assert openssl("enc", "-d", "-sm4-cbc", "-K", key.hex(), "-iv", iv.hex(), stdin=ours) == data
    assert sm.sm4_cbc_decrypt(key, iv, theirs) == data


def test_sm2_ciphertext_from_openssl_decrypts_here_and_ours_decrypts_there(tmp_path):
    key = sm.sm2_generate()
    (tmp_path / "key.pem").write_text(keys.private_key_to_pem(key))
    (tmp_path / "pub.pem").write_text(keys.public_key_to_pem(key.public))
    theirs = openssl("pkeyutl", "-encrypt", "-pubin", "-inkey", str(tmp_path / "pub.pem"), stdin=b"from openssl")
    assert sm.sm2_decrypt(key, theirs) == b"from openssl"
    assert sm.sm2_decrypt(key, sm.ciphertext_to_raw(theirs)) == b"from openssl"
    (tmp_path / "ct").write_bytes(sm.sm2_encrypt(key.public, "来自本平台".encode()))
    assert openssl("pkeyutl", "-decrypt", "-inkey", str(tmp_path / "key.pem"),
                   "-in", str(tmp_path / "ct")) == "来自本平台".encode()
