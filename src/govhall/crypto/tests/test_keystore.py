"""The key store: one active key per purpose signs, retired keys still verify, private keys are
encrypted at rest under the master key, and every change is audited."""

import shutil
import subprocess

import pytest

from govhall.core import audit
from govhall.core.errors import DomainError, NotFound
from govhall.core.models import AuditEvent
from govhall.crypto import keycheck, keys, keystore, master, sm
from govhall.crypto.models import KeyPair

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_master_key():
    master.master_key.cache_clear()
    yield
    master.master_key.cache_clear()


def test_a_generated_key_signs_and_its_signature_verifies(system_admin):
    pair = keystore.key_generate(actor=system_admin, purpose="licenses.certificate")
    key_id, signature = keystore.sign(purpose="licenses.certificate", data=b"licence 0001")
    assert key_id == pair.key_id and key_id.startswith("licenses.certificate-")
    assert keystore.verify(key_id=key_id, data=b"licence 0001", signature=signature)
    assert not keystore.verify(key_id=key_id, data=b"licence 0002", signature=signature)
    flipped = bytearray(signature)
    flipped[10] ^= 0x01
    assert not keystore.verify(key_id=key_id, data=b"licence 0001", signature=bytes(flipped))
    assert not keystore.verify(key_id="no-such-key", data=b"licence 0001", signature=signature)


def test_generation_is_audited_without_key_material(system_admin):
    pair = keystore.key_generate(actor=system_admin, purpose="documents")
    event = AuditEvent.objects.get(action="crypto.key.generated")
    assert event.actor == system_admin and event.target_id == str(pair.pk)
    assert event.after["fingerprint"] == pair.fingerprint
    assert "private" not in str(event.after)
    assert audit.verify().ok


def test_a_second_key_for_the_same_purpose_must_be_a_rotation(system_admin):
    keystore.key_generate(actor=system_admin, purpose="documents")
    with pytest.raises(DomainError) as exc:
        keystore.key_generate(actor=system_admin, purpose="documents")
    assert exc.value.problems[0].code == "crypto.key.exists"


def test_rotation_signs_with_the_new_key_and_old_signatures_still_verify(system_admin):
    old = keystore.key_generate(actor=system_admin, purpose="seals")
    old_id, old_signature = keystore.sign(purpose="seals", data=b"sealed before rotation")
    new = keystore.key_rotate(actor=None, purpose="seals")
    old.refresh_from_db()
    assert (old.state, new.state) == (KeyPair.State.RETIRED, KeyPair.State.ACTIVE)
    assert old.retired_at is not None
    new_id, _ = keystore.sign(purpose="seals", data=b"after")
    assert (old_id, new_id) == (old.key_id, new.key_id)
    assert keystore.verify(key_id=old_id, data=b"sealed before rotation", signature=old_signature)
    assert not keystore.verify(key_id=new_id, data=b"sealed before rotation", signature=old_signature)
    event = AuditEvent.objects.get(action="crypto.key.rotated")
    assert event.before["active"] == old.key_id and event.actor is None


def test_rotation_and_signing_need_an_active_key(system_admin):
    with pytest.raises(DomainError):
        keystore.key_rotate(actor=system_admin, purpose="nothing")
    with pytest.raises(NotFound):
        keystore.sign(purpose="nothing", data=b"x")


def test_a_malformed_purpose_is_refused(system_admin):
    with pytest.raises(Exception, match="purpose"):
        keystore.key_generate(actor=system_admin, purpose="Bad Purpose!")


def test_the_private_key_is_encrypted_at_rest_and_bound_to_its_key_id(system_admin):
    a = keystore.key_generate(actor=system_admin, purpose="alpha")
    b = keystore.key_generate(actor=system_admin, purpose="beta")
    private = keystore._private_key(a)
    assert private.public == keys.load_public_key(bytes(a.public_key_der))
    assert keys.private_key_to_der(private) not in bytes(a.private_key_wrapped)
    assert private.secret not in bytes(a.private_key_wrapped)
    KeyPair.objects.filter(pk=b.pk).update(private_key_wrapped=a.private_key_wrapped)  # swap blobs
    with pytest.raises(sm.DecryptionFailed):
        keystore.sign(purpose="beta", data=b"x")


