"""Chinese search: names first, filters, paging, drafts never shown (citizens' words: test_search_citizens.py)."""

import pytest

from govhall.catalog import selectors, services, testing


@pytest.fixture
def catalogue(organ, other_organ, regions):
    food = testing.make_item(organ=organ, name="食品经营许可（新办）")
    testing.make_item(organ=organ, name="公共场所卫生许可", keywords=[],
                      acceptance_conditions="经营场所符合卫生标准，可能涉及餐饮、住宿等行业。")
    testing.make_item(organ=other_organ, name="药品零售企业许可", keywords=[], acceptance_conditions="有执业药师")
    testing.make_item(organ=organ, name="结婚登记", keywords=["婚姻"], acceptance_conditions="双方自愿",
                      publish=False)
    return food


def names(q, **filters):
    entries, total = selectors.search_items(q, **filters)
    return [e.name for e in entries], total


def test_the_full_name_and_a_related_word_both_find_the_food_business_licence(catalogue):
    assert names("食品经营许可")[0][0] == "食品经营许可（新办）"
    found, total = names("餐饮")
    assert "食品经营许可（新办）" in found and total == 2


def test_an_item_whose_name_matches_ranks_before_one_that_only_mentions_the_word(catalogue):
    testing.make_item(name="餐饮服务食品安全等级评定", keywords=[], acceptance_conditions="已取得许可")
    found, _ = names("餐饮")
    # 公共场所卫生许可 mentions 餐饮 only in its conditions; the food licence has it as a keyword
    assert found.index("餐饮服务食品安全等级评定") < found.index("公共场所卫生许可")
    assert found.index("食品经营许可（新办）") < found.index("公共场所卫生许可")


def test_drafts_are_never_found(catalogue):
    assert names("结婚登记") == ([], 0)


def test_filters_by_region_organ_and_type(catalogue, regions, other_organ):
    assert names("许可", region="341500")[1] == 2
    assert names("许可", region="340100")[0] == ["药品零售企业许可"]
    assert names("许可", region="340000")[1] == 3
    assert names("许可", organ=other_organ.pk)[1] == 1
    assert names("许可", item_type="20")[1] == 0
    assert names("许可", region="999999") == ([], 0)


def test_a_substring_that_segmentation_misses_still_finds_by_name(catalogue):
    assert "药品零售企业许可" in names("品零售")[0]


def test_paging_and_empty_query_browse(catalogue):
    first, total = selectors.search_items("", page=1, per_page=2)
    second, _ = selectors.search_items("", page=2, per_page=2)
    assert total == 3 and len(first) == 2 and len(second) == 1
    assert not {e.pk for e in first} & {e.pk for e in second}


def test_hostile_query_text_is_harmless(catalogue):
    for q in ['"', "' OR 1=1 --", "NEAR(", "食品 AND", "*", "%", "\\"]:
        selectors.search_items(q)


def test_republishing_updates_the_index(catalogue, organ):
    draft = services.item_draft_for_edit(actor=None, item=catalogue)
    services.version_update(actor=None, version=draft, guide={"name": "食品经营许可（新办·告知承诺）"})
    services.version_publish(actor=None, version=draft)
    assert names("告知承诺")[0] == ["食品经营许可（新办·告知承诺）"]


def test_broad_queries_rank_name_matches_before_mentions_in_the_guide_on_every_page(catalogue):
    testing.make_item(name="许可证遗失补办", keywords=[], acceptance_conditions="无")
    testing.make_item(name="结婚登记", keywords=[], acceptance_conditions="不需要许可")
    entries, total = selectors.search_items("许可", per_page=10)
    names = [e.name for e in entries]
    assert total == 5 and len(names) == 5
    assert names[-1] == "结婚登记"  # the only mention outside a name comes last
    second_page, _ = selectors.search_items("许可", page=3, per_page=2)
    assert [e.name for e in second_page] == ["结婚登记"]


def test_counting_stops_at_the_cap(catalogue, monkeypatch):
    from govhall.catalog import search

    monkeypatch.setattr(search, "COUNT_CAP", 2)
    page = search.search("许可")
    assert page.total == 2 and page.capped
