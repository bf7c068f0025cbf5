"""Staff see failed deliveries (masked) and send them again; the retry is audited."""

import datetime as dt

import pytest
from django.urls import reverse

from govhall.console import notifications_urls as console_urls
from govhall.core.models import AuditEvent
from govhall.core.permissions import AUTHENTICATED
from govhall.login.models import SmsMessage
from govhall.notifications.models import Delivery
from govhall.notifications.permissions import DELIVERY_MANAGE
from govhall.portal import notifications_urls as urls

from .gateways import REFUSING

FAILED_PAGE = "/console/notifications/failed/"


@pytest.fixture
def failed_delivery(applicant_person, notice, settings):
    settings.GOVHALL_SMS_GATEWAY, settings.GOVHALL_NOTIFY_MAX_ATTEMPTS = REFUSING, 1
    notice(applicant_person.user)
    delivery = Delivery.objects.get()
    assert delivery.state == "failed"
    settings.GOVHALL_SMS_GATEWAY = "govhall.login.sms.SimulatorGateway"  # the carrier is back
    return delivery


def test_every_url_declares_its_permission():
    assert {p.name: p.callback.govhall_permission for p in urls.urlpatterns} == {
        "inbox": AUTHENTICATED, "message": AUTHENTICATED}
    assert {p.name: p.callback.govhall_permission for p in console_urls.urlpatterns} == {
        "failed": DELIVERY_MANAGE, "retry": DELIVERY_MANAGE}
    assert reverse("notifications_console:failed") == FAILED_PAGE


def test_the_failed_page_lists_the_delivery_masked(client, supervisor, failed_delivery):
    client.force_login(supervisor)
    page = client.get(FAILED_PAGE).content.decode()
    assert "发送失败的通知" in page
    assert "SL20261123000001" in page and "139****0001" in page and "13955600001" not in page
    assert "SmsNotSent: gateway answered 503 for 139****0001" in page
    assert reverse("notifications_console:retry", args=[failed_delivery.pk]) in page


def test_retry_sends_again_and_is_audited(client, supervisor, failed_delivery, django_capture_on_commit_callbacks):
    client.force_login(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications_console:retry", args=[failed_delivery.pk]))
    assert response.status_code == 302 and response["Location"] == FAILED_PAGE

    failed_delivery.refresh_from_db()
    assert (failed_delivery.state, failed_delivery.attempts) == ("sent", 1)
    assert SmsMessage.objects.get().phone == "13955600001"
    event = AuditEvent.objects.get(action="notifications.delivery.retried")
    assert event.actor == supervisor and event.target_id == str(failed_delivery.pk)
    assert event.before["state"] == "failed" and event.after == {"state": "pending", "attempts": 0}
    assert "13955600001" not in event.target_label
    page = client.get(FAILED_PAGE).content.decode()
    assert "正在重新发送" in page and "没有发送失败的通知" in page


def test_retrying_a_delivery_that_has_not_failed_changes_nothing(client, supervisor, failed_delivery):
    Delivery.objects.filter(pk=failed_delivery.pk).update(state="sent", sent_at=dt.datetime(2026, 11, 23, tzinfo=dt.UTC))
    client.force_login(supervisor)
    page = client.post(reverse("notifications_console:retry", args=[failed_delivery.pk]), follow=True)
    assert "该通知未处于发送失败状态" in page.content.decode()
    assert not AuditEvent.objects.filter(action="notifications.delivery.retried").exists()


def test_only_staff_with_the_permission_may_see_or_retry(client, applicant, catalog_admin, failed_delivery):
    retry = reverse("notifications_console:retry", args=[failed_delivery.pk])
    assert client.get(FAILED_PAGE).status_code == 302  # to login
    for user in (applicant, catalog_admin):
        client.force_login(user)
        assert client.get(FAILED_PAGE).status_code == 403
        assert client.post(retry).status_code == 403
    assert Delivery.objects.get().state == "failed"


def test_retry_answers_only_to_post_and_404_for_an_unknown_delivery(client, supervisor, db):
    client.force_login(supervisor)
    assert client.get(reverse("notifications_console:retry", args=[1])).status_code == 405
    assert client.post(reverse("notifications_console:retry", args=[999])).status_code == 404


def test_the_page_answers_in_english_on_request(client, supervisor, failed_delivery):
    client.force_login(supervisor)
    client.post(reverse("set_language"), {"language": "en", "next": FAILED_PAGE})
    page = client.get(FAILED_PAGE).content.decode()
    assert "Failed notifications" in page and "Your application is accepted" in page

