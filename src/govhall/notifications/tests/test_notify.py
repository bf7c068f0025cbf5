"""notify(): the inbox message at once, e-mail and SMS after commit, in Chinese first."""

import datetime as dt
import logging

import pytest
from django.db import transaction

from govhall.login.models import SmsMessage
from govhall.notifications import channels, services
from govhall.notifications.models import Delivery, Message

from .conftest import MAIL_FROM

PHONE = "13955600001"  # applicant_person's mobile number


def test_an_applicant_with_a_phone_gets_an_inbox_message_and_a_text_message(applicant_person, notice, settings):
    settings.GOVHALL_SITE_URL = "https://zwfw.luan.example.cn"
    message = notice(applicant_person.user)

    assert Message.objects.get() == message and message.read_at is None
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.state, delivery.attempts) == ("sms", "sent", 1)
    assert delivery.address_masked == "139****0001" and delivery.sent_at is not None
    sms = SmsMessage.objects.get()
    assert sms.phone == PHONE
    assert sms.text == "【皖事通办 · 六安政务服务网】您的申请已受理 https://zwfw.luan.example.cn/account/cases/SL20261123000001/"


def test_the_email_reaches_a_real_smtp_server_in_chinese_then_english(applicant, applicant_person,
                                                                        smtp_server, notice):
    applicant.email = "zhangsan@example.cn"
    applicant.save(update_fields=["email"])

    notice(applicant)

    [received] = smtp_server.received
    assert received["to"] == ["zhangsan@example.cn"]
    mail = received["message"]
    assert mail["From"] == MAIL_FROM
    assert mail["Subject"].strip() == "您的申请已受理 / Your application is accepted"
    body = mail.get_content()
    assert "食品经营许可（新办）已于今日受理" in body and "办件编号：SL20261123000001" in body
    assert body.index("已于今日受理") < body.index("Food business licence (new): accepted today")
    states = dict(Delivery.objects.values_list("channel", "state"))
    assert states == {"email": "sent", "sms": "sent"}
    assert Delivery.objects.get(channel="email").address_masked == "z***@example.cn"


def test_links_in_emails_are_absolute_when_the_site_url_is_known(applicant, smtp_server, notice, settings):
    settings.GOVHALL_SITE_URL = "https://zwfw.luan.example.cn"
    applicant.email = "zhangsan@example.cn"
    applicant.save(update_fields=["email"])

    notice(applicant)

    body = smtp_server.received[0]["message"].get_content()
    assert "详情：https://zwfw.luan.example.cn/account/cases/SL20261123000001/" in body


def test_the_real_name_email_is_used_when_the_account_has_none(applicant_person, smtp_server, notice):
    applicant_person.email = "zs@example.cn"
    applicant_person.save(update_fields=["email"])

    notice(applicant_person.user)

    assert smtp_server.received[0]["to"] == ["zs@example.cn"]


def test_a_recipient_with_neither_email_nor_phone_still_gets_the_inbox_message(applicant, notice, mailoutbox):
    message = notice(applicant)

    assert Message.objects.filter(recipient=applicant).get() == message
    assert not Delivery.objects.exists() and not SmsMessage.objects.exists() and mailoutbox == []


def test_nothing_is_sent_when_the_callers_transaction_rolls_back(applicant_person, django_capture_on_commit_callbacks):
    class CaseRefused(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CaseRefused):
        with transaction.atomic():
            services.notify(recipient=applicant_person.user, kind="cases.case.accepted", subject_zh="受理",
                            subject_en="Accepted", body_zh="正文", body_en="Text")
            raise CaseRefused

    assert not Message.objects.exists() and not SmsMessage.objects.exists()


def test_logs_name_addresses_only_masked(applicant, applicant_person, smtp_server, notice, caplog):
    applicant.email = "zhangsan@example.cn"
    applicant.save(update_fields=["email"])

    with caplog.at_level(logging.DEBUG):
        notice(applicant)

    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("govhall"))
    assert "139****0001" in ours and "z***@example.cn" in ours
    assert PHONE not in ours and "zhangsan@example.cn" not in ours


@pytest.mark.parametrize("link", ["javascript:alert(1)", "account/inbox/", "data:text/html,x"])
def test_links_are_site_paths_or_web_addresses(applicant, link):
    with pytest.raises(ValueError):
        services.notify(recipient=applicant, kind="k.k", subject_zh="s", subject_en="s", body_zh="b",
                        body_en="b", link=link)


@pytest.mark.parametrize(("attempts", "minutes"), [(1, 1), (2, 5), (3, 25), (4, 125)])
def test_retries_back_off_exponentially(attempts, minutes):
    assert services.retry_delay(attempts) == dt.timedelta(minutes=minutes)


@pytest.mark.parametrize(("address", "masked"), [("zhangsan@example.cn", "z***@example.cn"), ("a@b.cn", "a***@b.cn")])
def test_email_addresses_are_masked_for_display(address, masked):
    assert channels.mask_email(address) == masked
