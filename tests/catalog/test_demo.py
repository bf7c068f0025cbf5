"""The demo catalogue is realistic and valid, and demo accounts exist only in demo mode."""

import pytest
from django.contrib.auth import authenticate

from govhall.catalog import selectors
from govhall.catalog.models import ImplementationItem, Material, Organ
from govhall.core import audit
from govhall.core.codes import credit_code_problem, implementation_code_problem
from govhall.demo import luan as demo


@pytest.fixture
def loaded(db):
    return demo.load()


def test_the_demo_covers_a_city_realistically(loaded):
    assert loaded["implementation_items"] >= 40 and loaded["organs"] >= 10
    types = set(ImplementationItem.objects.values_list("catalog_item__item_type", flat=True))
    assert {"01", "05", "07", "20"} <= types
    assert Material.objects.filter(source="e_licence").exclude(licence_type_code="").count() >= 5
    assert Material.objects.filter(source="shared_data").exclude(data_resource_code="").count() >= 5
    joint = {i.pk for i in ImplementationItem.objects.filter(versions__joint_organs__isnull=False)}
    assert len(joint) >= 3
    assert selectors.topics("person").count() >= 5 and selectors.topics("enterprise").count() >= 5


def test_every_demo_code_passes_every_check(loaded):
    assert [o.credit_code for o in Organ.objects.all() if credit_code_problem(o.credit_code)] == []
    assert [i.code for i in ImplementationItem.objects.all() if implementation_code_problem(i.code)] == []
    for item in ImplementationItem.objects.select_related("organ", "catalog_item"):
        assert item.code == item.organ.credit_code + item.level + item.catalog_item.basic_code


def test_the_demo_food_licence_is_found_by_name_and_by_related_word(loaded):
    assert any("食品经营许可" in e.name for e in selectors.search_items("餐饮")[0])
    assert selectors.search_items("食品经营许可")[0][0].name.startswith("食品经营许可")


def test_loading_is_audited(loaded):
    result = audit.verify()
    assert result.ok and result.checked >= loaded["implementation_items"] * 2


def test_demo_accounts_log_in_only_in_demo_mode(loaded, settings):
    assert authenticate(username="catalog_admin", password=demo.DEMO_PASSWORD) is not None
    settings.GOVHALL_DEMO = False
    assert authenticate(username="catalog_admin", password=demo.DEMO_PASSWORD) is None


def test_the_demo_command_refuses_a_database_that_is_not_empty(loaded):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="not empty"):
        call_command("demo", "load")


def test_the_demo_cases_have_their_sealed_notices_at_once(loaded):
    """The loader drains the events of its cases: ``make run`` shows the notices without a worker."""
    from govhall.cases.models import Case, Decision
    from govhall.documents.models import SignedDocument

    for case in Case.objects.all():
        kinds = set(SignedDocument.objects.filter(case=case).values_list("kind", flat=True))
        if case.accepted_on:
            assert "acceptance_notice" in kinds, case.number
        if case.state == "not_accepted":
            assert "non_acceptance_notice" in kinds, case.number
        if Decision.objects.filter(case=case).exists():
            assert "decision" in kinds, case.number
        if case.special_procedures.exists():
            assert "special_procedure_notice" in kinds, case.number
    assert SignedDocument.objects.filter(case__isnull=False).count() >= 4
