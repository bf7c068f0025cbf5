"""The SM2/SM3/SM4 interface: published vectors, round trips, and tampering that must be caught."""

import gmssl_pyx
import pytest

from govhall.crypto import keys, sm

from . import vectors as v


def test_sm3_matches_the_published_examples():
    assert sm.sm3_hex(b"abc") == v.SM3_ABC
    assert sm.sm3(b"abcd" * 16).hex() == v.SM3_ABCD_X16


def test_sm3_hmac_verifies_only_the_same_key_and_data():
    mac = sm.sm3_hmac(b"k" * 32, b"payload")
    assert len(mac) == 32
    assert sm.sm3_hmac_verify(b"k" * 32, b"payload", mac)
    assert not sm.sm3_hmac_verify(b"k" * 32, b"payloaD", mac)
    assert not sm.sm3_hmac_verify(b"K" * 32, b"payload", mac)


def test_sm4_block_matches_the_published_example():
    key = bytes.fromhex(v.SM4_KEY)
    assert sm.sm4_ecb_block(key, key).hex() == v.SM4_BLOCK_CIPHERTEXT


def test_sm4_gcm_matches_rfc_8998():
    out = sm.sm4_gcm_encrypt(bytes.fromhex(v.GCM_KEY), bytes.fromhex(v.GCM_PLAINTEXT),
                             aad=bytes.fromhex(v.GCM_AAD), nonce=bytes.fromhex(v.GCM_IV))
    assert out[:12].hex().upper() == v.GCM_IV
    assert out[12:-16].hex().upper() == v.GCM_CIPHERTEXT
    assert out[-16:].hex().upper() == v.GCM_TAG
    assert sm.sm4_gcm_decrypt(bytes.fromhex(v.GCM_KEY), out, aad=bytes.fromhex(v.GCM_AAD)) == \
        bytes.fromhex(v.GCM_PLAINTEXT)


def test_sm4_gcm_agrees_with_an_independent_implementation():
    key, aad, data = b"\x07" * 16, b"row:42", b"x" * 1000
    out = sm.sm4_gcm_encrypt(key, data, aad=aad)
    body, tag = gmssl_pyx.sm4_gcm_encrypt(key, out[:12], aad, data)  # GmSSL's own SM4-GCM
    assert out[12:] == body + tag


@pytest.mark.parametrize("position", [0, 12, 20, -1])
def test_sm4_gcm_refuses_a_flipped_bit_anywhere(position):
    key = b"\x01" * 16
    out = bytearray(sm.sm4_gcm_encrypt(key, b"secret data", aad=b"a"))
    out[position] ^= 0x01
    with pytest.raises(sm.DecryptionFailed):
        sm.sm4_gcm_decrypt(key, bytes(out), aad=b"a")


def test_sm4_gcm_refuses_other_associated_data_and_short_input():
    key = b"\x01" * 16
    out = sm.sm4_gcm_encrypt(key, b"secret", aad=b"field-a")
    with pytest.raises(sm.DecryptionFailed):
        sm.sm4_gcm_decrypt(key, out, aad=b"field-b")
    with pytest.raises(sm.DecryptionFailed):
        sm.sm4_gcm_decrypt(key, out[:20])
    with pytest.raises(sm.InvalidKey):
        sm.sm4_gcm_encrypt(b"short", b"x")


