"""Public catalogue API: search and the guide in force, with stable field names."""

import datetime as dt

import pytest
import time_machine

from govhall.catalog import services, testing
from govhall.catalog.guide import (
    FAQ_FIELDS,
    FEE_FIELDS,
    MATERIAL_FIELDS,
    PROCEDURE_FIELDS,
    SCALAR_FIELDS,
    STEP_FIELDS,
)

ITEMS = "/api/v1/catalog/items"


@pytest.fixture
def catalogue(organ, other_organ):
    food = testing.make_item(organ=organ, name="食品经营许可（新办）")
    hygiene = testing.make_item(organ=organ, name="公共场所卫生许可", keywords=[],
                                acceptance_conditions="经营场所符合卫生标准，可能涉及餐饮、住宿等行业。")
    pharmacy = testing.make_item(organ=other_organ, name="药品零售企业许可", keywords=[],
                                 acceptance_conditions="有执业药师")
    service = testing.make_item(organ=other_organ, name="就业登记", keywords=["就业"], acceptance_conditions="劳动者",
                                catalog_item=testing.make_catalog_item(name="就业登记", item_type="20"))
    draft = testing.make_item(organ=organ, name="结婚登记", keywords=["婚姻"], acceptance_conditions="双方自愿",
                              publish=False)
    return {"food": food, "hygiene": hygiene, "pharmacy": pharmacy, "service": service, "draft": draft}


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {r["implementation_code"] for r in response.json()["results"]}


def test_searching_for_catering_finds_the_items_that_mention_it(client, catalogue):
    response = client.get(ITEMS, {"q": "餐饮"})
    assert codes(response) == {catalogue["food"].code, catalogue["hygiene"].code}
    assert response.json()["count"] == 2


def test_a_search_result_has_the_documented_fields(client, catalogue, organ):
    results = client.get(ITEMS, {"q": "食品经营许可", "organ": organ.credit_code, "type": "01"}).json()["results"]
    food = catalogue["food"]
    row = results[0]  # the best match comes first
    assert row == {
        "implementation_code": food.code,
        "key": food.code,  # an item created with its national code is keyed by it
        "completeness": "complete",
        "name": "食品经营许可（新办）",
        "item_type": "01",
        "item_type_label": row["item_type_label"],
        "organ": {"credit_code": organ.credit_code, "name": "六安市市场监督管理局", "ref": organ.credit_code},
        "region_code": "341500",
        "promised_time_limit_days": 10,
        "legal_time_limit_days": 20,
        "visits": 0,
        "url": f"http://testserver/api/v1/catalog/items/{food.code}",
    }
    assert row["item_type_label"]


def test_filters_by_region_organ_and_type(client, catalogue, other_organ):
    assert codes(client.get(ITEMS, {"region": "340100"})) == {catalogue["pharmacy"].code, catalogue["service"].code}
    assert codes(client.get(ITEMS, {"region": "340000"})) == {
        catalogue[k].code for k in ("food", "hygiene", "pharmacy", "service")}
    assert codes(client.get(ITEMS, {"organ": other_organ.credit_code})) == {
        catalogue["pharmacy"].code, catalogue["service"].code}
    assert codes(client.get(ITEMS, {"type": "20"})) == {catalogue["service"].code}
    assert codes(client.get(ITEMS, {"type": "01", "organ": other_organ.credit_code})) == {catalogue["pharmacy"].code}


def test_an_unknown_organ_or_region_gives_an_empty_page_not_an_error(client, catalogue):
    for params in ({"organ": "11341500MB0000000X"}, {"region": "999999"}):
        response = client.get(ITEMS, params)
        assert response.status_code == 200
        assert response.json() == {"count": 0, "page": 1, "per_page": 20, "results": [], "suggestions": []}


def test_draft_only_items_never_appear(client, catalogue):
    assert catalogue["draft"].code not in codes(client.get(ITEMS))
    assert catalogue["draft"].code not in codes(client.get(ITEMS, {"q": "结婚登记"}))
    response = client.get(f"{ITEMS}/{catalogue['draft'].code}")
    assert response.status_code == 404


def test_pages_split_the_results_and_count_them_all(client, catalogue):
    first = client.get(ITEMS, {"per_page": 3}).json()
    second = client.get(ITEMS, {"per_page": 3, "page": 2}).json()
    assert (first["count"], first["page"], first["per_page"], len(first["results"])) == (4, 1, 3, 3)
    assert (second["count"], second["page"], len(second["results"])) == (4, 2, 1)
    seen = {r["implementation_code"] for r in first["results"] + second["results"]}
    assert len(seen) == 4


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"per_page": "101"}, {"per_page": "0"},
                                    {"type": "99"}])
