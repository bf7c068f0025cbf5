import pytest

from govhall.catalog import testing
from govhall.identity.roles import Role


@pytest.fixture
def sichuan(db):
    return testing.sichuan_tree()


@pytest.fixture
def district_admin(sichuan):
    """Catalogue administrator for all of Guang'an district (the district's service centre)."""
    return testing.make_staff("guangan_admin", Role.CATALOG_ADMIN, region=sichuan["district"])


@pytest.fixture
def chengdu_admin(sichuan):
    """Catalogue administrator of another region (Chengdu): Guang'an is outside their scope."""
    return testing.make_staff("chengdu_admin", Role.CATALOG_ADMIN, region=sichuan["chengdu"])
