"""The supervisor's dashboard in real Chromium: a case left past its promised and legal limits shows as a
yellow and a red warning, the server-drawn charts render, the supervisor opens the red warning from the
dashboard. Desktop and phone widths; a screenshot of each goes to docs/screenshots/ when
GOVHALL_SCREENSHOT_DIR names that folder (otherwise /tmp)."""
# ruff: noqa: F811 (fixtures imported from the case journey and used as arguments)

import datetime as dt

import pytest

from govhall.cases import services
from govhall.catalog import testing as catalog_testing
from govhall.identity.roles import Role
from govhall.supervision import services as supervision

from .test_case_journey import (  # noqa: F401 (fixtures)
    PHONE,
    SCREENSHOTS,
    Actor,
    item,
    server_in_2026,
    traveller,
    window,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def overdue(traveller, server_in_2026, applicant_person, item, window):
    """张三's case accepted, then left 40 days: past its promised and its legal limit; scanned."""
    from govhall.cases.tests.conftest import fill

    application = services.application_start(actor=applicant_person.user, item_code=item.code)
    fill(application, applicant_person.user)
    case = services.application_submit(actor=applicant_person.user, application=application)
    services.case_accept(actor=window, case=case)
    traveller.shift(dt.timedelta(days=40))
    supervision.scan()
    return case


def test_the_supervisor_sees_red_and_yellow_at_a_glance(overdue, live_server, browser, organ):
    supervisor = catalog_testing.make_staff("city_supervisor", Role.SUPERVISOR, region=organ.region)
    desk = Actor(browser, live_server.url, supervisor, phone=False)
    page = desk.open("/console/supervision/")
    text = desk.text()
    assert "红牌" in text and "黄牌" in text
    assert page.locator("main svg").count() >= 1  # the charts, drawn by the server
    page.screenshot(path=str(SCREENSHOTS / "supervision-dashboard-1280.png"), full_page=True)
    link = page.locator("main a", has_text=overdue.number).first
    if link.count():
        with page.expect_navigation():
            link.click()
        desk.check()
        assert overdue.number in desk.text()
    phone = Actor(browser, live_server.url, supervisor, phone=True)
    small = phone.page
    small.set_viewport_size(PHONE)
    response = small.goto(live_server.url + "/console/supervision/")
    assert response.status == 200 and "红牌" in phone.text()
    small.screenshot(path=str(SCREENSHOTS / "supervision-dashboard-390.png"), full_page=True)
