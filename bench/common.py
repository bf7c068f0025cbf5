"""What every benchmark shares: a database of its own (SQLite file or PostgreSQL database) and
percentile summaries."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(db: str, var_name: str, pg_database: str) -> None:
    """Point Django at the benchmark's own state (var/<var_name>/: SQLite file, keys) and, for
    PostgreSQL, its own database ``pg_database`` (created when missing); then set Django up."""
    os.environ["GOVHALL_VAR_DIR"] = str(ROOT / "var" / var_name)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["GOVHALL_LOG_LEVEL"] = "WARNING"
    if db == "postgres":
        import psycopg

        database = pg_database
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
                conn.execute(f'CREATE DATABASE "{database}"')
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings.base")
    import django

    django.setup()


def setup_database(db: str, *, var_dir: Path, sqlite_file: Path, pg_database: str) -> None:
    """Like ``setup_django``, with the SQLite file and the var directory (keys) named by the caller."""
    os.environ["GOVHALL_VAR_DIR"] = str(var_dir)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["GOVHALL_LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings.base")
    if db == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [pg_database]).fetchone():
                conn.execute(f'CREATE DATABASE "{pg_database}"')
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{pg_database}"
    else:
        sqlite_file.parent.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_file}"
    import django

    django.setup()


def migrate() -> None:
    """``govhall migrate`` with this process's DATABASE_URL (a subprocess, as an operator runs it)."""
    import subprocess

    subprocess.run([str(ROOT / ".venv" / "bin" / "govhall"), "migrate", "-v", "0"], check=True, env=os.environ)


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summarise(samples_s: list[float]) -> dict:
    ms = [s * 1000 for s in samples_s]
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 2), "p95_ms": round(pct(ms, 95), 2),
            "p99_ms": round(pct(ms, 99), 2), "max_ms": round(max(ms), 2)}
