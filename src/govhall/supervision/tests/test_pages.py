"""Console pages and API of supervision: the dashboard draws SVG charts without script or inline
style, the organ answers a warning through its page, the supervisor closes it, figures export to
Excel, and the API filters by organ, level, state and period."""

import datetime as dt
import io

import pytest
from django.urls import reverse

from govhall.cases import services as cases
from govhall.supervision import services
from govhall.supervision.models import Warning

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(submitted, window, clock_start):
    cases.case_accept(actor=window, case=submitted)
    clock_start.shift(dt.timedelta(days=40))  # past the promised and the legal date
    services.scan()
    return submitted


def test_dashboard_draws_svg_charts(client, fully_logged_in, overdue, city_supervisor):
    fully_logged_in(client, city_supervisor)
    page = client.get(reverse("supervision_console:dashboard"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "<rect" in html and "红牌" in html and "黄牌" in html
    assert "<script" not in html.split("</header>")[-1] and " style=" not in html
    grades = client.get(reverse("supervision_console:dashboard") + "?period=2026Q3")
    assert grades.status_code == 200


def test_organ_answers_and_supervisor_closes_through_the_pages(client, fully_logged_in, overdue, window,
                                                               city_supervisor):
    w = Warning.objects.get(rule__code="T04")
    url = reverse("supervision_console:warning", args=[w.pk])
    fully_logged_in(client, window)
    assert client.post(url, {"action": "explain", "text": ""}).status_code == 400
    assert client.post(url, {"action": "rectify", "text": "已加急办理并建立督办台账"}).status_code == 302
    assert client.post(url, {"action": "close", "text": "x"}).status_code == 400  # not the organ's to close
    client.logout()
    fully_logged_in(client, city_supervisor)
    assert client.post(url, {"action": "close", "text": "整改到位"}).status_code == 302
    w.refresh_from_db()
    assert w.state == "closed"
    detail = client.get(url).content.decode()
    assert "整改到位" in detail and overdue.number in detail


def test_figures_export_and_drill_down(client, fully_logged_in, overdue, city_supervisor):
    from openpyxl import load_workbook

    fully_logged_in(client, city_supervisor)
    xlsx = client.get(reverse("supervision_console:figures_xlsx") + "?period=2026-06")
    book = load_workbook(io.BytesIO(xlsx.content))
    rows = list(book.active.values)
    assert rows[0][0].startswith("期间") and rows[1][0] == "2026-06" and rows[1][3] == 1
    cases_page = client.get(reverse("supervision_console:figure_cases") + f"?organ={overdue.organ_id}&period=2026Q2")
    assert overdue.number in cases_page.content.decode()


def test_api_filters(client, fully_logged_in, overdue, city_supervisor, hefei_supervisor):
    fully_logged_in(client, city_supervisor)
    body = client.get("/api/v1/supervision/warnings?level=red&state=open").json()
    assert body["count"] == 1 and body["warnings"][0]["rule"] == "T04" and body["warnings"][0]["level_zh"] == "红牌"
    code = overdue.organ.credit_code
    assert client.get(f"/api/v1/supervision/warnings?organ={code}").json()["count"] >= 2
    figures = client.get(f"/api/v1/supervision/figures?organ={code}&period=2026Q2").json()
    assert figures[0]["received"] == 1 and figures[0]["grade"]
    client.logout()
    fully_logged_in(client, hefei_supervisor)
    assert client.get("/api/v1/supervision/warnings").json()["count"] == 0