def test_sm4_cbc_round_trip_padding_and_bad_padding():
    key, iv = b"\x02" * 16, b"\x03" * 16
    for size in (0, 1, 15, 16, 17, 1000):
        data = (bytes(range(256)) * 4)[:size]
        out = sm.sm4_cbc_encrypt(key, iv, data)
        assert len(out) == (size // 16 + 1) * 16
        assert sm.sm4_cbc_decrypt(key, iv, out) == data
    assert sm.sm4_cbc_encrypt(key, iv, b"A" * 32, pad=False)[:16] != b"A" * 16
    with pytest.raises(sm.DecryptionFailed):
        sm.sm4_cbc_decrypt(b"\x09" * 16, iv, sm.sm4_cbc_encrypt(key, iv, b"hello"))


def test_sm2_signature_round_trip_and_tampering():
    key = sm.sm2_generate()
    signature = sm.sm2_sign(key, "准予行政许可决定书".encode())
    assert signature[0] == 0x30  # DER SEQUENCE {r, s}
    assert sm.sm2_verify(key.public, "准予行政许可决定书".encode(), signature)
    assert sm.sm2_sign(key, b"x") != sm.sm2_sign(key, b"x")  # randomised
    assert not sm.sm2_verify(key.public, "不予行政许可决定书".encode(), signature)
    flipped = bytearray(signature)
    flipped[-1] ^= 0x01
    assert not sm.sm2_verify(key.public, "准予行政许可决定书".encode(), bytes(flipped))
    assert not sm.sm2_verify(sm.sm2_generate().public, "准予行政许可决定书".encode(), signature)
    assert not sm.sm2_verify(key.public, b"x", b"")
    assert not sm.sm2_verify(key.public, b"x", b"\x30\x02\x01")


def test_sm2_signer_id_is_part_of_the_signature():
    key = sm.sm2_generate()
    signature = sm.sm2_sign(key, b"data", uid=b"alice@example.cn")
    assert sm.sm2_verify(key.public, b"data", signature, uid=b"alice@example.cn")
    assert not sm.sm2_verify(key.public, b"data", signature)


def test_sm2_message_signature_is_a_signature_over_sm3_of_z_and_message():
    key = sm.sm2_generate()
    signature = sm.sm2_sign(key, b"message")
    e = sm.sm3(sm.sm2_z(key.public) + b"message")
    assert sm.sm2_verify_digest(key.public, e, signature)
    assert sm.sm2_verify(key.public, b"message", sm.sm2_sign_digest(key, e))


def test_sm2_signature_converts_between_der_and_raw():
    key = sm.sm2_generate()
    signature = sm.sm2_sign(key, b"m")
    raw = sm.signature_to_raw(signature)
    assert len(raw) == 64
    assert sm.signature_from_raw(raw) == signature


@pytest.mark.parametrize(("digest", "signature"), v.OPENSSL_SM2_DIGEST_SIGNATURES)
def test_sm2_known_signatures_from_openssl_test_data_verify(digest, signature):
    public = keys.load_private_key(v.OPENSSL_SM2_KEY).public
    assert sm.sm2_verify_digest(public, bytes.fromhex(digest), bytes.fromhex(signature))
    other = bytearray(bytes.fromhex(digest))
    other[0] ^= 1
    assert not sm.sm2_verify_digest(public, bytes(other), bytes.fromhex(signature))


def test_sm2_known_ciphertext_from_openssl_test_data_decrypts():
    key = keys.load_private_key(v.OPENSSL_SM2_KEY)
    assert sm.sm2_decrypt(key, bytes.fromhex(v.OPENSSL_SM2_CIPHERTEXT)) == v.OPENSSL_SM2_PLAINTEXT


def test_sm2_encryption_round_trip_in_der_and_raw_c1c3c2():
    key = sm.sm2_generate()
    der = sm.sm2_encrypt(key.public, "身份证号".encode())
    raw = sm.ciphertext_to_raw(der)
    assert raw[0] == 4 and len(raw) == 1 + 64 + 32 + len("身份证号".encode())
    assert raw[65:97] != raw[97:]  # C3 (hash) precedes C2
    assert sm.ciphertext_from_raw(raw) == der
    assert sm.sm2_decrypt(key, der) == sm.sm2_decrypt(key, raw) == "身份证号".encode()


@pytest.mark.parametrize("part", ["c1", "c3", "c2"])
def test_sm2_decryption_refuses_a_flipped_bit(part):
    key = sm.sm2_generate()
    raw = bytearray(sm.ciphertext_to_raw(sm.sm2_encrypt(key.public, b"secret")))
    raw[{"c1": 40, "c3": 70, "c2": -1}[part]] ^= 0x01
    with pytest.raises(sm.DecryptionFailed):
        sm.sm2_decrypt(key, bytes(raw))


def test_sm2_encryption_limits_and_wrong_key():
    key = sm.sm2_generate()
    with pytest.raises(ValueError):
        sm.sm2_encrypt(key.public, b"")
    with pytest.raises(ValueError):
        sm.sm2_encrypt(key.public, b"x" * 256)
    with pytest.raises(sm.DecryptionFailed):
        sm.sm2_decrypt(sm.sm2_generate(), sm.sm2_encrypt(key.public, b"x" * 255))


def test_public_key_is_derived_from_the_secret_and_points_off_the_curve_are_refused():
    key = sm.sm2_generate()
    assert sm.sm2_public_from_secret(key.secret) == key.public
    with pytest.raises(sm.InvalidKey):
        sm.SM2PublicKey(b"\x01" * 64)
    with pytest.raises(sm.InvalidKey):
        sm.SM2PrivateKey(b"\x00" * 32, key.public)
    assert "secret" not in repr(key)
