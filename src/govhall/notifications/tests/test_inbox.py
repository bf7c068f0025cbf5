"""The applicant's inbox: own messages only, newest first, unread counted in words, read on opening."""

import datetime as dt

import time_machine
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from govhall.notifications.context_processors import inbox as inbox_context
from govhall.notifications.models import Message

INBOX = "/account/inbox/"


def _messages(recipient, notice, n):
    start = dt.datetime(2026, 11, 1, 1, 0, tzinfo=dt.UTC)
    for i in range(n):
        with time_machine.travel(start + dt.timedelta(hours=i), tick=False):
            notice(recipient, subject_zh=f"通知{i:02d}", subject_en=f"Notice {i:02d}", case_number="")


def test_the_inbox_lists_the_users_messages_newest_first_with_the_unread_count(client, applicant, notice):
    _messages(applicant, notice, 3)
    client.force_login(applicant)
    page = client.get(INBOX).content.decode()
    assert reverse("notifications:inbox") == INBOX
    assert "<h1>我的消息</h1>" in page
    assert "您有 3 条未读消息。" in page
    assert page.index("通知02") < page.index("通知01") < page.index("通知00")
    assert page.count("inbox__item--unread") == 3


def test_the_inbox_shows_twenty_messages_a_page(client, applicant, notice):
    _messages(applicant, notice, 23)
    client.force_login(applicant)
    first = client.get(INBOX).content.decode()
    assert "通知22" in first and "通知03" in first and "通知02" not in first
    second = client.get(INBOX, {"page": 2}).content.decode()
    assert "通知02" in second and "通知00" in second and "通知03" not in second


def test_opening_a_message_shows_it_and_marks_it_read(client, applicant, notice):
    message = notice(applicant)
    client.force_login(applicant)
    page = client.get(reverse("notifications:message", args=[message.pk])).content.decode()
    assert "<h1>您的申请已受理</h1>" in page and "承诺办结时限为5个工作日" in page
    assert "SL20261123000001" in page and 'href="/account/cases/SL20261123000001/"' in page
    message.refresh_from_db()
    read_at = message.read_at
    assert read_at is not None
    client.get(reverse("notifications:message", args=[message.pk]))
    message.refresh_from_db()
    assert message.read_at == read_at  # the first reading counts
    assert "您没有未读消息。" in client.get(INBOX).content.decode()


def test_another_users_message_is_not_found_and_stays_unread(client, applicant, enterprise_agent, notice):
    message = notice(applicant)
    client.force_login(enterprise_agent)
    assert client.get(reverse("notifications:message", args=[message.pk])).status_code == 404
    assert client.get(reverse("notifications:message", args=[message.pk + 1000])).status_code == 404
    assert "您的申请已受理" not in client.get(INBOX).content.decode()
    assert Message.objects.get().read_at is None


def test_anonymous_visitors_are_sent_to_login(client, db):
    for url in (INBOX, reverse("notifications:message", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_the_inbox_speaks_english_on_request(client, applicant, notice):
    message = notice(applicant)
    client.force_login(applicant)
    client.post(reverse("set_language"), {"language": "en", "next": INBOX})
    page = client.get(INBOX).content.decode()
    assert "My messages" in page and "You have 1 unread message." in page and "Your application is accepted" in page
    detail = client.get(reverse("notifications:message", args=[message.pk])).content.decode()
    assert "promised time limit 5 working days" in detail


def test_the_header_link_says_how_many_messages_are_unread(applicant, notice, django_assert_num_queries):
    _messages(applicant, notice, 2)
    request = RequestFactory().get("/")
    request.user = applicant
    context = inbox_context(request)
    template = Template('{% include "notifications/_header_link.html" %}')
    with django_assert_num_queries(1):  # counted once however often the template asks
        html = template.render(Context({"user": applicant, **context}))
        assert context["inbox_unread"]() == 2
    assert 'href="/account/inbox/"' in html and "我的消息" in html and "2 条未读" in html
