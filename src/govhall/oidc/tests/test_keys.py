"""Signing keys: generated once, rotated with the old key still published so old tokens verify."""

import json

import pytest
from django.core.management import call_command
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from govhall.core.models import AuditEvent
from govhall.crypto import master, sm
from govhall.oidc import keys, services

from .helpers import exchange, get_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_key_dir(settings, tmp_path):
    settings.GOVHALL_OIDC_KEY_DIR = tmp_path / "keys"
    keys._cache.clear()
    return tmp_path / "keys"


def test_first_key_is_generated_once_private_to_the_owner_and_wrapped_by_the_master_key(own_key_dir):
    ring = keys.keyring()
    assert keys.keyring().active.kid == ring.active.kid
    path = own_key_dir / f"{ring.active.kid}.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert own_key_dir.stat().st_mode & 0o777 == 0o700
    assert (own_key_dir / "active").read_text() == ring.active.kid
    stored = path.read_bytes()
    assert b"PRIVATE KEY" not in stored and list(own_key_dir.glob("*.pem")) == []
    private = ring.active.as_dict(private=True)
    assert private["d"].encode() not in stored and private["p"].encode() not in stored
    assert keys.unwrap(stored).kid == ring.active.kid


def test_a_wrapped_key_does_not_open_under_another_master_key_or_under_another_kid(own_key_dir, monkeypatch):
    ring = keys.keyring()
    stored = (own_key_dir / f"{ring.active.kid}.key").read_bytes()
    moved = json.loads(stored)
    moved["kid"] = "another-kid"
    with pytest.raises(sm.DecryptionFailed):
        keys.unwrap(json.dumps(moved).encode())
    monkeypatch.setattr(master, "master_key", lambda: master.SettingsMasterKey(b"\x01" * 32))
    with pytest.raises(sm.DecryptionFailed):
        keys.unwrap(stored)


def test_plain_pem_keys_of_earlier_versions_are_wrapped_on_first_start(own_key_dir):
    own_key_dir.mkdir(mode=0o700)
    old_key = keys._with_kid(RSAKey.generate_key(2048, private=True))
    active_key = keys._with_kid(RSAKey.generate_key(2048, private=True))
    (own_key_dir / f"{old_key.kid}.pem").write_bytes(old_key.as_pem(private=True))
    (own_key_dir / f"{active_key.kid}.pem").write_bytes(active_key.as_pem(private=True))
    (own_key_dir / "active").write_text(active_key.kid)

    ring = keys.keyring()

    assert ring.active.kid == active_key.kid and [k.kid for k in ring.inactive] == [old_key.kid]
    assert list(own_key_dir.glob("*.pem")) == []
    assert sorted(p.name for p in own_key_dir.glob("*.key")) == sorted([f"{old_key.kid}.key", f"{active_key.kid}.key"])
    assert all(b"PRIVATE KEY" not in p.read_bytes() for p in own_key_dir.iterdir())


def test_jwks_publishes_public_keys_only(client, own_key_dir):
    jwks = client.get("/oauth/jwks").json()
    (key,) = jwks["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert "d" not in key and "p" not in key


def test_rotation_keeps_tokens_already_issued_verifiable(client, resident, platform, own_key_dir):
    app, secret = platform
    client.force_login(resident)
    old_token = exchange(client, app, get_code(client, app), secret=secret).json()["id_token"]
    old_kid = keys.keyring().active.kid

    call_command("oidc", "rotate-key")

    new_token = exchange(client, app, get_code(client, app), secret=secret).json()["id_token"]
    jwks = client.get("/oauth/jwks").json()
    assert [k["kid"] for k in jwks["keys"]][1:] == [old_kid]  # active first, old one still published
    key_set = KeySet.import_key_set(jwks)
    assert jwt.decode(old_token, key_set).header["kid"] == old_kid
    assert jwt.decode(new_token, key_set).header["kid"] == jwks["keys"][0]["kid"] != old_kid
    event = AuditEvent.objects.get(action="oidc.key.rotated")
    assert event.before == {"kid": old_kid}


def test_key_from_the_environment_is_rotated_there(own_key_dir, monkeypatch):
    from joserfc.jwk import RSAKey

    monkeypatch.setenv(keys.ENV_KEY, RSAKey.generate_key(2048).as_pem(private=True).decode())
    keys._cache.clear()
    assert keys.keyring().active.kid
    with pytest.raises(RuntimeError):
        services.signing_key_rotate(actor=None)
