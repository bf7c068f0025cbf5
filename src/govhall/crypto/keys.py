"""SM2 key files: PKCS#8 private keys and SubjectPublicKeyInfo public keys, DER or PEM.

Both use ``id-ecPublicKey`` (1.2.840.10045.2.1) with the named curve sm2p256v1
(1.2.156.10197.1.301), exactly as ``openssl genpkey -algorithm SM2`` writes them, so files move
both ways between OpenSSL 3 and us. Loading also accepts SEC 1 ``EC PRIVATE KEY`` files
(``openssl ecparam -genkey -name SM2``); keys on any other curve are refused. Encrypted PKCS#8 files
are not read: the key store encrypts private keys itself (see keystore.py).
"""

from __future__ import annotations

from asn1crypto import keys, pem

from .sm import (
    InvalidKey,
    SM2PrivateKey,
    SM2PublicKey,
    sm2_public_from_secret,
    sm2_sign_digest,
    sm2_verify_digest,
    sm3,
    sm3_hex,
)

SM2_CURVE_OID = "1.2.156.10197.1.301"
SM2_CURVE = "sm2p256v1"

if SM2_CURVE_OID not in keys.NamedCurve._map:
    keys.NamedCurve.register(SM2_CURVE, SM2_CURVE_OID, 32)


def _algorithm() -> dict:
    return {"algorithm": "ec", "parameters": keys.ECDomainParameters(name="named", value=SM2_CURVE)}


def _der(data: bytes | str, *labels: str) -> bytes:
    raw = data.encode("ascii") if isinstance(data, str) else bytes(data)
    if pem.detect(raw):
        label, _headers, der = pem.unarmor(raw)
        if label not in labels:
            raise InvalidKey(f"expected a PEM {' or '.join(labels)}, got {label}")
        return der
    return raw


def _check_curve(params) -> None:
    if params.name != "named" or params.chosen.dotted != SM2_CURVE_OID:
        raise InvalidKey("not an SM2 key (curve is not sm2p256v1)")


# --- private keys ---------------------------------------------------------------------------------


def private_key_to_der(key: SM2PrivateKey) -> bytes:
    """Unencrypted PKCS#8 ``PrivateKeyInfo`` wrapping a SEC 1 ``ECPrivateKey`` with the public key."""
    ec = keys.ECPrivateKey({"version": "ecPrivkeyVer1", "private_key": int.from_bytes(key.secret, "big"),
                            "public_key": key.public.to_bytes()})
    ec["private_key"].set_encoded_width(32)  # fixed 32 octets, as SEC 1 requires, even with leading zeros
    return keys.PrivateKeyInfo({"version": 0, "private_key_algorithm": _algorithm(),
                                "private_key": ec}).dump(force=True)


def private_key_to_pem(key: SM2PrivateKey) -> str:
    return pem.armor("PRIVATE KEY", private_key_to_der(key)).decode("ascii")


def load_private_key(data: bytes | str, *, check: bool = True) -> SM2PrivateKey:
    """PKCS#8 or SEC 1, DER or PEM. Raises ``InvalidKey`` for anything else or another curve.

    A file without its public key gets it derived (slow, pure Python). With ``check`` (the default)
    the file's public key must belong to its private key: a pairwise sign/verify test, about 1 ms.
    Pass ``check=False`` only for blobs that are already authenticated (the key store's)."""
    der = _der(data, "PRIVATE KEY", "EC PRIVATE KEY")
    try:
        ec = _ec_private_key(der)
        secret = ec["private_key"].native.to_bytes(32, "big")
        public_bits = ec["public_key"].native
    except InvalidKey:
        raise
    except (ValueError, TypeError, KeyError, OverflowError, AttributeError) as exc:
        raise InvalidKey("unreadable SM2 private key") from exc
    if public_bits is None:
        return SM2PrivateKey(secret, sm2_public_from_secret(secret))
    key = SM2PrivateKey(secret, SM2PublicKey.from_bytes(public_bits))
    probe = sm3(b"pairwise consistency")
    if check and not sm2_verify_digest(key.public, probe, sm2_sign_digest(key, probe)):
        raise InvalidKey("the private key file's public key does not belong to its private key")
    return key


def _ec_private_key(der: bytes) -> keys.ECPrivateKey:
    try:
        info = keys.PrivateKeyInfo.load(der, strict=True)
        algorithm = info["private_key_algorithm"]
        algorithm.native  # noqa: B018 - forces the parse, so SEC 1 input falls through below
    except (ValueError, TypeError):
        ec = keys.ECPrivateKey.load(der, strict=True)  # SEC 1
        if ec["parameters"].native is not None:
            _check_curve(ec["parameters"])
        return ec
    if algorithm["algorithm"].native != "ec":
        raise InvalidKey("not an elliptic-curve key")
    _check_curve(algorithm["parameters"])
    return info["private_key"].parsed


# --- public keys ----------------------------------------------------------------------------------


def public_key_to_der(public: SM2PublicKey) -> bytes:
    """SubjectPublicKeyInfo with the uncompressed point."""
    return keys.PublicKeyInfo({"algorithm": _algorithm(), "public_key": public.to_bytes()}).dump(force=True)


def public_key_to_pem(public: SM2PublicKey) -> str:
    return pem.armor("PUBLIC KEY", public_key_to_der(public)).decode("ascii")


def load_public_key(data: bytes | str) -> SM2PublicKey:
    """SubjectPublicKeyInfo, DER or PEM. Raises ``InvalidKey`` for another algorithm or curve."""
    der = _der(data, "PUBLIC KEY")
    try:
        info = keys.PublicKeyInfo.load(der, strict=True)
        if info["algorithm"]["algorithm"].native != "ec":
            raise InvalidKey("not an elliptic-curve key")
        _check_curve(info["algorithm"]["parameters"])
        point = info["public_key"].native
    except InvalidKey:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidKey("unreadable SM2 public key") from exc
    return SM2PublicKey.from_bytes(point)


def fingerprint(public: SM2PublicKey) -> str:
    """SM3 of the SubjectPublicKeyInfo DER, hex: what we publish beside a key id."""
    return sm3_hex(public_key_to_der(public))
