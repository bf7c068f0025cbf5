"""SM2 key files: PKCS#8 and SubjectPublicKeyInfo, DER and PEM, other curves refused."""

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import pem

from govhall.crypto import keys, sm

from . import vectors as v


def test_private_and_public_keys_round_trip_in_der_and_pem():
    key = sm.sm2_generate()
    assert keys.load_private_key(keys.private_key_to_der(key)) == key
    assert keys.load_private_key(keys.private_key_to_pem(key)) == key
    assert keys.load_private_key(keys.private_key_to_pem(key).encode()) == key
    assert keys.load_public_key(keys.public_key_to_der(key.public)) == key.public
    assert keys.load_public_key(keys.public_key_to_pem(key.public)) == key.public
    assert keys.private_key_to_pem(key).startswith("-----BEGIN PRIVATE KEY-----")
    assert keys.public_key_to_pem(key.public).startswith("-----BEGIN PUBLIC KEY-----")


def test_key_files_name_id_ec_public_key_and_the_sm2_curve():
    key = sm.sm2_generate()
    spki = asn1_keys.PublicKeyInfo.load(keys.public_key_to_der(key.public))
    assert spki["algorithm"]["algorithm"].dotted == "1.2.840.10045.2.1"
    assert spki["algorithm"]["parameters"].chosen.dotted == "1.2.156.10197.1.301"
    info = asn1_keys.PrivateKeyInfo.load(keys.private_key_to_der(key))
    assert info["private_key_algorithm"]["parameters"].chosen.dotted == "1.2.156.10197.1.301"


def test_a_private_key_with_a_leading_zero_byte_keeps_32_octets():
    key = next(k for k in iter(sm.sm2_generate, None) if k.secret[0] == 0)
    der = keys.private_key_to_der(key)
    ec = asn1_keys.PrivateKeyInfo.load(der)["private_key"].parsed
    assert len(ec["private_key"].contents) == 32
    assert keys.load_private_key(der) == key


def test_a_private_key_without_its_public_key_gets_it_derived():
    key = sm.sm2_generate()
    ec = asn1_keys.ECPrivateKey({"version": "ecPrivkeyVer1", "private_key": int.from_bytes(key.secret, "big")})
    sec1 = pem.armor("EC PRIVATE KEY", ec.dump())
    assert keys.load_private_key(sec1) == key


def test_a_mismatched_public_key_in_the_private_key_file_is_refused():
    key, other = sm.sm2_generate(), sm.sm2_generate()
    ec = asn1_keys.ECPrivateKey({"version": "ecPrivkeyVer1", "private_key": int.from_bytes(key.secret, "big"),
                                 "public_key": other.public.to_bytes()})
    with pytest.raises(sm.InvalidKey):
        keys.load_private_key(ec.dump())


def test_openssl_test_key_loads():
    key = keys.load_private_key(v.OPENSSL_SM2_KEY)
    assert keys.private_key_to_pem(key) == v.OPENSSL_SM2_KEY


@pytest.mark.parametrize("garbage", [b"", b"\x30\x03\x02\x01\x00", b"not a key", "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"])
def test_garbage_is_refused_as_invalid_key(garbage):
    with pytest.raises(sm.InvalidKey):
        keys.load_private_key(garbage)
    with pytest.raises(sm.InvalidKey):
        keys.load_public_key(garbage)


def test_fingerprint_is_sm3_of_the_public_key_info():
    key = sm.sm2_generate()
    assert keys.fingerprint(key.public) == sm.sm3_hex(keys.public_key_to_der(key.public))
