"""Editing, checking, publishing and retiring items from the console."""

import datetime as dt

from django.urls import reverse

from govhall.catalog import selectors, testing
from govhall.catalog.models import ItemVersion
from govhall.core.models import AuditEvent

from .conftest import TODAY, edit_payload


def _draft(item):
    return item.versions.get(state="draft")


def test_the_item_list_filters_by_name_and_state_without_n_plus_one(
        as_user, catalog_admin, organ, django_assert_max_num_queries):
    for i in range(6):
        testing.make_item(organ=organ, name=f"许可事项{i}")
    draft_only = testing.make_item(organ=organ, publish=False, name="建筑施工许可")
    client = as_user(catalog_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("console:items"))
    assert len(response.context["rows"]) == 7
    response = client.get(reverse("console:items"), {"q": "建筑"})
    assert [item.code for item, _ in response.context["rows"]] == [draft_only.code]
    response = client.get(reverse("console:items"), {"state": "draft"})
    assert [item.code for item, _ in response.context["rows"]] == [draft_only.code]
    response = client.get(reverse("console:items"), {"state": "current"})
    assert len(response.context["rows"]) == 6


def test_the_item_page_shows_versions_with_status_and_allowed_actions(as_user, catalog_admin, published_item):
    response = as_user(catalog_admin).get(reverse("console:item", args=[published_item.code]))
    assert response.status_code == 200
    page = response.context["page"]
    assert [status for _, status in page.statuses] == ["current"]
    body = response.content.decode()
    assert reverse("console:item_retire", args=[published_item.code]) in body
    assert reverse("console:item_publish", args=[published_item.code]) not in body  # no draft yet
    assert [e.action for e in page.history] == ["catalog.item.created", "catalog.item.published"]


def test_editing_a_published_item_creates_a_draft_and_saving_records_before_and_after(
        as_user, catalog_admin, published_item):
    client = as_user(catalog_admin)
    url = reverse("console:item_edit", args=[published_item.code])
    assert client.get(url).context["draft"] is None
    response = client.post(url, {"action": "create_draft"})
    assert response.status_code == 302
    draft = _draft(published_item)
    assert draft.number == 2

    response = client.get(url)
    assert response.status_code == 200
    guide = selectors.guide_of(draft)
    materials = [*guide["materials"], {**guide["materials"][0], "name": "场所平面图", "source": "applicant"}]
    payload = edit_payload(guide, promised_time_limit_days=5, keywords=["餐饮", "开店"], materials=materials)
    response = client.post(url, payload)
    assert response.status_code == 302, response.context and response.context["problems"]

    draft.refresh_from_db()
    assert draft.promised_time_limit_days == 5
    assert draft.keywords == ["餐饮", "开店"]
    assert [m.name for m in draft.materials.all()] == ["食品经营许可申请书", "营业执照", "场所平面图"]
    event = AuditEvent.objects.filter(action="catalog.item.draft_updated").get()
    assert event.actor == catalog_admin
    assert event.before["promised_time_limit_days"] == 10
    assert event.after["promised_time_limit_days"] == 5
    assert set(event.after) == {"promised_time_limit_days", "keywords", "materials"}
    published = published_item.versions.get(number=1)
    assert published.promised_time_limit_days == 10  # the published version is untouched


def test_a_promised_time_limit_above_the_legal_one_is_refused_and_nothing_saved(as_user, catalog_admin, organ):
    item = testing.make_item(organ=organ, publish=False)
    draft = _draft(item)
    client = as_user(catalog_admin)
    payload = edit_payload(selectors.guide_of(draft), promised_time_limit_days=30, name="改名")
    response = client.post(reverse("console:item_edit", args=[item.code]), payload)
    assert response.status_code == 400
    assert [row["problem"].code for row in response.context["problems"]] == ["guide.promised_exceeds_legal"]
    assert "不得超过法定时限" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.promised_time_limit_days, draft.name) == (10, "食品经营许可（新办）")
    assert not AuditEvent.objects.filter(action="catalog.item.draft_updated").exists()


