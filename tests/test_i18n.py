"""Simplified Chinese is the default; English is switchable; domain labels are translated."""

from django.utils import translation

from govhall.catalog.codesets import ItemType, Necessity
from govhall.identity.roles import Role


def test_code_set_labels_are_chinese_by_default_and_english_on_request(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    with translation.override("zh-hans"):
        assert str(ItemType.LICENSING.label) == "行政许可"
        assert str(Necessity.LATER.label) == "容缺后补"
        assert str(Role.WINDOW_OFFICER.label) == "窗口人员"
    with translation.override("en"):
        assert str(ItemType.LICENSING.label) == "administrative licensing"


def test_every_code_set_label_has_a_chinese_translation():
    from govhall.catalog import codesets

    missing = []
    with translation.override("zh-hans"):
        for name in dir(codesets):
            enum = getattr(codesets, name)
            if isinstance(enum, type) and hasattr(enum, "choices") and enum.__module__ == codesets.__name__:
                for member in enum:
                    with translation.override("en"):
                        english = str(member.label)
                    if str(member.label) == english and not any("\u4e00" <= c <= "\u9fff" for c in english):
                        missing.append(f"{name}.{member.name}")
    assert missing == []
