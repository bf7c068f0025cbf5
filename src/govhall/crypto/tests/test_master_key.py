"""The master key belongs to its database: an instance refuses to start without it or with another
one (checked by the key-check value, before anything is decrypted), and it never generates a new key
over data encrypted under the old one, which is how a restore used to lose every identifier."""

import contextlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from govhall.crypto import checks, keycheck, keystore, master
from govhall.crypto.models import KeyPair, MasterKeyCheck

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def other_var(settings, var_dir, monkeypatch):
    real = settings.VAR_DIR
    settings.VAR_DIR = var_dir
    monkeypatch.delenv("GOVHALL_MASTER_KEY", raising=False)
    master.master_key.cache_clear()
    try:
        yield
    finally:
        settings.VAR_DIR = real
        master.master_key.cache_clear()


@pytest.fixture
def instance(settings, tmp_path, monkeypatch):
    """An instance whose var/ is an empty directory and whose environment names no master key."""
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("GOVHALL_MASTER_KEY", raising=False)
    master.master_key.cache_clear()
    yield tmp_path
    master.master_key.cache_clear()


def test_the_database_records_the_key_check_value_of_its_master_key():
    master.master_key.cache_clear()
    value = MasterKeyCheck.objects.get(pk=1).value
    assert value == keycheck.kcv(master.master_key())
    assert len(value) == 64 and master.key_file().read_text().strip() not in value


def test_an_encrypted_database_without_its_key_refuses_to_start_and_no_key_is_generated(instance):
    with pytest.raises(keycheck.MasterKeyMissing) as exc:
        master.master_key()
    assert "GOVHALL_MASTER_KEY" in str(exc.value) and "拒绝启动" in str(exc.value)
    assert not (instance / "master_key").exists()
    assert [e.id for e in checks.master_key_belongs_to_the_database(None)] == ["govhall.E010"]
    with pytest.raises(ImproperlyConfigured):
        checks.refuse_to_start()


def test_a_database_written_before_key_check_values_is_recognised_by_its_encrypted_columns(settings, tmp_path,
                                                                                         monkeypatch):
    keystore.key_generate(actor=None, purpose="alpha")  # a wrapped private key, under the real key
    MasterKeyCheck.objects.all().delete()  # as before key-check values existed
    with other_var(settings, tmp_path, monkeypatch):
        with pytest.raises(keycheck.MasterKeyMissing):
            master.master_key()
        assert not (tmp_path / "master_key").exists()


def test_another_master_key_is_refused_before_it_decrypts_or_encrypts_anything(instance):
    (instance / "master_key").write_text("cd" * 32)
    with pytest.raises(keycheck.MasterKeyMismatch) as exc:
        master.master_key()
    assert "does not belong to this database" in str(exc.value)
    assert "主密钥与数据库不符" in str(exc.value)
    assert checks.master_key_belongs_to_the_database(None)[0].id == "govhall.E010"


def test_an_old_database_is_given_its_value_only_for_a_key_that_opens_its_keys(settings, tmp_path, monkeypatch):
    keystore.key_generate(actor=None, purpose="alpha")  # wrapped under the instance's real key
    MasterKeyCheck.objects.all().delete()  # as before key-check values existed
    (tmp_path / "master_key").write_text("cd" * 32)
    with other_var(settings, tmp_path, monkeypatch):
        with pytest.raises(keycheck.MasterKeyMismatch, match="does not open"):
            master.ensure_key_check()
        assert not MasterKeyCheck.objects.exists()
    master.ensure_key_check()  # back on the real key: recorded
    assert MasterKeyCheck.objects.get().value == keycheck.kcv(master.master_key())


def test_an_empty_database_gets_a_new_private_key_file_and_its_value(instance):
    MasterKeyCheck.objects.all().delete()
    assert not KeyPair.objects.exists()
    value = master.ensure_key_check()
    path = instance / "master_key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert MasterKeyCheck.objects.get().value == value == keycheck.kcv(master.parse_key(path.read_text(), "t"))


@pytest.mark.django_db(transaction=True)
def test_migrate_records_the_value_and_refuses_a_wrong_key(instance):
    master.master_key.cache_clear()
    (instance / "master_key").write_text("cd" * 32)
    with pytest.raises(keycheck.MasterKeyMismatch):
        call_command("migrate", verbosity=0)
