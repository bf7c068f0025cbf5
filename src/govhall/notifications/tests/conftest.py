import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from govhall.notifications import services

MAIL_FROM = "六安政务服务网 <noreply@zwfw.example.cn>"


@pytest.fixture
def notice(django_capture_on_commit_callbacks):
    """Notify as the case-handling services do, inside a transaction; deliveries run on commit."""
    from django.db import transaction

    def send(recipient, **fields):
        fields = {"kind": "cases.case.accepted", "subject_zh": "您的申请已受理", "subject_en": "Your application is accepted",
                  "body_zh": "食品经营许可（新办）已于今日受理，承诺办结时限为5个工作日。",
                  "body_en": "Food business licence (new): accepted today; promised time limit 5 working days.",
                  "link": "/account/cases/SL20261123000001/", "case_number": "SL20261123000001", **fields}
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return services.notify(recipient=recipient, **fields)

    return send


class Mailbox:
    """aiosmtpd handler keeping every message it receives, parsed."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append({"from": envelope.mail_from, "to": envelope.rcpt_tos, "message": parsed})
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1, and Django's SMTP backend pointed at it."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.GOVHALL_MAIL_FROM = MAIL_FROM
    yield mailbox
    controller.stop()


@pytest.fixture
def no_smtp_server(settings):
    """Django's SMTP backend pointed at a port where nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
