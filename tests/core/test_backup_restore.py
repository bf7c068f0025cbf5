"""Restore drill: back up a demo instance, restore it into a fresh one, and prove that nothing was lost.

Every instance here is a real one, in its own processes: its own var/ folder and its own database
(SQLite files, or two PostgreSQL databases named after the test database when DATABASE_URL points to
PostgreSQL), started through the ``govhall`` command exactly as an operator would. What is checked
after the restore is what an auditor asks: the audit chain verifies against its anchor, every table
has the same number of rows, an encrypted identifier decrypts, a licence verifies (online and
offline), a stored file's digest matches, and the restored keys still sign. And what the old
documented backup got wrong: without the master key a restored instance refuses to start instead of
generating a new key.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

GOVHALL = [sys.executable, "-m", "govhall"]

FACTS = r"""
import hashlib, json
from pathlib import Path
from govhall.ops import database
from govhall.identity.models import Person
from govhall.licenses.models import Licence
from govhall.licenses import bundle, selectors as licence_selectors
from govhall.documents.models import SignedDocument
from govhall.documents import selectors as documents
from govhall.cases.models import StoredFile
from govhall.cases import files
from govhall.crypto import keystore
from govhall.crypto.models import KeyPair
from govhall.oidc import keys

licence = Licence.objects.order_by("pk").first()
verdict = licence_selectors.verify(licence.identifier, federated=False)
document = SignedDocument.objects.filter(licence=licence).first()
stored = StoredFile.objects.order_by("pk").first()
content = files.read_bytes(stored)
purpose = KeyPair.objects.filter(state="active").order_by("pk").values_list("purpose", flat=True).first()
key_id, signature = keystore.sign(purpose=purpose, data=b"restore drill")
Path("bundle.zip").write_bytes(bundle.build(licence))
print("FACTS=" + json.dumps({
    "tables": database.current_facts().tables,
    "id_number": Person.objects.get(user__username="citizen").reveal_id_number(),
    "licence": [licence.identifier, verdict.authentic, verdict.valid, verdict.reason],
    "document_verifies": documents.verify(document)["ok"],
    "document_digest": [document.sha256, hashlib.sha256(documents.read_pdf(document)).hexdigest()],
    "file_digests": [stored.sha256, hashlib.sha256(content).hexdigest(), stored.sm3,
                     hashlib.new("sm3", content).hexdigest()],
    "key_signs": keystore.verify(key_id=key_id, data=b"restore drill", signature=signature),
    "oidc_kid": keys.keyring().active.kid,
}))
"""


# what a running instance writes besides the demo: its ID-token signing key (made on first use), an
# e-mail in the development outbox, the audit chain's anchor in the transparency log
SOURCE_WRITES = r"""
from django.core.mail import send_mail
from django.db import transaction
from govhall.core import audit
from govhall.oidc import keys
keys.keyring()
send_mail("演练", "备份恢复演练", "noreply@localhost", ["zhangsan@example.cn"])
with transaction.atomic():
    audit.anchor_head(actor=None)