def test_another_master_key_cannot_unwrap(system_admin, monkeypatch, fresh_master_key):
    keystore.key_generate(actor=system_admin, purpose="alpha")
    monkeypatch.setenv("GOVHALL_MASTER_KEY", "ab" * 32)
    master.master_key.cache_clear()
    with pytest.raises(keycheck.MasterKeyMismatch):  # refused up front by the key-check value...
        keystore.sign(purpose="alpha", data=b"x")
    pair = KeyPair.objects.get(purpose="alpha")
    other = master.SettingsMasterKey(b"\xab" * 32).derive(f"key-wrap:{pair.wrap_version}")
    with pytest.raises(sm.DecryptionFailed):  # ...and the wrapped key would not open under it anyway
        sm.sm4_gcm_decrypt(other, bytes(pair.private_key_wrapped), aad=pair.key_id.encode())


def test_rewrap_moves_keys_to_the_new_wrapping_version(system_admin, settings):
    pair = keystore.key_generate(actor=system_admin, purpose="alpha")
    settings.GOVHALL_KEY_WRAP_VERSION = 2
    assert keystore.key_rewrap(actor=system_admin) == 1
    assert keystore.key_rewrap(actor=system_admin) == 0
    pair.refresh_from_db()
    assert pair.wrap_version == 2
    key_id, signature = keystore.sign(purpose="alpha", data=b"x")
    assert keystore.verify(key_id=key_id, data=b"x", signature=signature)
    assert AuditEvent.objects.filter(action="crypto.key.rewrapped").count() == 1


class RecordingWrapper(master.MasterKeyWrapper):
    """Stands in for an HSM-backed wrapper configured through GOVHALL_KEY_WRAPPER."""

    calls: list[str] = []

    def wrap(self, plaintext, *, aad):
        self.calls.append("wrap")
        return super().wrap(plaintext, aad=aad)

    def unwrap(self, blob, *, version, aad):
        self.calls.append("unwrap")
        return super().unwrap(blob, version=version, aad=aad)


def test_the_key_wrapper_is_pluggable(system_admin, settings):
    settings.GOVHALL_KEY_WRAPPER = f"{__name__}.RecordingWrapper"
    RecordingWrapper.calls.clear()
    keystore.key_generate(actor=system_admin, purpose="alpha")
    keystore.sign(purpose="alpha", data=b"x")
    assert RecordingWrapper.calls == ["wrap", "unwrap"]


def test_exported_public_key_is_spki_pem_and_unknown_ids_are_not_found(system_admin):
    pair = keystore.key_generate(actor=system_admin, purpose="alpha")
    text = keystore.public_key_pem(key_id=pair.key_id)
    assert text.startswith("-----BEGIN PUBLIC KEY-----")
    assert keys.fingerprint(keys.load_public_key(text)) == pair.fingerprint
    with pytest.raises(NotFound):
        keystore.public_key_pem(key_id="missing")
    assert [p.key_id for p in keystore.key_list(purpose="alpha")] == [pair.key_id]


@pytest.mark.skipif(not shutil.which("openssl"), reason="the openssl binary is not installed")
def test_a_third_party_verifies_a_key_store_signature_with_openssl(system_admin, tmp_path):
    keystore.key_generate(actor=system_admin, purpose="licenses.certificate")
    key_id, signature = keystore.sign(purpose="licenses.certificate", data=b"licence 0001")
    (tmp_path / "pub.pem").write_text(keystore.public_key_pem(key_id=key_id))
    (tmp_path / "data").write_bytes(b"licence 0001")
    (tmp_path / "sig").write_bytes(signature)
    done = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "pub.pem"),
                           "-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678",
                           "-in", str(tmp_path / "data"), "-sigfile", str(tmp_path / "sig")],
                          capture_output=True, text=True)
    assert "Signature Verified Successfully" in done.stdout, done.stderr
