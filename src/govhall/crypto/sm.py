"""SM2, SM3 and SM4 behind one small interface: the only module that touches the libraries.

- SM2 (GB/T 32918) through ``gmssl_pyx`` (native GmSSL): signatures with SM3 and the signer id
  ``1234567812345678`` (Z value included, as OpenSSL's ``-pkeyopt distid:`` and GM/T 0009 do),
  returned ASN.1 DER ``SEQUENCE {r, s}``; encryption returned as the GM/T 0009 DER structure
  ``SEQUENCE {x, y, C3, C2}`` (C1C3C2 order, the form OpenSSL reads and writes). Converters give the
  raw forms (``r||s``; ``04||x||y||C3||C2``) for partners that want them.
- SM3 (GB/T 32905) through ``hashlib``; HMAC-SM3 through ``hmac``.
- SM4 (GB/T 32907) through ``cryptography``: GCM for our own data (``nonce(12) || ciphertext ||
  tag(16)``), CBC with PKCS#7 padding only where an external standard demands it (no integrity!).

Never the pure-Python ``gmssl`` package (predictable nonces, unauthenticated decryption).
Errors: ``DecryptionFailed`` for anything that does not decrypt or authenticate; bad key material
raises ``InvalidKey``. Verification returns False rather than raising, whatever the signature bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field
from functools import lru_cache

import gmssl_pyx
from asn1crypto import algos, core
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

DEFAULT_UID = b"1234567812345678"
SM4_KEY = 16
GCM_NONCE = 12
GCM_TAG = 16
SM2_MAX_PLAINTEXT = 255  # GmSSL's limit; encrypt an SM4 key with SM2 for anything longer

# sm2p256v1 (GB/T 32918.5)
P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0


class CryptoError(Exception):
    """Base class of this module's errors."""


class DecryptionFailed(CryptoError):
    """Wrong key, wrong associated data, or the ciphertext was altered."""


class InvalidKey(CryptoError):
    """Key material of the wrong length, not on the curve, or out of range."""


# --- SM2 keys -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SM2PublicKey:
    """A point on sm2p256v1, held as the 64 bytes ``x || y``."""

    point: bytes

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "point", gmssl_pyx.normalize_sm2_public_key(bytes(self.point)))
        except gmssl_pyx.InvalidValueError as exc:
            raise InvalidKey("not an SM2 public key (point not on sm2p256v1)") from exc

    @classmethod
    def from_bytes(cls, data: bytes) -> SM2PublicKey:
        """Accepts ``04||x||y`` (65), ``x||y`` (64) or compressed ``02/03||x`` (33) bytes."""
        return cls(bytes(data))

    def to_bytes(self) -> bytes:
        """Uncompressed SEC 1 form ``04 || x || y``."""
        return b"\x04" + self.point


@dataclass(frozen=True)
class SM2PrivateKey:
    """The secret scalar ``d`` (32 bytes, 1 ≤ d ≤ n-2) and its public key."""

    secret: bytes = field(repr=False)
    public: SM2PublicKey

    def __post_init__(self) -> None:
        if len(self.secret) != 32 or not 1 <= int.from_bytes(self.secret, "big") <= N - 2:
            raise InvalidKey("SM2 private key must be 32 bytes with 1 <= d <= n-2")


def sm2_generate() -> SM2PrivateKey:
    public, secret = gmssl_pyx.sm2_key_generate()
    return SM2PrivateKey(secret, SM2PublicKey(public))


def sm2_public_from_secret(secret: bytes) -> SM2PublicKey:
    """``d·G``, for key files that omit the public key. Plain Python, not constant-time: use it
    only when loading a key, never in a loop an attacker can time."""
    d = int.from_bytes(secret, "big")
    if not 1 <= d <= N - 2:
        raise InvalidKey("SM2 private key out of range")
    x, y = _scalar_mult(d, (GX, GY))
    return SM2PublicKey(x.to_bytes(32, "big") + y.to_bytes(32, "big"))


