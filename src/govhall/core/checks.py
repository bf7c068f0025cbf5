"""Deployment checks of our own settings (``govhall check --deploy``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from . import simulators as adapters

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


@register(Tags.security, deploy=True)
def simulators(app_configs, **kwargs):
    """In production every local simulator (register, face check, SMS, payment) is an error unless
    ``GOVHALL_ALLOW_SIMULATORS`` names it: a simulator confirms invented people, accepts any face and
    lets an applicant mark a fee paid. An adapter setting that names no importable class is an error
    everywhere."""
    errors = []
    allowed = adapters.allowed()
    for name in sorted(adapters.ADAPTERS):
        adapter = adapters.ADAPTERS[name]
        try:
            simulated = adapter.is_simulator()
        except ImportError as exc:
            errors.append(Error(
                f"{adapter.setting} = {adapter.path()!r}: 无法加载该类 / cannot import it ({exc})",
                hint=f"Set {adapter.setting} to the dotted path of the {adapter.label_en} adapter class.",
                id="govhall.E002"))
            continue
        if simulated and adapters.production() and name not in allowed:
            errors.append(Error(
                f"{adapter.setting} = {adapter.path()!r}: 生产环境正在使用{adapter.label_zh}模拟服务 / the "
                f"{adapter.label_en} is the local simulator ({name})",
                hint=f"Point {adapter.setting} at the real {adapter.label_en} adapter, or, for a demonstration "
                     f"or test site only, add {name!r} to GOVHALL_ALLOW_SIMULATORS (every page then shows a "
                     "banner naming it).",
                id="govhall.E001"))
    return errors
