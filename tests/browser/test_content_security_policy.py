"""The Content-Security-Policy in a real browser: an injected inline script does not run, the API
documentation works with its own files only, and signing in to another platform through GovHall
still reaches that platform's callback after the login and consent forms (``form-action``: Chromium
checks the redirects that follow a form submission against it)."""

import pytest

from govhall.oidc.tests.helpers import authorize_url, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALLBACK = "https://platform.example.cn/callback"  # the other platform, answered by the browser itself


def test_an_injected_inline_script_does_not_run(live_server, browser):
    page = browser.new_page()
    page.goto(live_server.url + "/")
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'document.body.dataset.pwned = "yes"'; document.head.append(s); }""")
    assert page.evaluate("document.body.dataset.pwned") is None
    assert any("script-src 'self'" in v for v in browser.violations)
    browser.violations.clear()  # expected here; any other violation fails the test


def test_the_api_documentation_renders_from_our_own_files(live_server, browser):
    page = browser.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + "/api/v1/docs")
    page.wait_for_selector(".opblock-tag", timeout=20_000)  # Swagger UI built the operation list
    assert "GovHall API" in page.locator(".title").first.inner_text()
    assert all(url.startswith((live_server.url, "data:")) for url in requested), requested


def the_platform(arrived: list):
    """The other platform's callback, answered by the browser itself; records each arrival."""
    def answer(route):
        arrived.append(route.request.url)
        route.fulfill(status=200, body="signed in")
    return answer


@pytest.fixture
def resident(db):
    from govhall.identity.models import User

    return User.objects.create_user(username="zhang_san", password="Correct-Horse-9", display_name="张三")


def test_signing_in_to_another_platform_reaches_its_callback(live_server, browser, resident, settings, tmp_path):
    settings.GOVHALL_OIDC_KEY_DIR = tmp_path / "oidc-keys"
    app, _ = register(redirect_uris=(CALLBACK,), scope=("openid", "profile"))
    for first_time in (True, False):  # the first time with the consent screen, then straight back
        context = browser.new_context()
        arrived = []
        context.route(CALLBACK + "**", the_platform(arrived))
        page = context.new_page()
        page.goto(live_server.url + authorize_url(app, redirect_uri=CALLBACK))
        page.fill("#id_username", "zhang_san")
        page.fill("#id_password", "Correct-Horse-9")
        page.locator("main form button[type=submit]").click()
        if first_time:
            page.wait_for_selector("button[name=allow]")
            page.click("button[name=allow]")
        page.wait_for_url(CALLBACK + "**")
        assert len(arrived) == 1 and "code=" in arrived[0] and "state=st-123" in arrived[0]
        context.close()
