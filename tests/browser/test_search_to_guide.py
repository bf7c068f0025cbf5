"""A phone user searches for 餐饮 and reaches the food business licence guide (real Chromium; the
``browser`` fixture is in conftest.py)."""

import os
from pathlib import Path

import pytest

from govhall.catalog import testing

SCREENSHOT = Path(os.environ.get("GOVHALL_SCREENSHOT_DIR", "/tmp")) / "govhall-guide-390.png"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_phone_user_finds_the_food_business_licence_and_reads_its_materials(live_server, browser):
    regions = testing.region_tree()
    organ = testing.make_organ(regions["city"], name="六安市市场监督管理局")
    item = testing.make_item(organ=organ, name="食品经营许可（新办）")
    testing.make_item(organ=organ, name="公共场所卫生许可", keywords=[], acceptance_conditions="涉及餐饮、住宿等行业")

    page = browser.new_page(viewport={"width": 390, "height": 844})  # browser default language
    page.goto(live_server.url + "/")
    assert page.locator("main").count() == 1
    assert page.evaluate("document.documentElement.lang") == "zh-CN"

    page.get_by_role("searchbox", name="搜索办事事项").fill("餐饮")
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_url("**/search/?q=*")
    _assert_every_input_is_labelled(page)

    page.get_by_role("link", name="食品经营许可（新办）").click()
    page.wait_for_url(f"**/items/{item.code}/")
    assert page.get_by_role("heading", level=1).inner_text() == "食品经营许可（新办）"
    materials = page.get_by_role("table", name="共 2 项材料")
    assert materials.is_visible()
    # the guide names the e-licence library, but this platform does not know the licence type: submit it
    assert "本平台暂不能获取该材料，请提交" in materials.inner_text() and "无需提交" not in materials.inner_text()
    assert page.get_by_role("main").count() == 1
    _assert_every_input_is_labelled(page)
    # the stylesheet loaded, and nothing is wider than the phone
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") != "inline"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    for n, top in enumerate(range(0, height, 844)):  # phone-screen-sized slices, for a human to look at
        page.screenshot(path=str(SCREENSHOT.with_name(f"{SCREENSHOT.stem}-{n}.png")), full_page=True,
                        clip={"x": 0, "y": top, "width": 390, "height": min(844, height - top)})


def _assert_every_input_is_labelled(page):
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(el => el.type !== 'hidden')
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                      && !el.getAttribute('aria-labelledby'))
        .map(el => el.outerHTML)""")
    assert unlabelled == []
