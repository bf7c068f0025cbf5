import pytest

from govhall.catalog import testing
from govhall.core import calendar_store
from govhall.core.i18n import compile_catalogues
from govhall.identity.models import StaffRole, User
from govhall.identity.roles import Role


@pytest.fixture
def regions(db):
    return testing.region_tree()


@pytest.fixture
def organ(regions):
    return testing.make_organ(regions["city"], name="六安市市场监督管理局")


@pytest.fixture
def other_organ(regions):
    return testing.make_organ(regions["hefei"], name="合肥市市场监督管理局")


def _staff(username, role, organ=None, region=None):
    user = User.objects.create_user(username=username, password="Correct-Horse-9", display_name=username)
    StaffRole.objects.create(user=user, role=role, organ=organ, region=region)
    return user


@pytest.fixture
def catalog_admin(organ):
    """Catalogue administrator of the Lu'an market regulation bureau."""
    return _staff("catalog_admin", Role.CATALOG_ADMIN, organ=organ)


@pytest.fixture
def region_catalog_admin(regions):
    """Catalogue administrator for all of Lu'an city (the service centre)."""
    return _staff("city_catalog_admin", Role.CATALOG_ADMIN, region=regions["city"])


@pytest.fixture
def other_catalog_admin(other_organ):
    return _staff("hefei_catalog_admin", Role.CATALOG_ADMIN, organ=other_organ)


@pytest.fixture
def system_admin(regions):
    return _staff("sysadmin", Role.SYSTEM_ADMIN, region=regions["province"])


@pytest.fixture
def supervisor(regions):
    return _staff("supervisor", Role.SUPERVISOR, region=regions["city"])


@pytest.fixture
def applicant(db):
    return User.objects.create_user(username="citizen", password="Correct-Horse-9")


@pytest.fixture
def published_item(organ):
    return testing.make_item(organ=organ)


def pytest_sessionstart(session):
    compile_catalogues()


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """The calendar is cached per process; a year saved by an earlier test was rolled back with
    that test's transaction, so no test may see another's cached calendar."""
    calendar_store.invalidate()
    yield
    calendar_store.invalidate()


@pytest.fixture
def fully_logged_in():
    """Log a client in as if every required factor had been given (see the login app's flow)."""

    def login(client, user):
        client.force_login(user)
        return client

    return login
