"""Content-Security-Policy: every response carries it, and no template needs it relaxed.

The policy (settings ``CONTENT_SECURITY_POLICY``) allows only our own scripts, styles and images, so
an injected ``<script>`` or ``onclick=`` does not run. That holds only while our own templates have
no inline script or style: the scan below fails on any.
"""

import json
import re
import uuid
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import govhall
from govhall.catalog import testing
from govhall.identity.roles import Role

SRC = Path(govhall.__file__).resolve().parent
REQUIRED = ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "base-uri 'self'",
            "frame-ancestors 'none'", "form-action 'self'"]
# Templates rendered into stored files, never served as one of our pages: the decision document is
# saved as a self-contained HTML file (its own <style>) and downloaded as an attachment under the
# stored files' sandboxing policy (cases/http.py).
NOT_PAGES = {"cases/templates/cases/decision_document.html"}
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def _templates():
    for path in sorted(SRC.rglob("templates/**/*.html")):
        relative = path.relative_to(SRC).as_posix()
        if relative not in NOT_PAGES:
            yield relative, path.read_text()


def inline_code(text: str) -> list[str]:
    return [what for pattern, what in INLINE if pattern.search(text)]


def test_no_template_has_inline_script_or_style():
    templates = list(_templates())
    assert len(templates) > 50
    found = {name: inline_code(text) for name, text in templates if inline_code(text)}
    assert found == {}, "move these into static files (CSS classes, JS with data- attributes)"


@pytest.mark.parametrize(("snippet", "what"), [
    ('<script>alert(1)</script>', "inline <script>"),
    ('<script type="module">import x from "/x.js"</script>', "inline <script>"),
    ('<p style="color:red">', "style attribute"),
    ("<style>p{}</style>", "<style> block"),
    ('<button onclick="go()">', "event handler attribute"),
    ('<a href="javascript:go()">', "javascript: URL"),
])
def test_the_scan_finds_each_kind_of_inline_code(snippet, what):
    assert what in inline_code(snippet)
    assert inline_code('<script src="/static/govhall/govhall.js" defer></script><p class="digest">') == []


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _concrete(route: str) -> str:
    """A URL for the route, with made-up parameters (most answer 404 or 302: the header is on those too)."""
    route = route.replace("^.*$", "no-such-route").lstrip("^").rstrip("$")
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<uuid:[^>]+>", str(uuid.uuid4()), route)
    return "/" + re.sub(r"<[^>]+>", "x", route)


def _assert_policy(response, url):
    policy = response.get("Content-Security-Policy", "")
    if policy.startswith("sandbox"):  # a stored file: its own, stricter policy
        assert "default-src 'none'" in policy, url
        return
    missing = [d for d in REQUIRED if d not in policy]
    assert not missing, f"{url} ({response.status_code}): {missing} not in {policy!r}"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url


@pytest.mark.parametrize("who", ["anonymous", "system_admin"])
def test_every_route_answers_with_the_policy(client, regions, fully_logged_in, who):
    if who == "system_admin":
        fully_logged_in(client, testing.make_staff("csp_admin", Role.SYSTEM_ADMIN, region=regions["province"]))
    urls = sorted({_concrete(r) for r in _walk(get_resolver().url_patterns)})
    assert len(urls) > 100
    for url in urls:
        _assert_policy(client.get(url), url)


def test_pages_that_render_answer_with_the_policy(client, published_item):
    for url in [reverse("portal:home"), reverse("portal:search") + "?q=许可",
                reverse("portal:guide", args=[published_item.code]), reverse("login:login"), "/api/v1/docs",
                "/static/govhall/govhall.css"]:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_policy(response, url)


def test_the_api_docs_load_nothing_from_elsewhere(client, db):
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    external = re.findall(r'(?:src|href)="(https?:)?//[^"]+"', html)
    assert external == []
    settings = json.loads(re.search(r'<script type="application/json" id="swagger-settings">(.*?)</script>', html,
                                    re.S).group(1))
    assert settings["validatorUrl"] is None  # else Swagger UI shows a badge from validator.swagger.io


def test_a_refused_form_is_explained_on_a_page_without_inline_style(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("login:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    _assert_policy(response, "csrf failure")
    html = response.content.decode()
    assert "表单未能提交" in html and inline_code(html) == []


def _form_action(response) -> str:
    return next(d for d in response["Content-Security-Policy"].split("; ") if d.startswith("form-action"))


def test_sign_in_pages_allow_only_the_registered_callback_as_form_redirect(client, db, settings, tmp_path):
    """OpenID Connect: after the login (or consent) form the browser is redirected to the platform's
    registered callback; Chromium checks that redirect against form-action, so exactly those pages
    add exactly that origin."""
    from urllib.parse import quote

    from govhall.identity.models import User
    from govhall.oidc.tests.helpers import authorize_url, register

    settings.GOVHALL_OIDC_KEY_DIR = tmp_path / "oidc-keys"
    app, _ = register(redirect_uris=("https://platform.example.cn/callback",), scope=("openid", "profile"))
    login = reverse("login:login")
    signing_in = authorize_url(app, redirect_uri="https://platform.example.cn/callback")
    assert _form_action(client.get(login)) == "form-action 'self'"
    assert _form_action(client.get(f"{login}?next={quote(signing_in)}")) == \
        "form-action 'self' https://platform.example.cn"
    elsewhere = authorize_url(app, redirect_uri="https://attacker.example/callback")  # not registered
    assert _form_action(client.get(f"{login}?next={quote(elsewhere)}")) == "form-action 'self'"
    client.force_login(User.objects.create_user(username="zhang_san", password="Correct-Horse-9"))
    consent = client.get(signing_in, secure=True)  # OAuth 2.0 wants HTTPS
    assert consent.status_code == 200 and "button" in consent.content.decode()
    assert _form_action(consent) == "form-action 'self' https://platform.example.cn"
    assert _form_action(client.get(reverse("portal:home"))) == "form-action 'self'"
