"""Accessibility in real Chromium: every main page of the portal, the applicant's pages, the workbench
and the console is checked with axe-core against WCAG 2.2 AA (no serious or critical violation), and
the start of the apply journey is done with the keyboard only.

The pages come from the demo data (``govhall.demo.luan.load``: the Lu'an catalogue, the demo accounts, 张三's
cases and licence), loaded as ``make run`` loads it. With ``GOVHALL_DOCS_SCREENSHOTS=1`` the last test
also writes the screenshots of docs/screenshots/ (1280 px and 390 px wide).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from urllib.parse import quote

import pytest

from govhall.cases.models import Case
from govhall.demo import luan as demo
from govhall.identity.models import User
from govhall.licenses import render
from govhall.licenses.models import Licence

from .test_case_journey import DESKTOP, PHONE, Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Rules skipped on one page only, with the reason. Empty: every page passes every rule.
SKIPPED: dict[str, dict[str, str]] = {}


@pytest.fixture
def demo_data(settings, tmp_path):
    """The demo as ``make run`` loads it. Loaded before the browser starts: issuing the demo licence signs
    its PDF through pyHanko's asyncio, which cannot run inside Playwright's loop."""
    settings.GOVHALL_DEMO = True
    settings.MEDIA_ROOT = tmp_path / "media"
    demo.load()
    licence = Licence.objects.filter(holder_user__username="citizen").first()
    case = Case.objects.filter(applicant__username="citizen").order_by("-pk").first()
    return {"case": case, "licence": licence,
            "item": case.item, "users": {u.username: u for u in User.objects.filter(is_demo=True)}}


def axe_problems(page, name: str) -> list[str]:
    """The serious and critical WCAG 2.2 AA violations axe-core finds on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    rules = {rule: {"enabled": False} for rule in SKIPPED.get(name, {})}
    options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
    if rules:
        options["rules"] = rules
    results = Axe().run(page, options=options).response
    return [f"{name} {page.url}: {v['id']} ({v['impact']}) {v['help']}: "
            + " | ".join(n["html"][:160] for n in v["nodes"][:4])
            for v in results["violations"] if v["impact"] in BLOCKING]


def test_every_main_page_passes_axe_against_wcag_2_2_aa(demo_data, live_server, browser, settings):
    settings.GOVHALL_SITE_URL = live_server.url
    case, licence, item, users = demo_data["case"], demo_data["licence"], demo_data["item"], demo_data["users"]
    problems: list[str] = []

    def check(actor: Actor, name: str, path: str, status: int = 200):
        response = actor.page.goto(live_server.url + path)
        assert response.status == status, (path, response.status)
        actor.check()
        problems.extend(axe_problems(actor.page, name))

    verify_path = render.verify_url(licence.identifier)[len(live_server.url):]
    for phone in (False, True):
        anonymous = Actor.__new__(Actor)  # no session: the public pages as anyone sees them
        anonymous.base_url, anonymous.user, anonymous.phone = live_server.url, None, phone
        anonymous.context = browser.new_context(viewport=PHONE if phone else DESKTOP)
        anonymous.page = anonymous.context.new_page()
        suffix = "@390" if phone else ""
        for name, path, status in [
            ("home", "/", 200), ("search", "/search/?q=" + quote("餐饮"), 200), ("guide", f"/items/{item.code}/", 200),
            ("login", "/account/login/", 200), ("register", "/account/register/", 200),
            ("password-reset", "/account/password-reset/", 200), ("progress", "/progress/", 200),
            ("licence-verify", verify_path, 200), ("not-found", "/no-such-page/", 404),
        ]:
            check(anonymous, name + suffix, path, status)
        anonymous.context.close()

        citizen = Actor(browser, live_server.url, users["citizen"], phone=phone)
        for name, path in [
            ("my-cases", "/my/cases/"), ("case", f"/my/cases/{case.number}/"), ("my-licences", "/my/licences/"),
            ("licence", f"/my/licences/{licence.identifier}/"), ("inbox", "/account/inbox/"),
            ("data-use", "/my/data-use/"), ("account", "/account/"), ("security", "/account/security/"),
        ]:
            check(citizen, name + suffix, path)
            if name == "my-cases":  # the case number on one line, without a scrolling box
                lines = citizen.page.evaluate("""() => [...document.querySelectorAll('.case-number')].map(el =>
                    [el.scrollWidth <= el.clientWidth, el.getClientRects().length === 1
                     && el.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(el).lineHeight)])""")
                assert lines and all(fits and one_line for fits, one_line in lines), lines
        check(citizen, "forbidden" + suffix, "/console/", 403)  # the 403 page, in the site's frame
        citizen.context.close()

    window = Actor(browser, live_server.url, users["window_officer"], phone=False)
    for queue in ("", "?queue=accept", "?queue=review", "?queue=approve", "?queue=joint"):
        check(window, "workbench" + queue, "/console/cases/" + queue)
    check(window, "workbench-case", f"/console/cases/{case.number}/")
    check(window, "console-home", "/console/")
    window.context.close()

    admin = Actor(browser, live_server.url, users["catalog_admin"], phone=False)
    check(admin, "console-items", "/console/items/")
    check(admin, "console-item", f"/console/items/{item.code}/")
    admin.context.close()

    auditor = Actor(browser, live_server.url, users["security_admin"], phone=False)
    check(auditor, "audit-log", "/console/audit/")
    auditor.context.close()

    assert problems == [], "\n".join(problems)


