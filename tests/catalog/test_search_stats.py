"""Query statistics: counted without personal data, shown to catalogue administrators as words to add."""

import pytest
from django.urls import reverse

from govhall.catalog import testing
from govhall.catalog.models import SearchQueryStat
from govhall.catalog.search import stats

ITEMS = "/api/v1/catalog/items"


@pytest.fixture
def food(organ):
    return testing.make_item(organ=organ, name="食品经营许可（新办）")


def test_searches_and_searches_without_results_are_counted_by_normalised_words(client, food):
    client.get(ITEMS, {"q": "食品经营许可"})
    client.get(reverse("portal:search"), {"q": "  食品经营许可 "})
    client.get(ITEMS, {"q": "鹦鹉螺"})
    food_stat = SearchQueryStat.objects.get(query="食品经营许可")
    assert (food_stat.searches, food_stat.zero_results) == (2, 0)
    assert SearchQueryStat.objects.get(query="鹦鹉螺").zero_results == 1


def test_later_pages_and_empty_queries_are_not_counted(client, food):
    client.get(ITEMS, {"q": "食品经营许可", "page": 2})
    client.get(ITEMS, {"q": ""})
    assert not SearchQueryStat.objects.exists()


@pytest.mark.parametrize("q", ["342401199001011234", "34240119900101123X", "13812345678", "138 1234 5678",
                               "zhang@example.com", "身份证号342401199001011234"])
def test_queries_that_look_like_personal_data_are_never_stored(client, food, q):
    client.get(ITEMS, {"q": q})
    client.get(reverse("portal:search"), {"q": q})
    assert not SearchQueryStat.objects.exists()


def test_a_click_on_a_result_is_counted_for_its_query(client, food):
    client.get(reverse("portal:search"), {"q": "食品经营许可"})
    response = client.post(reverse("portal:search"), {"q": "食品经营许可"})
    assert response.status_code == 204
    assert SearchQueryStat.objects.get(query="食品经营许可").clicks == 1
    client.post(reverse("portal:search"), {"q": "从未搜索过"})  # clicks alone create nothing
    assert SearchQueryStat.objects.count() == 1


def test_the_search_page_carries_what_the_click_counter_needs(client, food):
    html = client.get(reverse("portal:search"), {"q": "食品经营许可"}).content.decode()
    assert 'data-click-query="食品经营许可"' in html and "csrfmiddlewaretoken" in html


def test_words_to_add_lists_zero_result_and_rarely_clicked_queries(db):
    for _ in range(3):
        stats.record_search("鹦鹉螺", found=0)
        stats.record_search("餐饮", found=5)
    stats.record_search("营业执照", found=2)
    words = stats.words_to_add()
    assert [s.query for s in words["zero_results"]] == ["鹦鹉螺"]
    assert [s.query for s in words["low_clicks"]] == ["餐饮"]
    stats.record_click("餐饮")
    assert stats.words_to_add()["low_clicks"] == []
