"""The audit log page and its chain check; entering a year's official holiday schedule."""

import datetime as dt

from django.urls import reverse

from govhall.core import calendar_store
from govhall.core.models import AuditEvent, CalendarDay

SCHEDULE_2027 = {
    "year": 2027,
    "source": "国办发明电〔2026〕7号",
    "holidays": "2027-01-01 元旦\n2027-02-05..2027-02-11 春节\n2027-04-05 清明节\n2027-05-03..2027-05-05 劳动节\n"
                "2027-06-09 端午节\n2027-09-15 中秋节\n2027-10-01..2027-10-07 国庆节",
    "make_up_days": "2027-02-14 春节调休上班\n2027-09-26\n2027-10-09",
}


def test_the_audit_page_lists_events_and_filters_by_action_prefix(as_user, supervisor, published_item):
    client = as_user(supervisor)
    response = client.get(reverse("console:audit"))
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == AuditEvent.objects.count()
    response = client.get(reverse("console:audit"), {"action": "catalog.item."})
    assert {e.action for e in response.context["page_obj"].object_list} == {"catalog.item.created",
                                                                            "catalog.item.published"}
    response = client.get(reverse("console:audit"), {"target": published_item.code})
    assert all(e.target_id == str(published_item.pk) or published_item.code in e.target_label
               for e in response.context["page_obj"].object_list)


def test_the_verify_button_reports_an_intact_chain(as_user, supervisor, published_item):
    response = as_user(supervisor).post(reverse("console:audit"))
    assert response.status_code == 200
    assert response.context["verification"].ok
    assert 'data-verify="ok"' in response.content.decode()


def test_the_verify_button_reports_the_first_altered_event(as_user, supervisor, published_item):
    event = AuditEvent.objects.filter(action="catalog.item.published").get()
    AuditEvent.objects.filter(pk=event.pk).update(reason="tampered")
    response = as_user(supervisor).post(reverse("console:audit"))
    assert response.context["verification"].broken_seq == event.seq
    assert 'data-verify="broken"' in response.content.decode()


def test_a_system_admin_enters_2027_and_deadlines_can_run_into_it(
        as_user, system_admin, django_capture_on_commit_callbacks):
    client = as_user(system_admin)
    response = client.get(reverse("console:calendar", args=[2027]))
    assert response.status_code == 200 and not response.context["page"].known
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("console:calendar", args=[2027]), SCHEDULE_2027)
    assert response.status_code == 302
    assert response["Location"] == reverse("console:calendar", args=[2027])
    assert calendar_store.add_working_days(dt.date(2026, 12, 25), 10) == dt.date(2027, 1, 11)
    assert not CalendarDay.objects.get(date=dt.date(2027, 10, 4)).is_working
    assert CalendarDay.objects.get(date=dt.date(2027, 2, 14)).is_working
    assert CalendarDay.objects.get(date=dt.date(2027, 10, 1)).note == "国庆节"
    event = AuditEvent.objects.get(action="core.calendar.year_set")
    assert (event.actor, event.reason) == (system_admin, "国办发明电〔2026〕7号")

    page = client.get(reverse("console:calendar", args=[2027])).context["page"]
    assert page.known and (dt.date(2027, 10, 1), "国庆节") in page.holidays
    assert [d for d, _ in page.make_up_days] == [dt.date(2027, 2, 14), dt.date(2027, 9, 26), dt.date(2027, 10, 9)]
    home = client.get(reverse("console:home")).context["overview"]
    assert not home.next_year_missing


def test_bad_dates_are_reported_line_by_line_and_nothing_is_saved(as_user, system_admin):
    data = {**SCHEDULE_2027, "holidays": "2027-01-01\n2027-13-01\n2027-10-07..2027-10-01\n2026-12-31",
            "make_up_days": "2027-01-01"}
    response = as_user(system_admin).post(reverse("console:calendar", args=[2027]), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert len(errors["holidays"]) == 3
    assert "2027-13-01" in errors["holidays"][0]
    assert "2026-12-31" in errors["holidays"][2]
    assert errors["make_up_days"]  # 2027-01-01 cannot be both
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_a_schedule_without_a_source_is_refused(as_user, system_admin):
    response = as_user(system_admin).post(reverse("console:calendar", args=[2027]), {**SCHEDULE_2027, "source": ""})
    assert response.status_code == 400
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_the_calendar_page_highlights_holidays_and_make_up_days(as_user, system_admin):
    response = as_user(system_admin).get(reverse("console:calendar", args=[2026]))
    page = response.context["page"]
    assert dt.date(2026, 10, 1) in [d for d, _ in page.holidays]
    assert dt.date(2026, 9, 20) in [d for d, _ in page.make_up_days]
    assert "c-day-make_up" in response.content.decode()


def test_the_audit_log_is_paginated_by_fifty_newest_first(as_user, supervisor):
    from django.db import transaction

    from govhall.core import audit

    with transaction.atomic():
        for i in range(55):
            audit.record(actor=None, action="test.event.logged", target_type="test", target_id=str(i))
    client = as_user(supervisor)
    response = client.get(reverse("console:audit"), {"action": "test."})
    page = response.context["page_obj"]
    assert len(page.object_list) == 50 and page.object_list[0].target_id == "54"
    assert "page=2" in response.content.decode() and "action=test." in response.content.decode()
    assert len(client.get(reverse("console:audit"), {"action": "test.", "page": 2}).context["page_obj"]) == 5
