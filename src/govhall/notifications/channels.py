"""The two external channels: where a user can be reached, and one attempt at sending.

Addresses are looked up from the user each time (the phone number lives encrypted on the Person);
only masked forms leave this module, in logs, errors and the Delivery row.
"""

from __future__ import annotations

import logging
import smtplib
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMessage

from govhall.crypto.fields import mask_identifier
from govhall.identity.selectors import person_of

from . import sms
from .models import Channel, Message

logger = logging.getLogger("govhall.notifications")


class NotSent(Exception):
    """The channel refused or could not take the message; the text names no address in clear."""


def email_of(user) -> str:
    """The account's e-mail address, else the one on the user's real-name identity, else ""."""
    if user.email:
        return user.email
    person = person_of(user) if user.is_authenticated else None
    return person.email if person is not None and person.email else ""


def addresses_of(user) -> dict[str, str]:
    """Channel → address for every channel the user can be reached on."""
    found = {Channel.EMAIL: email_of(user), Channel.SMS: sms.phone_of(user)}
    return {channel: address for channel, address in found.items() if address}


def mask_email(address: str) -> str:
    """``zhangsan@example.cn`` → ``z***@example.cn``."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def mask(channel: str, address: str) -> str:
    return mask_email(address) if channel == Channel.EMAIL else mask_identifier(address, 3, 4)


def absolute(link: str) -> str:
    """A site path as a full URL when GOVHALL_SITE_URL is set (e-mail and SMS leave the site)."""
    base = getattr(settings, "GOVHALL_SITE_URL", "")
    return urljoin(base, link) if link.startswith("/") and base else link


def email_text(message: Message) -> tuple[str, str]:
    """Subject and body: Chinese first, then English."""
    link = absolute(message.link)
    zh, en = [message.body_zh], [message.body_en]
    if message.case_number:
        zh.append(f"办件编号：{message.case_number}")
        en.append(f"Case number: {message.case_number}")
    if link:
        zh.append(f"详情：{link}")
        en.append(f"Details: {link}")
    signature = getattr(settings, "GOVHALL_SITE_NAME", "GovHall")
    body = "\n".join(zh) + "\n\n" + "-" * 20 + "\n\n" + "\n".join(en) + f"\n\n{signature}\n"
    return f"{message.subject_zh} / {message.subject_en}", body


def sms_text(message: Message) -> str:
    """Short, Chinese, signed: 【site name】subject link."""
    site = getattr(settings, "GOVHALL_SITE_NAME", "GovHall")
    link = absolute(message.link)
    return f"【{site}】{message.subject_zh}" + (f" {link}" if link else "")


def send(channel: str, message: Message) -> str:
    """One attempt on ``channel``; returns the masked address. Raises NotSent."""
    address = addresses_of(message.recipient).get(channel, "")
    if not address:
        raise NotSent(f"the recipient has no {channel} address any more")
    masked = mask(channel, address)
    try:
        if channel == Channel.EMAIL:
            subject, body = email_text(message)
            from_email = getattr(settings, "GOVHALL_MAIL_FROM", settings.DEFAULT_FROM_EMAIL)
            EmailMessage(subject, body, from_email, [address]).send()
        else:
            sms.gateway().send(address, sms_text(message))
    except (smtplib.SMTPException, OSError, sms.SmsNotSent) as exc:
        # Servers quote the recipient in their replies: keep it out of the stored error.
        text = f"{type(exc).__name__}: {exc}".replace(address, masked)
        logger.warning("%s to %s for message #%s not sent: %s", channel, masked, message.pk, text)
        raise NotSent(text) from exc
    logger.info("%s to %s for message #%s sent", channel, masked, message.pk)
    return masked
