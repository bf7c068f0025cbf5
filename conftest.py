import pytest

from govhall.catalog import testing
from govhall.core import calendar_store
from govhall.core.i18n import compile_catalogues
from govhall.identity.models import User
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


@pytest.fixture
def catalog_admin(organ):
    """Catalogue administrator of the Lu'an market regulation bureau."""
    return testing.make_staff("catalog_admin", Role.CATALOG_ADMIN, organ=organ)


@pytest.fixture
def region_catalog_admin(regions):
    """Catalogue administrator for all of Lu'an city (the service centre)."""
    return testing.make_staff("city_catalog_admin", Role.CATALOG_ADMIN, region=regions["city"])


@pytest.fixture
def other_catalog_admin(other_organ):
    return testing.make_staff("hefei_catalog_admin", Role.CATALOG_ADMIN, organ=other_organ)


@pytest.fixture
def system_admin(regions):
    return testing.make_staff("sysadmin", Role.SYSTEM_ADMIN, region=regions["province"])


@pytest.fixture
def security_admin(regions):
    """Security administrator for all of Lu'an city: manages the seals of its organs."""
    return testing.make_staff("security_admin", Role.SECURITY_ADMIN, region=regions["city"])


@pytest.fixture
def other_security_admin(other_organ):
    """Security administrator of the Hefei bureau only: another organ's seals are not theirs."""
    return testing.make_staff("hefei_security_admin", Role.SECURITY_ADMIN, organ=other_organ)


@pytest.fixture
def supervisor(regions):
    return testing.make_staff("supervisor", Role.SUPERVISOR, region=regions["city"])


@pytest.fixture
def applicant(db):
    return User.objects.create_user(username="citizen", password="Correct-Horse-9")


@pytest.fixture
def published_item(organ):
    return testing.make_item(organ=organ)


def pytest_sessionstart(session):
    compile_catalogues()


@pytest.fixture(autouse=True)
def fresh_calendar_cache(request):
    """The calendar is cached per process; a year saved by an earlier test was rolled back with
    that test's transaction, so no test may see another's cached calendar. Tests marked
    ``transaction=True`` flush every table afterwards, migration-seeded calendar days included:
    database tests put the official calendar back when it is gone."""
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
        from govhall.core.models import CalendarYear

        if not CalendarYear.objects.exists():
            _reseed_calendar()
    calendar_store.invalidate()
    yield
    calendar_store.invalidate()


def _reseed_calendar():
    from govhall.core.calendar import official_days
    from govhall.core.models import CalendarDay, CalendarYear

    days = official_days(2004, 2026)
    CalendarDay.objects.bulk_create([CalendarDay(date=d, is_working=w, note=n) for d, (w, n) in days.items()],
                                    batch_size=2000)
    CalendarYear.objects.bulk_create([CalendarYear(year=y, source="chinese-calendar") for y in range(2004, 2027)])


@pytest.fixture
def fully_logged_in():
    """Log a client in as if every required factor had been given (see the login app's flow)."""

    def login(client, user):
        client.force_login(user)
        return client

    return login


# --- identity: real-name persons, companies and agents (simulated registers; see docs/accounts.md) ---


@pytest.fixture
def applicant_person(applicant):
    """张三, the applicant's real-name identity, confirmed by the population register (level 3)."""
    from govhall.identity import services

    person = services.person_create(actor=None, user=applicant, name="张三", id_type="resident_id",
                                    id_number="341502199003071235", phone="13955600001")
    return services.person_verify_register(actor=None, person=person)


@pytest.fixture
def company(applicant_person):
    """六安皖西茶业有限公司, registered by its legal representative 张三 (the applicant)."""
    from govhall.identity import services

    return services.legal_person_register(actor=applicant_person.user, name="六安皖西茶业有限公司",
                                          credit_code="91341502MA2TEA019F")


@pytest.fixture
def enterprise_agent(company):
    """李娜 (user ``agent_li``, level 3), agent of ``company`` for all items for one year."""
    import datetime as dt

    from django.utils import timezone

    from govhall.identity import services

    person = services.person_register(username="agent_li", password="Correct-Horse-9", name="李娜",
                                      id_type="resident_id", id_number="341503199205202420", phone="13955600002")
    person = services.person_verify_register(actor=None, person=person)
    services.agent_grant(actor=company.legal_representative.user, legal_person=company, agent_name="李娜",
                         agent_id_number="341503199205202420", all_items=True,
                         expires_at=timezone.now() + dt.timedelta(days=365))
    return person.user
