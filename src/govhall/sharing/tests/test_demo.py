"""The demo: 张三 applying for his company's 创业担保贷款 sees both registers fetched."""

import pytest

from govhall.cases import services as cases
from govhall.demo import luan as demo
from govhall.demo.sharing import LOAN_NAME
from govhall.identity.models import LegalPerson, User
from govhall.sharing import selectors


@pytest.fixture
def loaded(db):
    return demo.load()


def test_demo_citizen_sees_both_fetched_and_is_asked_only_for_the_rest(loaded):
    assert loaded["data_resources"] == 2
    citizen = User.objects.get(username="citizen")
    company = LegalPerson.objects.get(credit_code="91341502MA2TEA019F")
    from govhall.catalog.models import ImplementationItem

    item = ImplementationItem.objects.get(versions__name=LOAN_NAME)
    application = cases.application_start(actor=citizen, item_code=item.code, legal_person=company)
    states = {r.material.name: (r.status, getattr(getattr(r, "sharing_fetch", None), "state", None))
              for r in application.materials.select_related("material", "sharing_fetch")}
    assert states["户口簿（户籍信息）"] == ("to_fetch", "fetched")
    assert states["营业执照（企业登记信息）"] == ("to_fetch", "fetched")
    assert [n for n, (s, _) in states.items() if s == "missing"] == ["经营场所使用证明", "创业项目计划书"]
    assert {u.resource_code for u in selectors.data_use_of(citizen)} == {"DR-GA-HJ-001", "DR-SCJG-DJ-001"}
