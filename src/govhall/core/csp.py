"""Per-response additions to the Content-Security-Policy (settings ``CONTENT_SECURITY_POLICY``).

``form-action 'self'`` keeps an injected form from sending what is typed into it anywhere else. A
browser checks against it not only where a form posts but also every redirect that follows the
submission (Chromium does). Signing in to another platform through us (OpenID Connect) ends, after
our login or consent form, in a redirect to that platform's registered callback: those pages, and
only while they carry such a sign-in, add the callback's origin with ``allow_form_redirect``.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def origin_of(url: str) -> str:
    """``https://platform.example.cn`` for ``https://platform.example.cn/cb?x=1``; "" for anything else."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def allow_form_redirect(response, *urls: str):
    """Let the page's forms lead, through redirects, to the origins of ``urls`` (django-csp's
    per-response update, the attribute its ``csp_update`` decorator sets). Returns the response."""
    origins = sorted({o for o in map(origin_of, urls) if o})
    if origins:
        update = dict(getattr(response, "_csp_update", None) or {})
        update["form-action"] = [*update.get("form-action", []), *origins]
        response._csp_update = update
    return response
