"""Catalogue rules: codes are checked, bad guides are refused whole, versions are kept and dated."""

import datetime as dt

import pytest
import time_machine

from govhall.catalog import selectors, services, testing
from govhall.catalog.models import ImplementationItem, ItemVersion, Organ
from govhall.core.errors import DomainError, NotFound
from govhall.core.models import AuditEvent

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


def codes_of(error: DomainError) -> set[str]:
    return {p.code for p in error.problems}


def test_an_organ_with_a_wrong_check_character_is_refused_and_nothing_saved(regions):
    good = testing.make_credit_code("341500", 12345678)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(DomainError) as exc:
        services.organ_create(actor=None, credit_code=bad, name="某局", region=regions["city"], level="3", nature="1")
    assert exc.value.problems[0].field == "credit_code"
    assert "check character" in exc.value.problems[0].message_en
    assert not Organ.objects.filter(credit_code=bad).exists()


def test_a_malformed_basic_code_is_refused(regions):
    with pytest.raises(DomainError) as exc:
        testing.make_catalog_item(basic_code="00011705100")
    assert codes_of(exc.value) == {"catalog.basic_code"}


def test_a_given_implementation_code_must_match_organ_level_and_basic_code(organ):
    catalog_item = testing.make_catalog_item()
    with pytest.raises(DomainError) as exc:
        services.implementation_item_create(actor=None, catalog_item=catalog_item, organ=organ, level="3",
                                            guide=testing.guide(), code="11440232MB2D06811W4000117051000")
    assert "item.code_mismatch" in codes_of(exc.value)
    assert not ImplementationItem.objects.exists()


def test_the_implementation_code_is_organ_credit_code_plus_level_plus_basic_code(organ):
    item = testing.make_item(organ=organ, publish=False)
    assert item.code == organ.credit_code + "3" + item.catalog_item.basic_code
    assert len(item.code) == 31


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"promised_time_limit_days": 0}, "guide.time_limit_not_positive", "promised_time_limit_days"),
        ({"legal_time_limit_days": -3}, "guide.time_limit_not_positive", "legal_time_limit_days"),
        ({"promised_time_limit_days": 30}, "guide.promised_exceeds_legal", "promised_time_limit_days"),
        ({"case_kind": "7"}, "guide.bad_choice", "case_kind"),
        ({"handling_forms": ["1", "8"]}, "guide.bad_choice", "handling_forms"),
    ],
)
def test_bad_guides_are_refused_naming_the_field(organ, overrides, code, field):
    with pytest.raises(DomainError) as exc:
        testing.make_item(organ=organ, publish=False, **overrides)
    assert (code, field) in {(p.code, p.field) for p in exc.value.problems}
    assert not ImplementationItem.objects.exists()


def test_material_rules_are_all_reported_at_once(organ):
    materials = [
        {"name": "营业执照", "necessity": "required", "form": "electronic", "source": "e_licence"},
        {"name": "户籍信息", "necessity": "required", "form": "electronic", "source": "shared_data"},
        {"name": "健康证明", "necessity": "later", "form": "electronic", "source": "applicant"},
        {"name": "房产证原件", "necessity": "required", "form": "paper", "source": "applicant", "original_count": 1},
    ]
    with pytest.raises(DomainError) as exc:
        testing.make_item(organ=organ, publish=False, materials=materials)
    assert {"material.licence_type_required", "material.resource_required", "material.later_days_required",
            "material.paper_basis_required"} <= codes_of(exc.value)


def test_publishing_with_required_fields_missing_lists_every_field_and_changes_nothing(organ):
    item = testing.make_item(organ=organ, publish=False, location="", consultation_phone="", materials=[])
    draft = item.versions.get()
    with pytest.raises(DomainError) as exc:
        services.version_publish(actor=None, version=draft)
    assert {p.field for p in exc.value.problems} >= {"location", "consultation_phone", "materials"}
    draft.refresh_from_db()
    assert draft.state == "draft" and draft.effective_from is None
    assert not AuditEvent.objects.filter(action="catalog.item.published").exists()


def test_editing_a_published_item_creates_a_draft_and_the_public_guide_is_unchanged(organ, catalog_admin):
    item = testing.make_item(organ=organ)
    draft = services.item_draft_for_edit(actor=catalog_admin, item=item)
    assert draft.number == 2 and draft.state == "draft"
    assert draft.materials.count() == 2  # copied
    services.version_update(actor=catalog_admin, version=draft, guide={"promised_time_limit_days": 5})
    assert selectors.published_version(item.code).promised_time_limit_days == 10
    event = AuditEvent.objects.get(action="catalog.item.draft_updated")
    assert event.before == {"promised_time_limit_days": 10} and event.after == {"promised_time_limit_days": 5}
    assert services.item_draft_for_edit(actor=catalog_admin, item=item) == draft  # one draft at a time