def test_the_apply_journey_starts_with_the_keyboard_only(demo_data, live_server, browser):
    """Search → guide → 在线办理 → the draft form, with Tab and Enter only: focus is always visible, the
    first field and the save button are reached, and saving keeps what was typed."""
    citizen = Actor(browser, live_server.url, demo_data["users"]["citizen"], phone=False)
    page = citizen.open("/")

    def tab_to(predicate_js: str, limit: int = 80):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"(el => {predicate_js})(document.activeElement)"):
                assert_focus_visible(page)
                return
        raise AssertionError(f"Tab never reached {predicate_js} on {page.url}")

    tab_to("el.type === 'search'")
    page.keyboard.type("食品经营许可")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(f"el.tagName === 'A' && el.getAttribute('href').includes('/items/{demo_data['item'].code}/')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/items/" in page.url
    tab_to("['A', 'BUTTON'].includes(el.tagName) && el.textContent.includes('在线办理')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/apply/" in page.url, page.url  # who applies: 张三 himself (checked) or a company he acts for
    citizen.check()
    assert page.evaluate("document.querySelector('input[name=applicant][value=self]').checked")
    problems = axe_problems(page, "apply-start")
    assert problems == [], "\n".join(problems)
    tab_to("el.tagName === 'BUTTON' && el.type === 'submit' && !!el.closest('form.apply-form')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/applications/" in page.url, page.url
    citizen.check()
    problems = axe_problems(page, "draft")
    assert problems == [], "\n".join(problems)

    tab_to("['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) && el.type !== 'search' && !el.closest('header')")
    field = page.evaluate("document.activeElement.name")
    page.keyboard.press("Control+A")
    page.keyboard.type("张三")
    tab_to("el.tagName === 'BUTTON' && el.type === 'submit' && el.value === 'save' && el.form === document.querySelector("
           f"'[name=\"{field}\"]').form")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    citizen.check()
    assert page.locator(f"[name='{field}']").input_value() == "张三"
    # the submit control of the draft is reachable too
    tab_to("el.tagName === 'BUTTON' && el.value === 'submit' && el.form "
           "&& el.form.id === 'draft-form'", limit=200)
    citizen.context.close()


def assert_focus_visible(page):
    """The focused element shows a focus ring (an outline or a box shadow that is not 'none')."""
    style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return {outline: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow,
                html: document.activeElement.outerHTML.slice(0, 120)}; }""")
    assert (style["outline"] != "none" and style["width"] > 0) or style["shadow"] != "none", style


@pytest.mark.skipif(not os.environ.get("GOVHALL_DOCS_SCREENSHOTS"), reason="writes docs/screenshots/ on demand")
def test_screenshots_of_the_main_pages(demo_data, live_server, browser, settings):
    settings.GOVHALL_SITE_URL = live_server.url
    case, licence, item, users = demo_data["case"], demo_data["licence"], demo_data["item"], demo_data["users"]
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    verify_path = render.verify_url(licence.identifier)[len(live_server.url):]
    pages = [("home", None, "/"), ("guide", None, f"/items/{item.code}/"), ("licence-verify", None, verify_path),
             ("my-cases", "citizen", "/my/cases/"), ("case", "citizen", f"/my/cases/{case.number}/"),
             ("workbench-case", "window_officer", f"/console/cases/{case.number}/")]
    for phone in (False, True):
        width = PHONE["width"] if phone else DESKTOP["width"]
        for name, username, path in pages:
            if username is None:
                context = browser.new_context(viewport=PHONE if phone else DESKTOP)
                page = context.new_page()
            else:
                actor = Actor(browser, live_server.url, users[username], phone=phone)
                context, page = actor.context, actor.page
            page.goto(live_server.url + path)
            height = min(page.evaluate("document.documentElement.scrollHeight"), 2400)
            png = page.screenshot(full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
            (DOCS_SCREENSHOTS / f"{name}-{width}.png").write_bytes(_small_png(png))
            context.close()


def _small_png(png: bytes) -> bytes:
    """The PNG with a reduced palette where Pillow is at hand (keeps each file well under 300 KB)."""
    try:
        from PIL import Image
    except ImportError:
        return png
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=128)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