"""


class Instance:
    """One GovHall instance: a var/ folder and a database, driven through the govhall command."""

    def __init__(self, home: Path, database_url: str):
        self.home = home
        self.var = home / "var"
        home.mkdir(parents=True, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("GOVHALL_", "DATABASE_URL", "DJANGO_", "SECRET_KEY"))}
        self.env.update({"DJANGO_SETTINGS_MODULE": "govhall.settings.base", "GOVHALL_VAR_DIR": str(self.var),
                         "DATABASE_URL": database_url, "GOVHALL_DEMO": "1", "GOVHALL_LOG_LEVEL": "WARNING"})

    def run(self, *args: str, ok: bool = True, timeout: int = 600) -> subprocess.CompletedProcess:
        done = subprocess.run([*GOVHALL, *args], env=self.env, cwd=self.home, capture_output=True, text=True,
                              timeout=timeout)
        if ok:
            assert done.returncode == 0, f"govhall {' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done

    def facts(self) -> dict:
        out = self.run("shell", "-c", FACTS).stdout
        return json.loads(out.split("FACTS=", 1)[1])


def _databases(base_dir: Path):
    """(source URL, target URL, a function making another empty target URL, cleanup)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return (f"sqlite:///{base_dir / 'source.sqlite3'}", f"sqlite:///{base_dir / 'target.sqlite3'}",
                lambda name: f"sqlite:///{base_dir / (name + '.sqlite3')}", lambda: None)
    import psycopg

    parts = urlsplit(url)
    stem = f"{parts.path.lstrip('/') or 'govhall'}_drill"[:50]
    admin = urlunsplit(parts._replace(path="/postgres"))
    made = []

    def database(name: str) -> str:
        db = f"{stem}_{name}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
            conn.execute(f'CREATE DATABASE "{db}"')
        made.append(db)
        return urlunsplit(parts._replace(path=f"/{db}"))

    def cleanup():
        with psycopg.connect(admin, autocommit=True) as conn:
            for db in made:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')

    return database("src"), database("dst"), database, cleanup


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    base = tmp_path_factory.mktemp("drill")
    source_url, target_url, another, cleanup = _databases(base)
    source = Instance(base / "source", source_url)
    source.run("migrate", "--noinput")
    source.run("demo", "load")
    source.run("shell", "-c", SOURCE_WRITES)
    before = source.facts()
    source.run("audit", "verify")
    archive = base / "govhall-backup.tar"
    backed_up = source.run("backup", str(archive))
    target = Instance(base / "target", target_url)
    restored = target.run("restore", str(archive), "--master-key-file", str(source.var / "master_key"))
    try:
        yield {"base": base, "source": source, "target": target, "archive": archive, "before": before,
               "backed_up": backed_up, "restored": restored, "another": another}
    finally:
        cleanup()


def test_the_backup_leaves_the_master_key_out_and_says_so(drill):
    out = drill["backed_up"].stdout
    assert "NOT in this archive" in out and "主密钥不在备份中" in out
    with tarfile.open(drill["archive"]) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert "master_key" not in names and manifest["master_key"]["included"] is False
    assert len(manifest["master_key"]["check_value"]) == 64
    assert any(n.startswith("media/cas/") for n in names) and any(n.startswith("oidc-keys/") for n in names)
    assert drill["source"].var.joinpath("master_key").read_text().strip() not in json.dumps(manifest)
    assert stat.S_IMODE(drill["archive"].stat().st_mode) == 0o600


def test_the_restored_instance_verifies_its_audit_chain_against_the_anchor(drill):
    assert "audit chain intact" in drill["restored"].stdout
    out = drill["target"].run("audit", "verify").stdout
    assert "audit chain intact" in out and "matches its latest anchor" in out


def test_every_table_has_the_rows_it_had(drill):
    before = drill["before"]["tables"]
    after = drill["target"].facts()["tables"]
    assert set(after) == set(before)
    # the restore is audited: one event after the backup's head, nothing else differs
    differs = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
    assert differs == {"core_auditevent": (before["core_auditevent"], before["core_auditevent"] + 1)}


def test_identifiers_decrypt_licences_verify_files_match_and_keys_sign(drill):
    before, after = drill["before"], drill["target"].facts()
    assert after["id_number"] == before["id_number"] == "341502199003071235"
    identifier, authentic, valid, _ = after["licence"]
    assert identifier == before["licence"][0] and authentic and valid
    assert after["document_verifies"] is True
    assert after["document_digest"][0] == after["document_digest"][1]
    assert after["file_digests"][0] == after["file_digests"][1] and after["file_digests"][2] == after["file_digests"][3]
    assert after["key_signs"] is True and after["oidc_kid"] == before["oidc_kid"]
    offline = drill["target"].run("licenses", "verify", "bundle.zip")
    assert "VERIFIED" in offline.stdout


def test_without_the_master_key_the_restore_is_refused_and_nothing_changes(drill):
    fresh = Instance(drill["base"] / "no-key", drill["another"]("nokey"))
    done = fresh.run("restore", str(drill["archive"]), ok=False)
    assert done.returncode != 0
    assert "restore refused, nothing was changed" in done.stderr and "--master-key-file" in done.stderr
    assert not (fresh.var / "master_key").exists() and not (fresh.var / "media").exists()