def test_a_published_version_is_never_edited(organ, catalog_admin):
    item = testing.make_item(organ=organ)
    with pytest.raises(DomainError) as exc:
        services.version_update(actor=catalog_admin, version=item.versions.get(), guide={"visits": 2})
    assert codes_of(exc.value) == {"version.not_draft"}


def test_what_the_guide_said_on_a_date(organ, catalog_admin):
    item = testing.make_item(organ=organ)
    draft = services.item_draft_for_edit(actor=catalog_admin, item=item)
    services.version_update(actor=catalog_admin, version=draft, guide={"promised_time_limit_days": 5})
    services.version_publish(actor=catalog_admin, version=draft, effective_from=dt.date(2026, 12, 1))
    assert selectors.published_version(item.code).promised_time_limit_days == 10  # still v1 today
    assert selectors.published_version(item.code, dt.date(2026, 12, 1)).number == 2
    assert selectors.published_version(item.code, dt.date(2026, 11, 30)).number == 1
    v1 = ItemVersion.objects.get(item=item, number=1)
    assert v1.effective_until == dt.date(2026, 12, 1) and v1.status_on(TODAY) == "current"
    with pytest.raises(NotFound):
        selectors.published_version(item.code, dt.date(2026, 1, 1))  # before it existed


def test_a_same_day_correction_replaces_the_version_published_earlier_that_day(organ):
    item = testing.make_item(organ=organ)
    draft = services.item_draft_for_edit(actor=None, item=item)
    services.version_update(actor=None, version=draft, guide={"hours": "周一至周日 9:00-17:00"})
    services.version_publish(actor=None, version=draft)
    assert selectors.published_version(item.code).number == 2
    assert [v.number for v in selectors.version_history(item.code)] == [2, 1]


def test_publishing_cannot_be_backdated(organ):
    item = testing.make_item(organ=organ, publish=False)
    with pytest.raises(DomainError) as exc:
        services.version_publish(actor=None, version=item.versions.get(), effective_from=dt.date(2026, 1, 1))
    assert "version.backdated" in codes_of(exc.value)


def test_retiring_removes_the_item_from_the_public_catalogue_but_keeps_history(organ, catalog_admin):
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        item = testing.make_item(organ=organ)
    services.item_retire(actor=catalog_admin, item=item, reason="法律修订，事项取消")
    with pytest.raises(NotFound):
        selectors.published_version(item.code)
    assert selectors.published_version(item.code, dt.date(2026, 11, 22)).number == 1
    assert selectors.published_version(item.code, dt.date(2026, 11, 22)).retire_reason == "法律修订，事项取消"
    assert selectors.search_items("食品经营许可")[1] == 0
    assert AuditEvent.objects.filter(action="catalog.item.retired", reason="法律修订，事项取消").exists()


def test_catalog_admins_manage_only_their_own_organ_or_region(organ, other_organ, catalog_admin,
                                                            region_catalog_admin, other_catalog_admin):
    item = testing.make_item(organ=organ)
    with pytest.raises(NotFound):
        services.item_draft_for_edit(actor=other_catalog_admin, item=item)
    assert services.item_draft_for_edit(actor=region_catalog_admin, item=item).number == 2
    hefei_item = testing.make_item(organ=other_organ)
    with pytest.raises(NotFound):
        services.item_draft_for_edit(actor=region_catalog_admin, item=hefei_item)
    with pytest.raises(NotFound):
        selectors.access_item(catalog_admin, hefei_item.code)


def test_every_write_is_audited_with_its_actor(organ, catalog_admin):
    item = testing.make_item(organ=organ, actor=catalog_admin)
    actions = list(AuditEvent.objects.filter(target_type="catalog.implementationitem", target_id=str(item.pk))
                   .values_list("action", "actor_label"))
    assert actions == [("catalog.item.created", "catalog_admin"), ("catalog.item.published", "catalog_admin")]


def test_supplementary_items_belong_to_a_city(regions):
    with pytest.raises(DomainError) as exc:
        services.catalog_item_create(actor=None, basic_code="341500000001", name="某补充事项", item_type="20",
                                     legal_basis="市政府规定", exercise_levels=["3"], region=regions["province"],
                                     supplementary=True)
    assert codes_of(exc.value) == {"catalog.supplementary_region"}
    item = services.catalog_item_create(actor=None, basic_code="341500000001", name="某补充事项", item_type="20",
                                        legal_basis="市政府规定", exercise_levels=["3"], region=regions["city"],
                                        supplementary=True, local_code="LA-BC-0001")
    assert item.local_code == "LA-BC-0001"
