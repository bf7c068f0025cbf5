"""The case-handling fixtures (an item with steps of 3, 3 and 2 working days, promised 10 and legal
20 working days; time frozen on Monday 2026-06-01) and a supervisor of Lu'an city."""

import pytest

from govhall.cases.tests.conftest import *  # noqa: F401,F403
from govhall.catalog import testing
from govhall.identity.roles import Role


@pytest.fixture
def city_supervisor(regions):
    return testing.make_staff("city_supervisor", Role.SUPERVISOR, region=regions["city"])


@pytest.fixture
def hefei_supervisor(regions):
    return testing.make_staff("hefei_supervisor", Role.SUPERVISOR, region=regions["hefei"])
