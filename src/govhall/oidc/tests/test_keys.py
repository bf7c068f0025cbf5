"""Signing keys: generated once, rotated with the old key still published so old tokens verify."""

import pytest
from django.core.management import call_command
from joserfc import jwt
from joserfc.jwk import KeySet

from govhall.core.models import AuditEvent
from govhall.oidc import keys, services

from .helpers import exchange, get_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_key_dir(settings, tmp_path):
    settings.GOVHALL_OIDC_KEY_DIR = tmp_path / "keys"
    keys._cache.clear()
    return tmp_path / "keys"


def test_first_key_is_generated_once_private_to_the_owner(own_key_dir):
    ring = keys.keyring()
    assert keys.keyring().active.kid == ring.active.kid
    pem = own_key_dir / f"{ring.active.kid}.pem"
    assert pem.stat().st_mode & 0o777 == 0o600
    assert (own_key_dir / "active").read_text() == ring.active.kid


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
