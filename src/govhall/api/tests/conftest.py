"""tests/conftest.py does not reach tests under src/; these mirror its catalogue fixtures."""

import pytest

from govhall.catalog import testing


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
def published_item(organ):
    return testing.make_item(organ=organ)
