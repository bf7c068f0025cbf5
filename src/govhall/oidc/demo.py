"""The demo platform's client (examples/demo_platform.py), for demo mode only."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import scopes as scope_defs
from . import services
from .models import Client

DEMO_CLIENT_ID = "govhall-demo-platform"
DEMO_CLIENT_SECRET = "demo-platform-secret-not-for-production"  # noqa: S105 - demo mode only
DEMO_REDIRECT_URIS = ["http://127.0.0.1:8001/callback", "http://localhost:8001/callback"]


def create_demo_client() -> Client:
    """Register the demo platform once (idempotent). Refuses outside demo mode: its secret is public."""
    if not settings.GOVHALL_DEMO:
        raise ImproperlyConfigured("the demo platform client exists only in demo mode (GOVHALL_DEMO)")
    existing = Client.objects.filter(client_id=DEMO_CLIENT_ID).first()
    if existing is not None:
        return existing
    client, _ = services.client_register(
        actor=None, name="示例平台（第二个政务平台）", kind=Client.Kind.CONFIDENTIAL,
        redirect_uris=DEMO_REDIRECT_URIS,
        grant_types=[Client.Grant.AUTHORIZATION_CODE, Client.Grant.CLIENT_CREDENTIALS],
        scope=[scope_defs.OPENID, scope_defs.PROFILE, scope_defs.ID_MASKED, scope_defs.API_READ],
        client_id=DEMO_CLIENT_ID, secret=DEMO_CLIENT_SECRET,
    )
    return client
