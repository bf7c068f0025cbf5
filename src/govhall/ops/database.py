"""Database snapshots for backup and restore.

- SQLite: sqlite3's online backup API copies a consistent image of the live database (WAL included)
  while the platform keeps running.
- PostgreSQL: ``pg_dump`` custom format (``-Fc``) inside a ``REPEATABLE READ`` transaction whose
  snapshot is exported to ``pg_dump --snapshot``, so the dump and the facts the manifest records
  (row counts, migrations, audit head, key-check value) describe the same instant. Restored with
  ``pg_restore --single-transaction --exit-on-error``: all or nothing.

The client tools must be of the server's major version or newer (Debian: ``postgresql-client``).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.db import connection

SQLITE_MEMBER = "database/govhall.sqlite3"
POSTGRES_MEMBER = "database/govhall.pgdump"


class DatabaseToolError(RuntimeError):
    """pg_dump / pg_restore failed or is missing; the message carries their error output."""


@dataclass
class Facts:
    """What the manifest records about a database image, and what a restore checks again."""

    tables: dict[str, int] = field(default_factory=dict)
    migrations: dict[str, list[str]] = field(default_factory=dict)
    audit_head: dict | None = None
    key_check: str | None = None


@dataclass
class Snapshot:
    engine: str
    member: str
    path: Path
    server_version: str
    facts: Facts


def engine() -> str:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise DatabaseToolError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _facts(cursor, tables: list[str]) -> Facts:
    facts = Facts()
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 (quoted catalogue names)
        facts.tables[table] = int(cursor.fetchone()[0])
    if "django_migrations" in facts.tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            facts.migrations.setdefault(app, []).append(name)
    if facts.tables.get("core_auditchainhead"):
        cursor.execute("SELECT last_seq, last_hash FROM core_auditchainhead WHERE id = 1")
        if row := cursor.fetchone():
            facts.audit_head = {"last_seq": int(row[0]), "last_hash": row[1]}
    if facts.tables.get("crypto_masterkeycheck"):
        cursor.execute("SELECT value FROM crypto_masterkeycheck WHERE id = 1")
        if row := cursor.fetchone():
            facts.key_check = row[0]
    return facts


def _sqlite_tables(cursor) -> list[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    return [row[0] for row in cursor.fetchall()]


def _pg_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = ANY (current_schemas(false))")
    return [row[0] for row in cursor.fetchall()]


# --- connection parameters ------------------------------------------------------------------------


def sqlite_path() -> Path:
    return Path(connection.settings_dict["NAME"])


def _pg_env() -> tuple[dict[str, str], str]:
    """Environment for the client tools (libpq variables) and the database name."""
    s = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if s.get(key):
            env[var] = str(s[key])
    options = s.get("OPTIONS") or {}
    for var, key in (("PGSSLMODE", "sslmode"), ("PGSSLROOTCERT", "sslrootcert"), ("PGSSLCERT", "sslcert"),
                     ("PGSSLKEY", "sslkey")):
        if options.get(key):
            env[var] = str(options[key])
    return env, s["NAME"]


def _run(args: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise DatabaseToolError(f"{args[0]} not found: install the PostgreSQL client tools "
                                "(Debian: postgresql-client)") from exc
    if done.returncode != 0:
        raise DatabaseToolError(f"{args[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _pg_connect() -> psycopg.Connection:
    """A connection of our own, beside Django's (whose transaction state we leave alone)."""
    return psycopg.connect(**connection.get_connection_params())


# --- backup ---------------------------------------------------------------------------------------


def snapshot(directory: Path) -> Snapshot:
    """Write a consistent image of the database into ``directory`` and describe it."""
    if engine() == "sqlite":
        target = directory / "govhall.sqlite3"
        with closing(sqlite3.connect(sqlite_path())) as live, closing(sqlite3.connect(target)) as copy:
            live.backup(copy)
            cursor = copy.cursor()
            facts = _facts(cursor, _sqlite_tables(cursor))
        return Snapshot("sqlite", SQLITE_MEMBER, target, sqlite3.sqlite_version, facts)
    target = directory / "govhall.pgdump"
    env, name = _pg_env()
    with closing(_pg_connect()) as conn:
        conn.isolation_level, conn.read_only = psycopg.IsolationLevel.REPEATABLE_READ, True
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot_id, version = cursor.fetchone()
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot_id}", "--no-owner", "--no-privileges",
                  f"--file={target}", f"--dbname={name}"], env)
            facts = _facts(cursor, _pg_tables(cursor))
            conn.rollback()
    return Snapshot("postgresql", POSTGRES_MEMBER, target, version, facts)


# --- restore --------------------------------------------------------------------------------------


def current_facts() -> Facts:
    """The same facts, read from the configured database now (after a restore)."""
    if engine() == "sqlite":
        with closing(sqlite3.connect(sqlite_path())) as db:
            cursor = db.cursor()
            return _facts(cursor, _sqlite_tables(cursor))
    with closing(_pg_connect()) as conn, conn.cursor() as cursor:
        return _facts(cursor, _pg_tables(cursor))


def table_names() -> list[str]:
    if engine() == "sqlite":
        if not sqlite_path().exists():
            return []
        with closing(sqlite3.connect(sqlite_path())) as db:
            return _sqlite_tables(db.cursor())
    with closing(_pg_connect()) as conn, conn.cursor() as cursor:
        return _pg_tables(cursor)


def load(image: Path, *, member: str, replace: bool) -> None:
    """Put the image into the configured database. ``replace``: the database may hold tables (they
    are overwritten: SQLite page by page, PostgreSQL with ``--clean``)."""
    expected = SQLITE_MEMBER if engine() == "sqlite" else POSTGRES_MEMBER
    if member != expected:
        raise DatabaseToolError(f"this backup holds {member}, the configured database is {engine()}: restore "
                                "into the same kind of database it was taken from")
    connection.close()
    if engine() == "sqlite":
        with closing(sqlite3.connect(image)) as source, closing(sqlite3.connect(sqlite_path())) as target:
            source.backup(target)
        return
    env, name = _pg_env()
    args = ["pg_restore", "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
            f"--dbname={name}"]
    if replace:
        args += ["--clean", "--if-exists"]
    _run([*args, str(image)], env)
