"""Registering what a real list needs: regions from 12-digit codes, organs without a credit code
yet, catalogue entries without a basic code, items keyed by their local code, main items and
sub-items. Every write is scoped and audited; nothing is invented, what is derived says so."""

import pytest

from govhall.catalog import services, testing
from govhall.catalog.models import CatalogItem, ImplementationItem, Organ, Region
from govhall.core.errors import DomainError, NotFound
from govhall.core.models import AuditEvent

LOCAL = "511A0138000000-511602000000-000-115113010833722043-1-00"


def codes_of(error: DomainError) -> set[str]:
    return {p.code for p in error.problems}


def test_a_12_digit_statistical_code_is_mapped_kept_and_marked_derived(db):
    province = services.region_create(actor=None, code="510000", name="四川省")
    city = services.region_create(actor=None, code="511600000000", name="广安市", parent=province)
    assert (city.code, city.level, city.statistical_code) == ("511600", "city", "511600000000")
    assert set(city.derived) == {"code", "level"}
    event = AuditEvent.objects.get(action="catalog.region.created", target_id="511600")
    assert event.after["statistical_code"] == "511600000000"


def test_a_village_code_or_a_code_outside_the_parent_is_refused_with_every_problem(sichuan):
    with pytest.raises(DomainError) as exc:
        services.region_create(actor=None, code="511602003204", name="某村", parent=sichuan["district"])
    assert codes_of(exc.value) == {"region.code"}
    with pytest.raises(DomainError) as exc:
        services.region_create(actor=None, code="510104", name="", level="city", parent=sichuan["city"])
    assert codes_of(exc.value) == {"region.level", "region.parent", "region.name"}


def test_a_region_admin_registers_below_their_region_and_nowhere_else(sichuan, district_admin, chengdu_admin):
    town = services.region_create(actor=district_admin, code="511602003000", name="浓洄街道",
                                  parent=sichuan["district"])
    assert town.code == "511602003" and town.level == "township"
    assert AuditEvent.objects.get(action="catalog.region.created", target_id="511602003").actor == district_admin
    with pytest.raises(NotFound):
        services.region_create(actor=chengdu_admin, code="511602004", name="北辰街道", parent=sichuan["district"])
    assert not Region.objects.filter(code="511602004").exists()


def test_an_organ_with_a_legacy_organisation_code_is_accepted_kept_and_to_be_completed(sichuan, district_admin):
    organ = services.organ_create(actor=district_admin, name="区司法局", region=sichuan["district"],
                                  org_code="00877868-5", source_codes=["00877868-5"])
    assert organ.credit_code is None and organ.to_complete
    assert organ.org_code == "008778685" and organ.source_codes == ["00877868-5"]
    assert organ.level == "4" and set(organ.derived) == {"org_code", "level"}
    assert organ.ref == f"O{organ.pk}"
    event = AuditEvent.objects.get(action="catalog.organ.created", target_id=str(organ.pk))
    assert event.actor == district_admin and event.after["source_codes"] == ["00877868-5"]


def test_bad_organ_codes_are_all_reported_at_once(sichuan):
    with pytest.raises(DomainError) as exc:
        services.organ_create(actor=None, name="", region=sichuan["district"], credit_code="11511301008778183X",
                              org_code="13050100-3", level="8", nature="5")
    assert codes_of(exc.value) == {"organ.credit_code", "organ.org_code", "organ.name", "organ.level",
                                   "organ.nature"}
    assert not Organ.objects.exists()


def test_a_lower_case_check_letter_is_upper_cased_and_the_codes_must_agree(sichuan):
    organ = services.organ_create(actor=None, name="区残联", region=sichuan["district"],
                                  credit_code="11511301452259996u")
    assert organ.credit_code == "11511301452259996U" and organ.org_code == "452259996"
    assert "normalised from 11511301452259996u" in organ.derived["credit_code"]
    with pytest.raises(DomainError) as exc:
        services.organ_create(actor=None, name="区财政局", region=sichuan["district"],
                              credit_code="11511301008778220W", org_code="008778183")
    assert codes_of(exc.value) == {"organ.codes_disagree"}


def test_completing_an_organ_checks_the_credit_code_against_its_legacy_code(sichuan, district_admin):
    organ = services.organ_create(actor=None, name="区司法局", region=sichuan["district"], org_code="008778685")
    with pytest.raises(DomainError) as exc:  # valid, but another organisation's
        services.organ_update(actor=district_admin, organ=organ, credit_code="11511301008778183N")
    assert codes_of(exc.value) == {"organ.codes_disagree"}
    organ = services.organ_update(actor=district_admin, organ=organ, credit_code="115113010087786859")
    assert organ.credit_code == "115113010087786859" and not organ.to_complete
    event = AuditEvent.objects.get(action="catalog.organ.updated", target_id=str(organ.pk))
    assert event.before == {"credit_code": None} and event.after == {"credit_code": "115113010087786859"}


def test_an_admin_of_another_region_cannot_touch_an_organ(sichuan, chengdu_admin):
    organ = services.organ_create(actor=None, name="区司法局", region=sichuan["district"], org_code="008778685")
    with pytest.raises(NotFound):
        services.organ_update(actor=chengdu_admin, organ=organ, credit_code="115113010087786859")
    with pytest.raises(NotFound):
        services.organ_create(actor=chengdu_admin, name="区统计局", region=sichuan["district"])
    organ.refresh_from_db()
    assert organ.credit_code is None


