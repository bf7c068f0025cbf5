"""A licence in real Chromium: the holder downloads it from the wallet on a phone; anyone opening the
link its QR code carries, on a phone-sized screen, sees it verified; the approver revokes it in the
console and the same link says revoked at once.

Every page visited is checked as in the case journey: Chinese, one ``main``, every input labelled,
and nothing wider than the phone on the phone pages.
"""

from urllib.parse import urlsplit

import pytest

from govhall.catalog import testing
from govhall.identity.roles import Role
from govhall.licenses import render
from govhall.licenses import services as licences

from .test_case_journey import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCHEMA = [
    {"name": "business_name", "label_zh": "经营者名称", "label_en": "Operator", "type": "text", "required": True,
     "public": True},
    {"name": "premises", "label_zh": "经营场所", "label_en": "Premises", "type": "text", "required": True,
     "public": True},
    {"name": "legal_rep", "label_zh": "法定代表人", "label_en": "Legal representative", "type": "text",
     "required": True, "public": False},
]


@pytest.fixture
def licence(organ, company, applicant):
    kind = licences.licence_type_create(actor=None, type_code=organ.credit_code + "002", name="食品经营许可证",
                                        holder_kind="legal_person", face_schema=SCHEMA, defining_organ=organ,
                                        validity_years=5, template="licences/food_business")
    return licences.licence_issue(actor=None, licence_type=kind, issuer=organ, holder_name=company.name,
                                  holder_code=company.credit_code, holder_user=applicant,
                                  face={"business_name": company.name, "premises": "六安市裕安区茶城路8号",
                                        "legal_rep": "张三"})


@pytest.fixture
def approver(organ):
    return testing.make_staff("licence_approver", Role.APPROVER, organ=organ)


def test_the_qr_link_verifies_on_a_phone_and_revocation_shows_at_once(licence, live_server, browser, settings,
                                                                      applicant, approver):
    # ``licence`` first: it is issued (PDF signed through pyHanko's asyncio) before Playwright runs its loop
    settings.GOVHALL_SITE_URL = live_server.url
    qr_target = render.verify_url(licence.identifier)
    assert qr_target.startswith(live_server.url)
    path = qr_target[len(live_server.url):]

    holder = Actor(browser, live_server.url, applicant, phone=True)
    wallet = holder.open("/my/licences/")
    assert "食品经营许可证" in holder.text()
    wallet.get_by_role("link", name="食品经营许可证").first.click()
    holder.check()
    with wallet.expect_download() as download:
        wallet.locator(f"a[href$='/my/licences/{licence.identifier}/pdf/']").first.click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")  # its signatures and QR code are checked in the licences and documents tests

    anyone = browser.new_context(viewport={"width": 390, "height": 844})
    page = anyone.new_page()
    assert page.goto(qr_target).status == 200
    verdict = page.locator("[data-valid]")
    assert verdict.get_attribute("data-valid") == "true"
    assert "证照真实有效" in verdict.inner_text()
    body = page.locator("main").inner_text()
    assert "六安市裕安区茶城路8号" in body and "张三" not in body  # public fields only
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate("document.documentElement.lang") == "zh-CN"

    head = Actor(browser, live_server.url, approver, phone=False)
    console = head.open(f"/console/licences/{licence.identifier}/")
    form = console.locator(f"form[action$='/{licence.identifier}/revoke/']")
    form.get_by_label("理由（将告知持证人）").fill("以欺骗手段取得许可")
    with console.expect_navigation():
        form.get_by_role("button", name="注销").click()
    head.check()

    page.reload()
    verdict = page.locator("[data-valid]")
    assert verdict.get_attribute("data-valid") == "false"
    assert verdict.get_attribute("data-reason") == "revoked"
    assert "已注销" in page.locator("main").inner_text()
    assert urlsplit(page.url).path == urlsplit(path).path
    anyone.close()