def test_bad_paging_or_type_values_are_a_structured_422(client, db, params):
    response = client.get(ITEMS, params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "request.invalid"
    assert error["field"] == next(iter(params))
    assert error["message_zh"] and error["message_en"]
    assert [p["field"] for p in error["problems"]] == [next(iter(params))]


def test_validation_messages_are_in_chinese_as_well(client, db):
    error = client.get(ITEMS, {"per_page": "101"}).json()["error"]
    assert error["message_zh"] == "参数 per_page 不能大于100"
    assert "100" in error["message_en"]


def test_a_list_of_twenty_items_takes_a_bounded_number_of_queries(client, organ, django_assert_max_num_queries):
    catalog_item = testing.make_catalog_item()
    for _ in range(20):
        testing.make_item(organ=testing.make_organ(), catalog_item=catalog_item)
    client.get(ITEMS, {"per_page": 20, "region": "341500"})  # loads this process's in-memory index once
    with django_assert_max_num_queries(5):
        response = client.get(ITEMS, {"per_page": 20, "region": "341500"})
    assert len(response.json()["results"]) == 20


# --- the guide in force ---

def test_the_guide_has_every_field_of_the_implementation_list_under_stable_names(client, organ, other_organ):
    topic = testing.make_topic("E02", "准营准办")
    fees = [{"name": "工本费", "standard": "10元/件", "basis": "《收费目录清单》", "reduction": "低保户免收"}]
    item = testing.make_item(organ=organ, topics=["E02"], joint_organs=[other_organ.credit_code], fee_charged=True,
                             fees=fees)
    response = client.get(f"{ITEMS}/{item.code}")
    assert response.status_code == 200, response.content
    data = response.json()

    expected = testing.guide(fee_charged=True, fees=fees)
    for field in SCALAR_FIELDS:
        assert data[field] == expected[field], field
    assert data["topics"] == [{"code": topic.code, "name": "准营准办"}]
    assert data["joint_organs"] == [{"credit_code": other_organ.credit_code, "name": "合肥市市场监督管理局",
                                     "ref": other_organ.credit_code}]
    assert data["is_joint"] is True
    assert [{f: m[f] for f in MATERIAL_FIELDS} for m in data["materials"]] == expected["materials"]
    assert [m["fetched_by_organ"] for m in data["materials"]] == [False, True]  # online form, e-licence
    assert [{f: x[f] for f in FEE_FIELDS} for x in data["fees"]] == fees
    assert [{f: s[f] for f in STEP_FIELDS} for s in data["process_steps"]] == expected["process_steps"]
    assert [{f: s[f] for f in PROCEDURE_FIELDS} for s in data["special_procedures"]] == expected["special_procedures"]
    assert [{f: x[f] for f in FAQ_FIELDS} for x in data["faqs"]] == expected["faqs"]

    assert data["implementation_code"] == item.code
    assert data["basic_code"] == item.catalog_item.basic_code
    assert data["catalog_item_name"] == item.catalog_item.name
    assert (data["item_type"], data["level"]) == ("01", "3")
    assert data["item_type_label"] and data["level_label"]
    assert data["organ"] == {"credit_code": organ.credit_code, "name": organ.name, "ref": organ.credit_code,
                             "region_code": "341500"}
    assert (data["completeness"], data["not_published"], data["can_apply_online"]) == ("complete", [], True)
    assert data["version"]["number"] == 1 and data["version"]["effective_until"] is None
    dt.date.fromisoformat(data["version"]["effective_from"])


def test_the_top_level_field_names_are_pinned(client, published_item):
    """v1 changes are additive: removing or renaming one of these breaks clients."""
    data = client.get(f"{ITEMS}/{published_item.code}").json()
    pinned = {*SCALAR_FIELDS, "topics", "joint_organs", "materials", "fees", "process_steps",
              "special_procedures", "faqs", "implementation_code", "basic_code", "catalog_item_name", "item_type",
              "item_type_label", "level", "level_label", "organ", "version", "is_joint", "result_sample_url"}
    assert pinned <= set(data)
    assert {*MATERIAL_FIELDS, "fetched_by_organ"} <= set(data["materials"][0])
    assert set(data["version"]) == {"number", "effective_from", "effective_until"}


def test_an_unknown_code_is_a_structured_404(client, db):
    response = client.get(f"{ITEMS}/11341500MB0000000X3000117051000")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message_zh": "未找到请求的资源",
                                         "message_en": "not found", "field": "", "problems": []}}


def test_on_a_date_gives_the_version_then_in_force_after_a_republish(client, organ):
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        item = testing.make_item(organ=organ, name="食品经营许可（新办）")
        draft = services.item_draft_for_edit(actor=None, item=item)
        services.version_update(actor=None, version=draft, guide=testing.guide(name="食品经营许可（新办，2026版）"))
        services.version_publish(actor=None, version=draft, effective_from=dt.date(2026, 4, 1))
    with time_machine.travel(dt.datetime(2026, 4, 10, 10, 0, tzinfo=dt.UTC), tick=False):
        now = client.get(f"{ITEMS}/{item.code}").json()
        then = client.get(f"{ITEMS}/{item.code}", {"on": "2026-03-15"}).json()
        before = client.get(f"{ITEMS}/{item.code}", {"on": "2026-03-01"})
    assert (now["version"]["number"], now["name"]) == (2, "食品经营许可（新办，2026版）")
    assert then["version"] == {"number": 1, "effective_from": "2026-03-02", "effective_until": "2026-04-01"}
    assert then["name"] == "食品经营许可（新办）"
    assert before.status_code == 404


@pytest.mark.parametrize("value", ["2026-13-01", "yesterday", "2026/03/01"])
def test_a_bad_date_is_a_structured_422_on_the_on_field(client, published_item, value):
    response = client.get(f"{ITEMS}/{published_item.code}", {"on": value})
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("request.invalid", "on")
    assert "YYYY-MM-DD" in error["message_zh"]


def test_a_typo_gets_results_and_a_did_you_mean_suggestion(client, catalogue):
    data = client.get(ITEMS, {"q": "食品经营许克"}).json()
    assert data["results"][0]["implementation_code"] == catalogue["food"].code
    assert data["suggestions"] == ["食品经营许可"]


def test_the_region_filter_with_everyday_words_answers_only_that_region(client, catalogue):
    from govhall.catalog import services_vocabulary

    services_vocabulary.vocabulary_create(actor=None, term="开药店", canonical="药品零售企业许可")
    assert codes(client.get(ITEMS, {"q": "我想开个药店", "region": "340100"})) == {catalogue["pharmacy"].code}
    assert catalogue["pharmacy"].code not in codes(client.get(ITEMS, {"q": "我想开个药店", "region": "341500"}))