def _listed_item(organ, name="适龄儿童延缓入学审批", local=LOCAL, parent=None, item_type="01"):
    entry = services.catalog_item_create(actor=None, name=name, item_type=item_type, region=organ.region,
                                         local_code=local)
    return services.implementation_item_create(actor=None, catalog_item=entry, organ=organ, level="4",
                                               guide={"name": name}, local_code=local, parent=parent)


def test_an_item_without_national_codes_is_keyed_by_its_local_code(sichuan):
    organ = services.organ_create(actor=None, name="区教科体局", region=sichuan["district"], org_code="083372204")
    item = _listed_item(organ)
    assert (item.key, item.code, item.local_code, item.region_id) == (LOCAL, None, LOCAL, "511602")
    assert item.catalog_item.basic_code is None
    with pytest.raises(DomainError) as exc:  # the same local code again in the region
        _listed_item(organ, name="另一事项")
    assert "catalog.local_code_taken" in codes_of(exc.value)


def test_a_given_national_code_needs_its_parts(sichuan):
    organ = services.organ_create(actor=None, name="区教科体局", region=sichuan["district"], org_code="083372204")
    entry = services.catalog_item_create(actor=None, name="某事项", item_type="01", region=organ.region,
                                         local_code="X-1")
    with pytest.raises(DomainError) as exc:
        services.implementation_item_create(actor=None, catalog_item=entry, organ=organ, level="4",
                                            guide={"name": "某事项"}, code="115113010833722043400011705100X")
    assert codes_of(exc.value) == {"item.code_parts_missing"}


def test_main_items_and_sub_items(sichuan):
    organ = services.organ_create(actor=None, name="区公安分局", region=sichuan["district"])
    other = services.organ_create(actor=None, name="区民政局", region=sichuan["district"],
                                  credit_code="11511301008778298W")
    main_entry = services.catalog_item_create(actor=None, name="户口登记", item_type="07", region=organ.region)
    main = services.implementation_item_create(actor=None, catalog_item=main_entry, organ=organ, level="4",
                                               guide={"name": "户口登记"})
    assert main.key.startswith("511602-M") and main.code is None
    sub = _listed_item(organ, name="户口恢复", local="L-1", parent=main, item_type="07")
    assert list(main.sub_items.all()) == [sub] and sub.parent == main
    with pytest.raises(DomainError) as exc:  # two levels only; same organ only
        _listed_item(organ, name="户口恢复（补录）", local="L-2", parent=sub)
    assert codes_of(exc.value) == {"item.parent_nested"}
    with pytest.raises(DomainError) as exc:
        _listed_item(other, name="婚姻登记", local="L-3", parent=main)
    assert codes_of(exc.value) == {"item.parent_organ"}


def test_the_national_code_is_derived_once_its_parts_are_known_and_the_key_stays(sichuan, district_admin):
    organ = services.organ_create(actor=None, name="区司法局", region=sichuan["district"], org_code="008778685")
    item = _listed_item(organ, local="512C0107400001-511602000000-000-00877868-5-1-00")
    with pytest.raises(DomainError) as exc:
        services.item_identity_update(actor=district_admin, item=item, derive_code=True)
    assert codes_of(exc.value) == {"item.code_parts_missing"}
    services.organ_update(actor=district_admin, organ=organ, credit_code="115113010087786859")
    services.catalog_item_update(actor=district_admin, catalog_item=item.catalog_item, basic_code="000107400001")
    item = services.item_identity_update(actor=district_admin, item=item, derive_code=True)
    assert item.code == "115113010087786859" + "4" + "000107400001"
    assert item.key == "512C0107400001-511602000000-000-00877868-5-1-00"  # stable identity
    assert "code" in item.derived
    event = AuditEvent.objects.get(action="catalog.item.identity_updated")
    assert event.before == {"code": None} and event.after == {"code": item.code}
    assert ImplementationItem.objects.get(code=item.code) == item


def test_a_catalogue_entry_gains_its_basic_code_once_and_only_once(sichuan, district_admin):
    entry = services.catalog_item_create(actor=district_admin, name="某事项", item_type="01",
                                         region=sichuan["district"], local_code="A-1")
    assert entry.basic_code is None and entry.legal_basis == ""
    services.catalog_item_update(actor=district_admin, catalog_item=entry, basic_code="000107400001")
    with pytest.raises(DomainError) as exc:
        services.catalog_item_update(actor=district_admin, catalog_item=entry, basic_code="000107400002")
    assert codes_of(exc.value) == {"catalog.basic_code_set"}
    assert CatalogItem.objects.get(pk=entry.pk).basic_code == "000107400001"


def test_the_national_catalogue_keeps_its_rules(regions):
    with pytest.raises(DomainError) as exc:
        services.catalog_item_create(actor=None, name="某事项", item_type="01", region=regions["county"],
                                     basic_code="000107400001")
    assert codes_of(exc.value) == {"catalog.province_region", "catalog.legal_basis"}
    assert testing.make_catalog_item().basic_code
