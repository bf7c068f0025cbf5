"""Search that understands citizens: any word may match, stop words and verbs are ignored, compounds
meet their parts, the vocabulary turns everyday words into the catalogue's, typos and pinyin are read,
and "did you mean" is offered (docs/search.md)."""

import pytest

from govhall.catalog import selectors, services, services_vocabulary, testing
from govhall.catalog.models import SynonymKind


def first(q, **filters):
    entries, _ = selectors.search_items(q, **filters)
    return entries[0].name if entries else None


def names(q, **filters):
    return [e.name for e in selectors.search_items(q, **filters)[0]]


@pytest.fixture
def catalogue(organ, other_organ):
    items = {}
    for name, org in [("社会保障卡申领", organ), ("社会保障卡挂失", organ), ("最低生活保障", organ),
                      ("城乡居民基本养老保险参保登记", organ), ("食品(含保健食品)经营许可核发", organ),
                      ("食品(含保健食品)经营许可注销", organ), ("户口登记", other_organ), ("居民身份证办理", other_organ)]:
        items[name] = testing.make_item(organ=org, name=name, keywords=[], acceptance_conditions="符合法定条件",
                                        catalog_item=testing.make_catalog_item(name=name))
    return items


def vocabulary(*rows):
    for term, canonical in rows:
        services_vocabulary.vocabulary_create(actor=None, term=term, canonical=canonical)


def test_a_verb_or_a_question_around_the_items_word_still_finds_it(catalogue):
    assert first("食品经营许可") == "食品(含保健食品)经营许可核发"
    assert first("我要办食品经营许可") == "食品(含保健食品)经营许可核发"
    assert first("食品经营许可怎么办理啊") == "食品(含保健食品)经营许可核发"
    assert first("办理户口登记要什么材料") == "户口登记"


def test_a_compound_finds_names_that_only_contain_its_parts(catalogue):
    # 居民养老保险 is one word to jieba; the name has 居民 … 养老保险 apart
    assert first("居民养老保险") == "城乡居民基本养老保险参保登记"


def test_asked_about_a_thing_the_item_that_issues_it_comes_before_its_cancellation(catalogue):
    found = names("食品经营许可")
    assert found.index("食品(含保健食品)经营许可核发") < found.index("食品(含保健食品)经营许可注销")
    assert first("食品经营许可注销") == "食品(含保健食品)经营许可注销"


def test_everyday_words_find_the_catalogue_item_through_the_vocabulary(catalogue):
    assert first("低保怎么申请") != "最低生活保障"
    vocabulary(("低保", "最低生活保障"), ("社保卡", "社会保障卡"), ("丢了", "挂失|补领"))
    assert first("低保怎么申请") == "最低生活保障"
    assert first("社保卡丢了怎么办") == "社会保障卡挂失"
    assert first("办社保卡") == "社会保障卡申领"


def test_a_vocabulary_word_split_by_other_words_still_matches(catalogue):
    vocabulary(("社保断缴", "社会保障卡挂失"))
    assert first("社保这几个月断缴了") == "社会保障卡挂失"


def test_an_alias_puts_its_item_first(catalogue):
    services_vocabulary.vocabulary_create(actor=None, term="开饭店", canonical="", kind=SynonymKind.ALIAS,
                                          item=catalogue["食品(含保健食品)经营许可核发"])
    assert first("我想开饭店") == "食品(含保健食品)经营许可核发"


def test_a_region_scoped_entry_applies_only_where_its_region_overlaps_the_search(catalogue, regions):
    services_vocabulary.vocabulary_create(actor=None, term="上户", canonical="户口登记", region=regions["hefei"])
    assert first("上户", region="340100") == "户口登记"
    assert first("上户", region="340000") == "户口登记"  # the province contains Hefei
    assert names("上户", region="341500") == []  # Lu'an: the entry does not apply (and 户口登记 is in Hefei)


