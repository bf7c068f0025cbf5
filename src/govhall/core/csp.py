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


# Where a login continues after its form (``next``) may end in another platform's callback: the
# sign-in providers register how to find it (the OIDC provider, oidc.apps), so that the login pages
# need not import them (login and oidc are independent apps).
_CONTINUATIONS: list = []


def register_continuation(callback_of) -> None:
    """``callback_of(next_url) -> str``: the external callback a login that goes on to ``next_url``
    ends in, or "" when it does not."""
    if callback_of not in _CONTINUATIONS:
        _CONTINUATIONS.append(callback_of)


def continuation_callbacks(next_url: str) -> list[str]:
    """The external callbacks a login continuing to ``next_url`` may end in (for ``allow_form_redirect``)."""
    return [url for url in (find(next_url) for find in _CONTINUATIONS) if url]
