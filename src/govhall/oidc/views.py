"""Protocol endpoints: discovery, JWKS, authorization (with our consent screen), token, userinfo.

Errors before the client and its redirect URI are known to be good (unknown client, unregistered
redirect URI) are shown on our own page with HTTP 400 and never redirected; later errors go back to
the platform as ``?error=…&state=…`` (RFC 6749 §4.1.2.1).
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from authlib.oauth2 import OAuth2Error
from authlib.oidc.core.errors import ConsentRequiredError
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govhall.core.csp import allow_form_redirect
from govhall.core.permissions import PUBLIC, requires

from . import claims, keys, selectors, services
from . import scopes as scope_defs
from .permissions import BEARER
from .server import issuer, server

log = logging.getLogger(__name__)


@requires(PUBLIC)
@require_GET
def discovery(request):
    base = issuer(request)

    def url(name):
        return base + reverse(name)

    return JsonResponse({
        "issuer": base,
        "authorization_endpoint": url("oidc:authorize"),
        "token_endpoint": url("oidc:token"),
        "userinfo_endpoint": url("oidc:userinfo"),
        "jwks_uri": url("oidc:jwks"),
        "scopes_supported": list(scope_defs.SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [keys.ALG],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": list(claims.SUPPORTED),
        "ui_locales_supported": ["zh-CN", "en"],
        "prompt_values_supported": ["none", "login", "consent"],
    }, json_dumps_params={"ensure_ascii": False})


@requires(PUBLIC)
@require_GET
def jwks(request):
    response = JsonResponse(keys.keyring().jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response


def _error_page(request, error: OAuth2Error):
    log.warning("OIDC authorization request rejected: %s (%s)", error.error, error.description)
    return render(request, "oidc/error.html", {"error": error.error, "description": error.description},
                  status=400)


def _oauth_error(request, error: OAuth2Error):
    if getattr(error, "redirect_uri", None):
        return server().handle_error_response(request, error)
    return _error_page(request, error)


def _without_prompt_login(request) -> str:
    query = request.GET.copy()
    prompts = [p for p in query.get("prompt", "").split() if p != "login"]
    if prompts:
        query["prompt"] = " ".join(prompts)
    else:
        query.pop("prompt", None)
    return f"{request.path}?{urlencode(list(query.items()))}"


@requires(PUBLIC)  # the client is checked before login, so a bad link fails here, not after logging in
@require_http_methods(["GET", "POST"])
@never_cache
def authorize(request):
    user = request.user if request.user.is_authenticated else None
    try:
        grant = server().get_consent_grant(request, end_user=user)
    except OAuth2Error as error:
        return _oauth_error(request, error)
    prompts = request.GET.get("prompt", "").split()
    if user is None:
        return redirect_to_login(request.get_full_path())
    if request.method == "GET" and "login" in prompts:
        logout(request)  # OIDC prompt=login: authenticate again
        return redirect_to_login(_without_prompt_login(request))

    client = grant.client
    scope = grant.request.scope or ""
    if request.method == "POST":
        allowed = "allow" in request.POST
        with transaction.atomic():
            if allowed:
                services.consent_grant(user=user, client=client, scope=scope)
            return server().create_authorization_response(request, grant_user=user if allowed else None,
                                                          grant=grant)

    if selectors.consent_covers(user=user, client=client, scope=scope) and "consent" not in prompts:
        with transaction.atomic():
            return server().create_authorization_response(request, grant_user=user, grant=grant)
    if "none" in prompts:
        error = ConsentRequiredError(redirect_uri=grant.redirect_uri, state=request.GET.get("state"))
        return _oauth_error(request, error)
    wanted = scope_defs.parse(scope)
    response = render(request, "oidc/consent.html", {
        "client": client,
        "scopes": [scope_defs.SCOPES[s] for s in wanted if s in scope_defs.SCOPES],
        "user_name": claims.display_name(user),
        "redirect_host": grant.redirect_uri.split("/")[2] if "//" in grant.redirect_uri else grant.redirect_uri,
    })
    return allow_form_redirect(response, grant.redirect_uri)  # the answer is a redirect to the client


@requires(PUBLIC)  # clients authenticate themselves (secret, or PKCE for public clients)
@csrf_exempt
@require_POST
def token(request):
    with transaction.atomic():
        return server().create_token_response(request)


def _bearer_error(status: int, error: str, description: str):
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["WWW-Authenticate"] = f'Bearer error="{error}", error_description="{description}"'
    return response


def userinfo(request):
    token = selectors.access_token(selectors.bearer_value(request))
    if token is None:
        return _bearer_error(401, "invalid_token", "a valid access token is required")
    if token.user is None or scope_defs.OPENID not in token.scopes:
        return _bearer_error(403, "insufficient_scope", "the token has no openid scope")
    response = JsonResponse(claims.user_claims(token.user, token.scope), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


userinfo = csrf_exempt(require_http_methods(["GET", "POST"])(userinfo))
userinfo.govhall_permission = BEARER
