"""ID-token signing keys (RSA, RS256), rotatable without invalidating tokens already issued.

Why RS256 and not SM2: OpenID Connect clients (Authlib, oidc-client, Spring Security, Keycloak
brokering…) verify RS256 and ES256 only; none knows SM2 in JOSE. SM2/SM3 protect the platform's
own documents, messages and audit log, where both ends are ours.

Where the key material lives:

* ``GOVHALL_OIDC_SIGNING_KEY`` (a PEM private key in the environment, e.g. from a secret store) is
  the active key when set; rotation is then the operator's job (swap the variable, move the old
  PEM into the key directory so it stays published).
* otherwise the key directory — ``settings.GOVHALL_OIDC_KEY_DIR``, default ``VAR_DIR/oidc-keys`` —
  holds one ``<kid>.key`` (mode 0600) per key and a file ``active`` naming the signing key's kid.
  A ``.key`` file is the PEM private key **wrapped by the master key** (``crypto.master.key_wrapper``,
  SM4-GCM under ``key-wrap:<version>``, associated data ``oidc.signing-key:<kid>``), like every other
  private key of the platform: a copy of the directory (or of a backup) signs nothing without the
  master key. The first key is generated on first use. ``govhall oidc rotate-key`` writes a new key
  and switches ``active``; the old file stays, so JWKS still publishes it (inactive) and ID tokens it
  signed keep verifying. Delete an old file once every token it signed has expired (1 hour).

Plain ``<kid>.pem`` files left by earlier versions are wrapped into ``<kid>.key`` and deleted the first
time a process loads the keys.

The kid is the key's RFC 7638 thumbprint.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from joserfc.jwk import RSAKey

from govhall.crypto.master import key_wrapper

log = logging.getLogger(__name__)

ALG = "RS256"
KEY_BITS = 2048
ENV_KEY = "GOVHALL_OIDC_SIGNING_KEY"
ACTIVE_FILE = "active"
KEY_SUFFIX = ".key"
FILE_FORMAT = "govhall-wrapped-key/1"

_lock = threading.Lock()
_cache: dict = {}


@dataclass(frozen=True)
class KeyRing:
    active: RSAKey
    inactive: tuple[RSAKey, ...]

    def jwks(self) -> dict:
        return {"keys": [k.as_dict(private=False) for k in (self.active, *self.inactive)]}


def key_dir() -> Path:
    configured = getattr(settings, "GOVHALL_OIDC_KEY_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "oidc-keys"


def _with_kid(key: RSAKey) -> RSAKey:
    return RSAKey.import_key(key.as_pem(private=True),
                             parameters={"kid": key.thumbprint(), "use": "sig", "alg": ALG})


def _load_pem(data: bytes | str) -> RSAKey:
    return _with_kid(RSAKey.import_key(data))


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _aad(kid: str) -> bytes:
    return f"oidc.signing-key:{kid}".encode()


def wrap(key: RSAKey) -> bytes:
    """The ``.key`` file content: JSON naming the kid and wrapping-key version, the PEM wrapped."""
    version, blob = key_wrapper().wrap(key.as_pem(private=True), aad=_aad(key.kid))
    return json.dumps({"format": FILE_FORMAT, "kid": key.kid, "alg": ALG, "wrap_version": version,
                       "wrapped": base64.b64encode(blob).decode("ascii")}, indent=1).encode()


def unwrap(data: bytes) -> RSAKey:
    """Raises DecryptionFailed under another master key or for a file moved to another kid."""
    doc = json.loads(data)
    if doc.get("format") != FILE_FORMAT:
        raise ValueError(f"not a {FILE_FORMAT} file")
    pem = key_wrapper().unwrap(base64.b64decode(doc["wrapped"]), version=int(doc["wrap_version"]),
                               aad=_aad(doc["kid"]))
    key = _load_pem(pem)
    if key.kid != doc["kid"]:
        raise ValueError("the wrapped key is not the one the file names")
    return key


def _write_key(directory: Path, key: RSAKey) -> Path:
    path = directory / f"{key.kid}{KEY_SUFFIX}"
    _write_private(path, wrap(key))
    return path


def _new_key_file(directory: Path) -> str:
    key = _with_kid(RSAKey.generate_key(KEY_BITS, private=True))
    _write_key(directory, key)
    return key.kid


def _wrap_plain_files(directory: Path) -> None:
    """Earlier versions kept ``<kid>.pem`` in clear: wrap each into ``<kid>.key`` (keeping its
    modification time, which orders the inactive keys) and delete the plain file."""
    for pem in sorted(directory.glob("*.pem")):
        try:
            key = _load_pem(pem.read_bytes())
            stat = pem.stat()
        except FileNotFoundError:  # another process of this instance wrapped it meanwhile
            continue
        try:
            path = _write_key(directory, key)
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        except FileExistsError:
            pass
        pem.unlink(missing_ok=True)
        log.info("OIDC signing key %s: plain PEM file wrapped under the master key", key.kid)


def _set_active(directory: Path, kid: str) -> None:
    tmp = directory / f".{ACTIVE_FILE}.{os.getpid()}.{threading.get_ident()}"
    tmp.write_text(kid)
    os.replace(tmp, directory / ACTIVE_FILE)  # atomic: readers see the old or the new kid


def _ensure_directory_key(directory: Path) -> None:
    """Generate the first key once; a process that loses the race discards its own."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if (directory / ACTIVE_FILE).exists():
        return
    kid = _new_key_file(directory)
    try:
        _write_private(directory / ACTIVE_FILE, kid.encode())
    except FileExistsError:
        (directory / f"{kid}{KEY_SUFFIX}").unlink(missing_ok=True)