def test_publishing_with_required_fields_missing_lists_every_problem_and_saves_nothing(
        as_user, catalog_admin, organ):
    item = testing.make_item(organ=organ, publish=False, location="", complaint_phone="", process_steps=[])
    client = as_user(catalog_admin)
    response = client.get(reverse("console:item_validate", args=[item.code]))
    assert {row["problem"].field for row in response.context["problems"]} == {
        "location", "complaint_phone", "process_steps"}

    response = client.post(reverse("console:item_publish", args=[item.code]),
                           {"effective_from": TODAY.isoformat(), "reason": "首次发布"})
    assert response.status_code == 400
    fields = {row["problem"].field for row in response.context["problems"]}
    assert fields == {"location", "complaint_phone", "process_steps"}
    body = response.content.decode()
    assert "发布前须填写：办理地点" in body and "required before publishing" not in body  # one language
    assert item.versions.get().state == "draft"
    assert not AuditEvent.objects.filter(action="catalog.item.published").exists()


def test_a_backdated_publication_is_refused(as_user, catalog_admin, organ):
    item = testing.make_item(organ=organ, publish=False)
    response = as_user(catalog_admin).post(reverse("console:item_publish", args=[item.code]),
                                           {"effective_from": "2026-01-01"})
    assert response.status_code == 400
    assert [row["problem"].code for row in response.context["problems"]] == ["version.backdated"]


def test_publish_a_draft_then_retire_the_item_and_both_are_audited(as_user, catalog_admin, published_item):
    client = as_user(catalog_admin)
    client.post(reverse("console:item_edit", args=[published_item.code]), {"action": "create_draft"})
    response = client.post(reverse("console:item_publish", args=[published_item.code]),
                           {"effective_from": TODAY.isoformat(), "reason": "更新办理地点"})
    assert response.status_code == 302
    v1, v2 = ItemVersion.objects.filter(item=published_item).order_by("number")
    assert (v2.state, v2.effective_from, v2.published_by) == ("published", TODAY, catalog_admin)
    assert v1.effective_until == TODAY

    retire_on = TODAY + dt.timedelta(days=7)
    response = client.post(reverse("console:item_retire", args=[published_item.code]),
                           {"on": retire_on.isoformat(), "reason": "法律修订，事项取消"})
    assert response.status_code == 302
    v2.refresh_from_db()
    assert v2.effective_until == retire_on
    published = AuditEvent.objects.get(action="catalog.item.published", actor=catalog_admin)
    retired = AuditEvent.objects.get(action="catalog.item.retired")
    assert (published.reason, retired.reason, retired.actor) == ("更新办理地点", "法律修订，事项取消", catalog_admin)
    page = client.get(reverse("console:item", args=[published_item.code])).context["page"]
    assert "catalog.item.retired" in [e.action for e in page.history]


def test_retiring_without_a_reason_is_refused(as_user, catalog_admin, published_item):
    response = as_user(catalog_admin).post(reverse("console:item_retire", args=[published_item.code]),
                                           {"on": TODAY.isoformat(), "reason": ""})
    assert response.status_code == 400
    assert published_item.versions.get().effective_until is None


def test_a_material_from_the_e_licence_library_needs_its_type_code_and_nothing_is_saved(
        as_user, catalog_admin, organ):
    item = testing.make_item(organ=organ, publish=False)
    guide = selectors.guide_of(_draft(item))
    materials = [guide["materials"][0], {**guide["materials"][1], "licence_type_code": ""}]
    response = as_user(catalog_admin).post(reverse("console:item_edit", args=[item.code]),
                                           edit_payload(guide, materials=materials, name="改名"))
    assert response.status_code == 400
    assert [row["problem"].code for row in response.context["problems"]] == ["material.licence_type_required"]
    assert _draft(item).name == "食品经营许可（新办）"


def test_a_malformed_form_is_answered_400_with_the_field_marked(as_user, catalog_admin, organ):
    item = testing.make_item(organ=organ, publish=False)
    guide = selectors.guide_of(_draft(item))
    response = as_user(catalog_admin).post(reverse("console:item_edit", args=[item.code]),
                                           edit_payload(guide, name="", visits="many"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "visits"}
