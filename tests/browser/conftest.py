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


class CspWatchingBrowser:
    """The browser, except that every context it opens reports Content-Security-Policy violations
    (Chromium logs each as a console error): a page that needs the policy relaxed fails its test."""

    def __init__(self, browser):
        self._browser = browser
        self.violations: list[str] = []

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def _watch(self, context):
        def on_console(message):
            if "Content Security Policy" in message.text:
                self.violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

        context.on("console", on_console)
        return context

    def new_context(self, **kwargs):
        return self._watch(self._browser.new_context(**kwargs))

    def new_page(self, **kwargs):
        context = self.new_context(**kwargs)
        page = context.new_page()
        page.on("close", lambda _: context.close())
        return page


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing and CI is set: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); browser tests need it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = CspWatchingBrowser(p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS))
        yield browser
        violations = browser.violations
        browser.close()
        # While Playwright's loop runs, Django's connection registry (asgiref Local) is context-local:
        # what the test did through the ORM used a connection of that context. Close it here, still
        # in that context, or it outlives the test (PostgreSQL then cannot drop the test database).
        from django.db import connections

        connections.close_all()
    assert violations == [], "pages broke the Content-Security-Policy"
