import datetime as dt

import pytest
import time_machine

from govhall.login import factors, totp
from govhall.login.models import TotpDevice

GENERATION_MIDDLEWARE = "govhall.login.middleware.SessionGenerationMiddleware"
START = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def generation_middleware(settings):
    """The lead installs the middleware after AuthenticationMiddleware; until then the tests do."""
    if GENERATION_MIDDLEWARE not in settings.MIDDLEWARE:
        auth = settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
        settings.MIDDLEWARE = [*settings.MIDDLEWARE[:auth + 1], GENERATION_MIDDLEWARE,
                               *settings.MIDDLEWARE[auth + 1:]]


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def current_code(user) -> str:
    import time

    return totp.code_at(factors._secret(TotpDevice.objects.get(user=user)), time.time())


PASSWORD = "Correct-Horse-9"  # the shared personas' password (root conftest.py)


def log_in(client, username, password=None, **extra):
    return client.post("/account/login/", {"username": username, "password": password or PASSWORD, **extra})