def _fingerprint(directory: Path) -> tuple:
    try:
        dir_mtime = directory.stat().st_mtime_ns
        active_mtime = (directory / ACTIVE_FILE).stat().st_mtime_ns
    except FileNotFoundError:
        dir_mtime = active_mtime = None
    return (str(directory), dir_mtime, active_mtime, os.environ.get(ENV_KEY, ""))


def _load(directory: Path) -> KeyRing:
    env_pem = os.environ.get(ENV_KEY, "")
    stored = {}
    if directory.exists():
        for path in sorted(directory.glob(f"*{KEY_SUFFIX}"), key=lambda p: p.stat().st_mtime_ns, reverse=True):
            key = unwrap(path.read_bytes())
            stored[key.kid] = key
    if env_pem:
        active = _load_pem(env_pem)
    else:
        active_kid = (directory / ACTIVE_FILE).read_text().strip()
        active = stored[active_kid]
    return KeyRing(active=active, inactive=tuple(k for kid, k in stored.items() if kid != active.kid))


def keyring() -> KeyRing:
    """The active signing key and the published inactive ones (cached until the directory changes)."""
    directory = key_dir()
    if not os.environ.get(ENV_KEY):
        if not (directory / ACTIVE_FILE).exists():
            with _lock:
                _ensure_directory_key(directory)
    fingerprint = _fingerprint(directory)
    ring = _cache.get(fingerprint)
    if ring is None:
        with _lock:
            if directory.exists() and any(directory.glob("*.pem")):
                _wrap_plain_files(directory)
                fingerprint = _fingerprint(directory)
            ring = _load(directory)
            _cache.clear()
            _cache[fingerprint] = ring
    return ring


def rotate() -> tuple[str, str]:
    """Make a new active key; the previous one stays published. Returns (old kid, new kid).

    Raises RuntimeError when the active key comes from the environment (rotate it there).
    """
    if os.environ.get(ENV_KEY):
        raise RuntimeError(f"the signing key comes from {ENV_KEY}: rotate it there")
    old = keyring().active.kid
    directory = key_dir()
    with _lock:
        new = _new_key_file(directory)
        _set_active(directory, new)
        _cache.clear()
    return old, new