def test_another_master_key_is_refused_by_its_check_value(drill):
    fresh = Instance(drill["base"] / "wrong-key", drill["another"]("wrongkey"))
    wrong = drill["base"] / "wrong_key"
    wrong.write_text("ab" * 32)
    done = fresh.run("restore", str(drill["archive"]), "--master-key-file", str(wrong), ok=False)
    assert done.returncode != 0 and "is not the backup's" in done.stderr and "不是备份所用的主密钥" in done.stderr


def test_a_damaged_archive_is_refused_before_anything_is_restored(drill):
    damaged = drill["base"] / "damaged.tar"
    shutil.copy(drill["archive"], damaged)
    with tarfile.open(damaged) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith("media/"))
    with damaged.open("r+b") as fh:
        fh.seek(member.offset_data + 10)
        byte = fh.read(1)
        fh.seek(member.offset_data + 10)
        fh.write(bytes([byte[0] ^ 0xFF]))
    fresh = Instance(drill["base"] / "damaged", drill["another"]("damaged"))
    done = fresh.run("restore", str(damaged), "--master-key-file", str(drill["source"].var / "master_key"), ok=False)
    assert done.returncode != 0 and "damaged" in done.stderr
    assert not (fresh.var / "media").exists()


def test_a_target_that_is_not_empty_is_refused_without_force(drill):
    done = drill["target"].run("restore", str(drill["archive"]), "--master-key-file",
                               str(drill["source"].var / "master_key"), ok=False)
    assert done.returncode != 0 and "not empty" in done.stderr and "--force" in done.stderr


def test_a_backup_with_the_master_key_restores_without_one_and_warns(drill):
    archive = drill["base"] / "with-key.tar.gz"
    done = drill["source"].run("backup", str(archive), "--include-master-key")
    assert "CONTAINS THE MASTER KEY" in done.stderr
    fresh = Instance(drill["base"] / "with-key", drill["another"]("withkey"))
    restored = fresh.run("restore", str(archive))
    assert "master key from the archive" in restored.stdout
    assert (fresh.var / "master_key").read_text() == (drill["source"].var / "master_key").read_text()


def test_a_database_restored_without_its_key_refuses_to_start_and_generates_none(drill):
    """The defect: the documented backup left var/master_key out, and the restored instance made a new key."""
    url = drill["source"].env["DATABASE_URL"]
    bare = Instance(drill["base"] / "bare", url)
    if url.startswith("sqlite"):
        copy = drill["base"] / "bare.sqlite3"
        shutil.copy(url.removeprefix("sqlite:///"), copy)
        bare.env["DATABASE_URL"] = f"sqlite:///{copy}"
    for command in (["check"], ["migrate", "--noinput"]):
        done = bare.run(*command, ok=False)
        assert done.returncode != 0 and "govhall.E010" in done.stderr and "GOVHALL_MASTER_KEY" in done.stderr
    assert not (bare.var / "master_key").exists()


def _modes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): oct(stat.S_IMODE(p.stat().st_mode)) for p in [root, *root.rglob("*")]
            if stat.S_IMODE(p.stat().st_mode) != (0o700 if p.is_dir() else 0o600)}


def test_var_is_private_to_the_platform_account_after_a_start_and_writes(drill):
    source = drill["source"].var
    assert list((source / "mail").iterdir()) and [p for p in (source / "media").rglob("*") if p.is_file()]
    assert list((source / "oidc-keys").glob("*.key")) and (source / "master_key").exists()
    assert _modes(source) == {}  # database (and -wal/-shm), media, keys, mail, secret key, static files
    assert _modes(drill["target"].var) == {}


def test_an_archive_naming_paths_outside_the_target_is_refused(tmp_path):
    from govhall.ops import archive

    path = tmp_path / "evil.tar"
    with tarfile.open(path, "w") as tar:
        writer = archive.Writer(tar)
        writer.add_bytes("media/../../../etc/cron.d/evil", b"* * * * * root true\n")
        writer.add_manifest({"format": archive.FORMAT})
    with tarfile.open(path) as tar, pytest.raises(archive.ArchiveError, match="unsafe member name"):
        archive.read_manifest(tar)
