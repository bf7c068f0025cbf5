"""Shared fixtures of the real-browser tests: Debian's chromium driven by Playwright."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(autouse=True)
def allow_sync_orm_under_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in this thread, which Django's ORM refuses to run under.
    Set only while a browser test runs: left in os.environ it would leak into subprocesses
    (``check --deploy`` flags it as async.E001)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing and CI is set: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); browser tests need it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # While Playwright's loop runs, Django's connection registry (asgiref Local) is context-local:
        # what the test did through the ORM used a connection of that context. Close it here, still
        # in that context, or it outlives the test (PostgreSQL then cannot drop the test database).
        from django.db import connections

        connections.close_all()
