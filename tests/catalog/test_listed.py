"""Listed before complete: an item can be published with only name, organ, type, codes and where to
apply. Its guide says plainly which parts are not yet published and never shows an invented value
(no time limit, no "free of charge", no visit count); online applications need a complete guide."""

import pytest
from django.conf import settings
from django.urls import reverse

from govhall.cases import services as cases
from govhall.catalog import services, testing
from govhall.catalog.models import Completeness
from govhall.catalog.onboarding.items import item_onboard
from govhall.core.errors import DomainError
from govhall.core.models import AuditEvent

LOCAL = "511A0138000000-511602000000-000-115113010833722043-1-00"


@pytest.fixture
def education(sichuan):
    return services.organ_create(actor=None, name="区教科体局", region=sichuan["district"], org_code="083372204")


@pytest.fixture
def listed(education, district_admin):
    return item_onboard(actor=district_admin, organ=education, name="适龄儿童、少年因身体状况需要延缓入学或者休学审批",
                        item_type="1", local_code=LOCAL, where={"location": "广安区政务服务中心三楼"})


def test_a_listed_item_is_published_with_its_facts_only_and_audited(listed, district_admin):
    version = listed.versions.get()
    assert (version.state, version.completeness, version.is_listed) == ("published", Completeness.LISTED, True)
    event = AuditEvent.objects.get(action="catalog.item.published", target_id=str(listed.pk))
    assert event.actor == district_admin and event.after["completeness"] == "listed"


def test_the_guide_marks_every_unpublished_part_and_invents_nothing(client, listed):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("portal:guide", args=[listed.key]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "尚未公布" in html and "办事指南尚未完整公布" in html
    assert "广安区政务服务中心三楼" in html  # where to apply: published
    for invented in ("个工作日", "不收费", "免费", "全程网办", "无需到现场", "承诺件", "即办件", "可预约"):
        assert invented not in html, invented
    assert reverse("cases:apply", args=[listed.key]) not in html
    english = client.get(reverse("portal:guide", args=[listed.key]), headers={"Cookie": "django_language=en"})
    assert "not yet published" in english.content.decode() or "尚未公布" in english.content.decode()


def test_applying_online_for_a_listed_item_is_refused(listed, applicant_person):
    with pytest.raises(DomainError) as exc:
        cases.application_start(actor=applicant_person.user, item_code=listed.key)
    assert [p.code for p in exc.value.problems] == ["catalog.item.listed_only"]


def test_the_api_gives_nulls_not_defaults_for_a_listed_guide(client, listed):
    data = client.get(f"/api/v1/catalog/items/{listed.key}").json()
    assert (data["completeness"], data["can_apply_online"], data["implementation_code"]) == ("listed", False, None)
    assert data["key"] == data["local_code"] == LOCAL
    for field in ("fee_charged", "visits", "case_kind", "appointment", "min_trust_level"):
        assert data[field] is None and field in data["not_published"]
    assert data["promised_time_limit_days"] is None and "promised_time_limit_days" in data["not_published"]
    assert data["location"] == "广安区政务服务中心三楼" and "location" not in data["not_published"]
    assert data["organ"]["credit_code"] is None and data["organ"]["ref"].startswith("O")
    organ_page = client.get(reverse("portal:organ", args=[data["organ"]["ref"]]))
    assert organ_page.status_code == 200 and "区教科体局" in organ_page.content.decode()


def test_a_complete_guide_needs_the_implementation_code(listed, district_admin):
    draft = services.item_draft_for_edit(actor=district_admin, item=listed)
    guide = testing.guide(name=draft.name)
    services.version_update(actor=district_admin, version=draft, guide=guide)
    with pytest.raises(DomainError) as exc:
        services.version_publish(actor=district_admin, version=draft)
    assert [p.code for p in exc.value.problems] == ["publish.implementation_code"]


def test_listing_needs_a_name_and_a_code_to_find_it_by(education, district_admin):
    entry = services.catalog_item_create(actor=None, name="无编码事项", item_type="01", region=education.region)
    item = services.implementation_item_create(actor=None, catalog_item=entry, organ=education, level="4",
                                               guide={"name": "无编码事项"})
    with pytest.raises(DomainError) as exc:
        services.version_publish(actor=district_admin, version=item.versions.get(), completeness="listed")
    assert [p.code for p in exc.value.problems] == ["publish.listing_code"]


def test_a_main_item_lists_its_sub_items_and_each_names_its_main_item(client, education, district_admin):
    main = item_onboard(actor=district_admin, organ=education, name="学前教育、义务教育阶段入学政策咨询及办理",
                        item_type="20", listed=False)
    sub = item_onboard(actor=district_admin, organ=education, name="学前教育、义务教育阶段入学办理", item_type="20",
                       local_code="SUB-1", parent=main)
    services.version_publish(actor=district_admin, version=main.versions.get(), completeness="listed")
    main_page = client.get(reverse("portal:guide", args=[main.key])).content.decode()
    assert "学前教育、义务教育阶段入学办理" in main_page and reverse("portal:guide", args=[sub.key]) in main_page
    sub_page = client.get(reverse("portal:guide", args=[sub.key])).content.decode()
    assert reverse("portal:guide", args=[main.key]) in sub_page


def test_a_complete_item_can_still_be_applied_for(published_item, applicant_person):
    application = cases.application_start(actor=applicant_person.user, item_code=published_item.code)
    assert application.item == published_item


def test_the_workbook_export_of_a_listed_item_leaves_unpublished_cells_empty(listed):
    import io

    from openpyxl import load_workbook

    from govhall.catalog.services_import import implementation_list_export

    wb = load_workbook(io.BytesIO(implementation_list_export()))
    ws = wb["实施清单 Items"]
    header = [c.value.split()[-1] for c in ws[1]]
    row = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert row["local_code"] == LOCAL and row["name"] == listed.versions.get().name
    for field in ("fee_charged", "visits", "case_kind", "appointment", "min_trust_level", "promised_time_limit_days"):
        assert row[field] in (None, ""), field
