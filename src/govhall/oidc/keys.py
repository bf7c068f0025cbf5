"""ID-token signing keys (RSA, RS256), rotatable without invalidating tokens already issued.

Why RS256 and not SM2: OpenID Connect clients (Authlib, oidc-client, Spring Security, Keycloak
brokering…) verify RS256 and ES256 only; none knows SM2 in JOSE. SM2/SM3 protect the platform's
own documents, messages and audit log, where both ends are ours.

Where the key material lives:

* ``GOVHALL_OIDC_SIGNING_KEY`` (a PEM private key in the environment, e.g. from a secret store) is
  the active key when set; rotation is then the operator's job (swap the variable, move the old
  PEM into the key directory so it stays published).
* otherwise the key directory — ``settings.GOVHALL_OIDC_KEY_DIR``, default ``VAR_DIR/oidc-keys`` —
  holds one ``<kid>.pem`` (mode 0600) per key and a file ``active`` naming the signing key's kid.
  The first key is generated on first use. ``govhall oidc rotate-key`` writes a new key and
  switches ``active``; the old PEM stays, so JWKS still publishes it (inactive) and ID tokens it
  signed keep verifying. Delete an old PEM once every token it signed has expired (1 hour).

The kid is the key's RFC 7638 thumbprint.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from joserfc.jwk import RSAKey

ALG = "RS256"
KEY_BITS = 2048
ENV_KEY = "GOVHALL_OIDC_SIGNING_KEY"
ACTIVE_FILE = "active"

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


def _new_key_file(directory: Path) -> str:
    key = _with_kid(RSAKey.generate_key(KEY_BITS, private=True))
    _write_private(directory / f"{key.kid}.pem", key.as_pem(private=True))
    return key.kid


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
        (directory / f"{kid}.pem").unlink(missing_ok=True)


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
        for path in sorted(directory.glob("*.pem"), key=lambda p: p.stat().st_mtime_ns, reverse=True):
            key = _load_pem(path.read_bytes())
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
