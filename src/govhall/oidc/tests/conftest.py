import pytest

from govhall.identity.models import User
from govhall.identity.roles import ROLE_PERMISSIONS, Role
from govhall.oidc import keys
from govhall.oidc.models import Client
from govhall.oidc.permissions import CLIENT_MANAGE

from .helpers import register


@pytest.fixture(scope="session")
def oidc_session_key_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("oidc-keys")


@pytest.fixture(autouse=True)
def oidc_key_dir(settings, oidc_session_key_dir):
    """Signing keys in a temporary directory, never in the developer's var/."""
    settings.GOVHALL_OIDC_KEY_DIR = oidc_session_key_dir
    keys._cache.clear()
    yield oidc_session_key_dir
    keys._cache.clear()


@pytest.fixture(autouse=True)
def system_admins_manage_clients(monkeypatch):
    """The SYSTEM_ADMIN role grants oidc.client.manage (identity/roles.py, added by the lead)."""
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.SYSTEM_ADMIN, ROLE_PERMISSIONS[Role.SYSTEM_ADMIN] | {CLIENT_MANAGE})


@pytest.fixture
def resident(db):
    """A resident (not staff: no second factor) who signs in to other platforms through GovHall."""
    return User.objects.create_user(username="zhang_san", password="Correct-Horse-9", display_name="张三")


@pytest.fixture
def platform(db):
    """A confidential client (a server-side platform). Returns (client, secret)."""
    return register(grant_types=("authorization_code", "client_credentials"))


@pytest.fixture
def app_client(db):
    """A public client (mobile app): no secret, PKCE required."""
    client, _ = register(kind=Client.Kind.PUBLIC, name="皖事通 App", scope=("openid", "profile", "api.read"))
    return client


@pytest.fixture
def client():
    """Django's test client over HTTPS, as in production (OAuth 2.0 refuses plain HTTP except loopback)."""
    from django.test import Client as HttpClient

    class HttpsClient(HttpClient):
        def generic(self, *args, secure=True, **kwargs):
            return super().generic(*args, secure=True, **kwargs)

    return HttpsClient()
