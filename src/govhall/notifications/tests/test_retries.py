"""A channel that keeps failing: back-off 1, 5, 25, 125 minutes, then the failed state."""

import datetime as dt
import logging

import pytest
import time_machine

from govhall.core.scheduler import JOBS
from govhall.notifications import tasks
from govhall.notifications.models import Delivery

from .gateways import BROKEN, REFUSING

START = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
PHONE = "13955600001"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def refusing_gateway(settings):
    settings.GOVHALL_SMS_GATEWAY = REFUSING


def test_a_refused_text_message_is_retried_with_back_off_until_it_fails(
        applicant_person, refusing_gateway, clock, notice, caplog):
    with caplog.at_level(logging.INFO):
        notice(applicant_person.user)
        delivery = Delivery.objects.get()
        assert (delivery.state, delivery.attempts) == ("pending", 1)
        assert delivery.next_attempt_at == START + dt.timedelta(minutes=1)

        for attempts, wait in [(2, 1), (3, 5), (4, 25), (5, 125)]:
            clock.shift(dt.timedelta(minutes=wait) - dt.timedelta(seconds=1))
            tasks.schedule_resend()  # not yet due: nothing happens
            assert Delivery.objects.get().attempts == attempts - 1
            clock.shift(dt.timedelta(seconds=1))
            tasks.schedule_resend()
            assert Delivery.objects.get().attempts == attempts

    delivery.refresh_from_db()
    assert (delivery.state, delivery.next_attempt_at, delivery.sent_at) == ("failed", None, None)
    assert delivery.last_error == "SmsNotSent: gateway answered 503 for 139****0001"
    clock.shift(dt.timedelta(days=1))
    tasks.schedule_resend()
    assert Delivery.objects.get().attempts == 5  # a failed delivery waits for staff
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("govhall"))
    assert "failed after 5 attempts" in ours and PHONE not in ours


def test_the_number_of_attempts_is_configurable(applicant_person, refusing_gateway, clock, notice, settings):
    settings.GOVHALL_NOTIFY_MAX_ATTEMPTS = 2
    notice(applicant_person.user)
    clock.shift(dt.timedelta(minutes=1))
    tasks.schedule_resend()
    assert Delivery.objects.get().state == "failed"


def test_an_unreachable_mail_server_is_a_failed_attempt_retried_later(applicant, no_smtp_server, clock, notice):
    applicant.email = "zhangsan@example.cn"
    applicant.save(update_fields=["email"])

    notice(applicant)

    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.state, delivery.attempts) == ("email", "pending", 1)
    assert delivery.last_error.startswith("ConnectionRefusedError")
    assert "zhangsan@example.cn" not in delivery.last_error


def test_a_delivery_is_sent_once_even_if_enqueued_twice(applicant_person, notice):
    notice(applicant_person.user)
    delivery = Delivery.objects.get()
    assert tasks.send_delivery.enqueue(delivery.pk).return_value == "skipped"
    assert Delivery.objects.get().attempts == 1


def test_the_resend_job_is_scheduled_every_minute():
    job = JOBS["notifications.delivery.resend"]
    assert job.every == dt.timedelta(minutes=1) and job.run is tasks.schedule_resend


def test_an_unexpected_gateway_error_counts_as_a_failed_attempt(applicant_person, clock, notice, settings):
    settings.GOVHALL_SMS_GATEWAY = BROKEN
    notice(applicant_person.user)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("pending", 1, "RuntimeError")
