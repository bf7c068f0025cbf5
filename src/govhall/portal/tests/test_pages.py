"""The public portal: home, search and browse lists."""

import pytest
from django.urls import reverse

from govhall.catalog import testing


@pytest.fixture
def catalogue(organ, regions):
    topic = testing.make_topic("E02", "准营准办", "enterprise")
    testing.make_topic("P01", "出生", "person")
    food = testing.make_item(organ=organ, name="食品经营许可（新办）", topics=["E02"])
    testing.make_item(organ=organ, name="公共场所卫生许可", keywords=[], acceptance_conditions="可能涉及餐饮、住宿等行业。")
    return {"food": food, "topic": topic}


def test_home_lists_topics_for_persons_and_enterprises_with_counts(client, catalogue, organ):
    html = client.get(reverse("portal:home")).content.decode()
    assert "准营准办" in html and "出生" in html
    assert reverse("portal:topic", args=["E02"]) in html
    assert reverse("portal:organ", args=[organ.credit_code]) in html
    assert reverse("portal:region", args=["341500"]) in html
    assert html.count("<h1") == 1


def test_search_finds_the_food_business_licence_by_a_related_word_and_by_its_name(client, catalogue):
    for q in ("餐饮", "食品经营许可"):
        response = client.get(reverse("portal:search"), {"q": q})
        html = response.content.decode()
        assert response.status_code == 200
        assert "食品经营许可（新办）" in html
        assert reverse("portal:guide", args=[catalogue["food"].code]) in html


def test_search_results_show_organ_type_promised_time_and_visits(client, catalogue):
    html = client.get(reverse("portal:search"), {"q": "食品经营许可"}).content.decode()
    assert "六安市市场监督管理局" in html
    assert "10 个工作日" in html
    assert "无需到现场" in html


def test_search_with_no_match_explains_what_to_try(client, catalogue):
    html = client.get(reverse("portal:search"), {"q": "完全不存在的事项名称"}).content.decode()
    assert "没有找到" in html


def test_search_pages_through_many_results(client, organ, regions):
    catalog_item = testing.make_catalog_item(name="食品经营许可")
    for n in range(22):
        other = testing.make_organ(regions["city"], name=f"第{n}局")
        testing.make_item(organ=other, catalog_item=catalog_item, name=f"食品经营许可{n}")
    html = client.get(reverse("portal:search"), {"q": "食品经营许可"}).content.decode()
    assert 'rel="next"' in html
    html2 = client.get(reverse("portal:search"), {"q": "食品经营许可", "page": "2"}).content.decode()
    assert 'rel="prev"' in html2 and html2.count('class="result"') == 2
    assert client.get(reverse("portal:search"), {"q": "x", "page": "abc"}).status_code == 200


def test_topic_organ_and_region_pages_list_their_items(client, catalogue, organ):
    assert "食品经营许可（新办）" in client.get(reverse("portal:topic", args=["E02"])).content.decode()
    organ_html = client.get(reverse("portal:organ", args=[organ.credit_code])).content.decode()
    assert "公共场所卫生许可" in organ_html and "食品经营许可（新办）" in organ_html
    region_html = client.get(reverse("portal:region", args=["340000"])).content.decode()
    assert "公共场所卫生许可" in region_html
    assert "公共场所卫生许可" not in client.get(reverse("portal:topic", args=["E02"])).content.decode()


@pytest.mark.parametrize("name,arg", [("portal:topic", "NOPE"), ("portal:organ", "X" * 18),
                                      ("portal:region", "999999")])
def test_unknown_topic_organ_or_region_is_404(client, db, name, arg):
    assert client.get(reverse(name, args=[arg])).status_code == 404


def test_search_by_unknown_organ_is_empty_not_an_error(client, catalogue):
    response = client.get(reverse("portal:search"), {"q": "餐饮", "organ": "nonexistent"})
    assert response.status_code == 200 and "没有找到" in response.content.decode()


def test_every_form_control_on_the_search_page_has_a_label(client, catalogue):
    import re

    html = client.get(reverse("portal:search"), {"q": "餐饮"}).content.decode()
    ids = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html)
    assert ids
    for control_id in ids:
        assert f'for="{control_id}"' in html