def test_a_homophone_typo_is_corrected_and_offered_as_did_you_mean(catalogue):
    page = selectors.search_results("居民身分证")
    assert page.entries[0].name == "居民身份证办理"
    assert page.suggestions == ["居民身份证"]


def test_pinyin_and_initials_are_read_as_known_words(catalogue):
    vocabulary(("低保", "最低生活保障"))
    assert first("dibao") == "最低生活保障"
    page = selectors.search_results("hukou")
    assert page.entries[0].name == "户口登记" and page.read_as == "户口"


def test_a_long_sentence_with_one_known_word_is_never_an_empty_page(catalogue):
    assert "户口登记" in names("我家里有个亲戚说要先去派出所弄户口的事情")


def test_words_that_match_nothing_give_an_empty_page(catalogue):
    assert names("鹦鹉螺") == []


def test_filters_still_apply(catalogue):
    assert names("户口登记", region="341500") == [] or "户口登记" not in names("户口登记", region="341500")
    assert first("户口登记", region="340100") == "户口登记"


def test_a_vocabulary_change_applies_to_the_next_search(catalogue):
    assert first("五保户") is None
    entry = services_vocabulary.vocabulary_create(actor=None, term="五保户", canonical="最低生活保障")
    assert first("五保户") == "最低生活保障"
    services_vocabulary.vocabulary_delete(actor=None, entry=entry)
    assert first("五保户") is None


def test_publishing_and_retiring_update_the_in_memory_index_at_once(catalogue, organ):
    assert first("养蜂证") is None
    bees = testing.make_item(organ=organ, name="养蜂证申领", keywords=[], acceptance_conditions="符合法定条件",
                             catalog_item=testing.make_catalog_item(name="养蜂证申领"))
    assert first("养蜂证") == "养蜂证申领"
    services.item_retire(actor=None, item=bees, reason="并入其他事项")
    assert first("养蜂证") is None


def test_a_process_behind_a_pruned_change_log_reloads_its_whole_index(catalogue, organ):
    from govhall.catalog.search import prune_changes

    assert first("养蜂证") is None  # this process has loaded the index
    prune_changes(keep=0)  # the row it loaded up to is gone
    testing.make_item(organ=organ, name="养蜂证申领", keywords=[], acceptance_conditions="符合法定条件",
                      catalog_item=testing.make_catalog_item(name="养蜂证申领"))
    assert first("养蜂证") == "养蜂证申领"


def test_the_search_page_offers_did_you_mean_and_says_how_pinyin_was_read(client, catalogue):
    from django.urls import reverse

    html = client.get(reverse("portal:search"), {"q": "居民身分证"}).content.decode()
    assert "您是不是要找" in html and "?q=%E5%B1%85%E6%B0%91%E8%BA%AB%E4%BB%BD%E8%AF%81" in html  # 居民身份证
    html = client.get(reverse("portal:search"), {"q": "hukou"}).content.decode()
    assert "已按拼音识别为“户口”" in html and "户口登记" in html


def test_a_main_item_gives_its_place_to_its_sub_items_that_match(organ):
    """A main item (主项) is a heading: one applies for a sub-item, which its guide lists."""
    made = {name: testing.make_item(organ=organ, name=name, keywords=[], acceptance_conditions="符合法定条件",
                                    catalog_item=testing.make_catalog_item(name=name))
            for name in ("取水许可", "取水许可证新办审批", "取水许可证延续审批", "特种行业许可", "旅馆业开业审批")}
    for main, sub in [("取水许可", "取水许可证新办审批"), ("取水许可", "取水许可证延续审批"),
                      ("特种行业许可", "旅馆业开业审批")]:
        sub_item = made[sub]
        sub_item.parent = made[main]
        sub_item.save(update_fields=["parent"])
    found = names("取水许可")
    assert "取水许可" not in found and found[0] == "取水许可证新办审批"
    assert first("特种行业许可") == "特种行业许可"  # its sub-item does not match: the main item stays
