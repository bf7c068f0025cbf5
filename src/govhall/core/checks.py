"""Deployment checks of our own settings (``govhall check --deploy``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOOPBACK = {"127.0.0.1", "localhost", "::1", ""}


@register(Tags.security, deploy=True)
def site_url(app_configs, **kwargs):
    """GOVHALL_SITE_URL is printed into every licence's QR code and every e-mail and SMS link: in
    production it must be the platform's public HTTPS origin, not the development default."""
    url = urlsplit(getattr(settings, "GOVHALL_SITE_URL", "") or "")
    if url.scheme == "https" and (url.hostname or "") not in LOOPBACK:
        return []
    return [Warning(
        f"GOVHALL_SITE_URL is {settings.GOVHALL_SITE_URL!r}: 生产环境须设置为平台对外的 HTTPS 地址 / set it to "
        "the platform's public HTTPS origin",
        hint="Licence QR codes and the links in e-mails and SMS carry it; a licence printed with a wrong "
             "origin cannot be corrected silently.",
        id="govhall.W001")]