def _point_add(p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2 and (y1 + y2) % P == 0:
        return None
    if p1 == p2:
        lam = (3 * x1 * x1 + A) * pow(2 * y1, -1, P) % P
    else:
        lam = (y2 - y1) * pow(x2 - x1, -1, P) % P
    x3 = (lam * lam - x1 - x2) % P
    return x3, (lam * (x1 - x3) - y1) % P


def _scalar_mult(k: int, point):
    r0, r1 = None, point  # Montgomery ladder: same sequence of operations for every bit
    for bit in bin(k)[2:]:
        if bit == "1":
            r0, r1 = _point_add(r0, r1), _point_add(r1, r1)
        else:
            r0, r1 = _point_add(r0, r0), _point_add(r0, r1)
    return r0


# --- SM2 signatures -------------------------------------------------------------------------------


def sm2_sign(key: SM2PrivateKey, data: bytes, *, uid: bytes = DEFAULT_UID) -> bytes:
    """SM2 signature of ``data`` (``e = SM3(Z_A || data)``), DER ``SEQUENCE {r, s}``; randomised.

    We hash here and sign ``e`` with GmSSL's digest entry point: the result is the same signature
    scheme, but ``gmssl_pyx.sm2_sign`` spends most of its time on per-call set-up (~330/s against
    ~3,600/s on the reference machine; see docs/crypto.md)."""
    return gmssl_pyx.sm2_sign_sm3_digest(key.secret, sm3(sm2_z(key.public, uid) + bytes(data)))


def sm2_verify(public: SM2PublicKey, data: bytes, signature: bytes, *, uid: bytes = DEFAULT_UID) -> bool:
    """True only for a valid DER signature of ``data`` under ``public`` and ``uid``; never raises."""
    try:
        return bool(gmssl_pyx.sm2_verify(public.point, bytes(data), bytes(signature), uid))
    except (gmssl_pyx.GmsslInnerError, ValueError, TypeError):
        return False


def sm2_sign_digest(key: SM2PrivateKey, digest: bytes) -> bytes:
    """Sign a precomputed ``e`` (32 bytes; the caller has already hashed ``Z_A || M``)."""
    if len(digest) != 32:
        raise ValueError("SM2 digest must be 32 bytes")
    return gmssl_pyx.sm2_sign_sm3_digest(key.secret, bytes(digest))


def sm2_verify_digest(public: SM2PublicKey, digest: bytes, signature: bytes) -> bool:
    try:
        return len(digest) == 32 and bool(
            gmssl_pyx.sm2_verify_sm3_digest(public.point, bytes(digest), bytes(signature)))
    except (gmssl_pyx.GmsslInnerError, ValueError, TypeError):
        return False


_CURVE_BYTES = b"".join(v.to_bytes(32, "big") for v in (A, B, GX, GY))


def sm2_z(public: SM2PublicKey, uid: bytes = DEFAULT_UID) -> bytes:
    """``Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA)`` (GB/T 32918.2 §5.5)."""
    return _z(public.point, bytes(uid))


@lru_cache(maxsize=256)
def _z(point: bytes, uid: bytes) -> bytes:
    return sm3((len(uid) * 8).to_bytes(2, "big") + uid + _CURVE_BYTES + point)


def signature_to_raw(signature: bytes) -> bytes:
    """DER ``SEQUENCE {r, s}`` → 64 bytes ``r || s``."""
    try:
        return algos.DSASignature.load(bytes(signature)).to_p1363()
    except (ValueError, TypeError) as exc:
        raise ValueError("not a DER SM2 signature") from exc


def signature_from_raw(raw: bytes) -> bytes:
    """64 bytes ``r || s`` → DER ``SEQUENCE {r, s}``."""
    if len(raw) != 64:
        raise ValueError("raw SM2 signature must be 64 bytes")
    return algos.DSASignature.from_p1363(bytes(raw)).dump()


# --- SM2 encryption -------------------------------------------------------------------------------


class SM2Cipher(core.Sequence):
    """GM/T 0009-2012 §7.2: ``SEQUENCE { XCoordinate INTEGER, YCoordinate INTEGER,
    HASH OCTET STRING (32), CipherText OCTET STRING }``."""

    _fields = [("x", core.Integer), ("y", core.Integer), ("hash", core.OctetString),
               ("ciphertext", core.OctetString)]


def sm2_encrypt(public: SM2PublicKey, plaintext: bytes) -> bytes:
    """SM2 public-key encryption, C1C3C2, as GM/T 0009 DER (OpenSSL's format). 1..255 bytes."""
    if not 1 <= len(plaintext) <= SM2_MAX_PLAINTEXT:
        raise ValueError(f"SM2 encrypts 1..{SM2_MAX_PLAINTEXT} bytes; wrap an SM4 key for more")
    return gmssl_pyx.sm2_encrypt(public.point, bytes(plaintext))


def sm2_decrypt(key: SM2PrivateKey, ciphertext: bytes) -> bytes:
    """Decrypt DER (``30…``) or raw C1C3C2 (``04||x||y||C3||C2``) ciphertext; C3 is checked."""
    ciphertext = bytes(ciphertext)
    try:
        if ciphertext[:1] == b"\x04":
            ciphertext = ciphertext_from_raw(ciphertext)
        return gmssl_pyx.sm2_decrypt(key.secret, ciphertext)
    except (gmssl_pyx.GmsslInnerError, ValueError) as exc:
        raise DecryptionFailed("SM2 decryption failed") from exc


def ciphertext_to_raw(der: bytes) -> bytes:
    """GM/T 0009 DER → ``04 || x || y || C3 || C2`` (GB/T 32918.4 C1C3C2)."""
    try:
        c = SM2Cipher.load(bytes(der), strict=True)
        x, y = c["x"].native, c["y"].native
        return b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big") + c["hash"].native + c["ciphertext"].native
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError("not an SM2 DER ciphertext") from exc


def ciphertext_from_raw(raw: bytes) -> bytes:
    """``04 || x || y || C3 || C2`` → GM/T 0009 DER."""
    raw = bytes(raw)
    if len(raw) < 1 + 64 + 32 + 1 or raw[0] != 4:
        raise ValueError("raw SM2 ciphertext must be 04 || x || y || C3(32) || C2")
    return SM2Cipher({"x": int.from_bytes(raw[1:33], "big"), "y": int.from_bytes(raw[33:65], "big"),
                      "hash": raw[65:97], "ciphertext": raw[97:]}).dump()


# --- SM3 ------------------------------------------------------------------------------------------


def sm3(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest()


def sm3_hex(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def sm3_hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, "sm3").digest()


def sm3_hmac_verify(key: bytes, data: bytes, mac: bytes) -> bool:
    return hmac.compare_digest(sm3_hmac(key, data), bytes(mac))


# --- SM4 ------------------------------------------------------------------------------------------


def _check_sm4_key(key: bytes) -> None:
    if len(key) != SM4_KEY:
        raise InvalidKey("SM4 key must be 16 bytes")


def sm4_gcm_encrypt(key: bytes, plaintext: bytes, *, aad: bytes = b"", nonce: bytes | None = None) -> bytes:
    """``nonce(12) || ciphertext || tag(16)``. Leave ``nonce`` to us (random); passing one is for
    published test vectors only: a repeated nonce under one key gives away the authentication key."""
    _check_sm4_key(key)
    nonce = os.urandom(GCM_NONCE) if nonce is None else nonce
    if len(nonce) != GCM_NONCE:
        raise ValueError("SM4-GCM nonce must be 12 bytes")
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    if aad:
        enc.authenticate_additional_data(aad)
    body = enc.update(plaintext) + enc.finalize()
    return nonce + body + enc.tag


def sm4_gcm_decrypt(key: bytes, data: bytes, *, aad: bytes = b"") -> bytes:
    _check_sm4_key(key)
    data = bytes(data)
    if len(data) < GCM_NONCE + GCM_TAG:
        raise DecryptionFailed("ciphertext too short")
    nonce, body, tag = data[:GCM_NONCE], data[GCM_NONCE:-GCM_TAG], data[-GCM_TAG:]
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    if aad:
        dec.authenticate_additional_data(aad)
    try:
        return dec.update(body) + dec.finalize()
    except InvalidTag as exc:
        raise DecryptionFailed("authentication failed") from exc


def sm4_cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes, *, pad: bool = True) -> bytes:
    """SM4-CBC, PKCS#7 padded unless ``pad=False`` (then a multiple of 16 bytes). No integrity:
    only for formats that prescribe CBC; add an SM3-HMAC or SM2 signature over the result."""
    _check_sm4_key(key)
    if len(iv) != 16:
        raise ValueError("SM4-CBC IV must be 16 bytes")
    if pad:
        padder = padding.PKCS7(128).padder()
        plaintext = padder.update(plaintext) + padder.finalize()
    elif len(plaintext) % 16:
        raise ValueError("unpadded SM4-CBC needs a multiple of 16 bytes")
    enc = Cipher(algorithms.SM4(key), modes.CBC(iv)).encryptor()
    return enc.update(plaintext) + enc.finalize()


def sm4_cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes, *, pad: bool = True) -> bytes:
    _check_sm4_key(key)
    if len(iv) != 16 or not ciphertext or len(ciphertext) % 16:
        raise DecryptionFailed("SM4-CBC ciphertext must be whole 16-byte blocks")
    dec = Cipher(algorithms.SM4(key), modes.CBC(iv)).decryptor()
    data = dec.update(ciphertext) + dec.finalize()
    if not pad:
        return data
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(data) + unpadder.finalize()
    except ValueError as exc:
        raise DecryptionFailed("bad padding") from exc


def sm4_ecb_block(key: bytes, block: bytes) -> bytes:
    """One raw SM4 block encryption: for known-answer tests of the cipher itself, not for data."""
    _check_sm4_key(key)
    if len(block) != 16:
        raise ValueError("SM4 block must be 16 bytes")
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 - single-block KAT only
    return enc.update(block) + enc.finalize()
