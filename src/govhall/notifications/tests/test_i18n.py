"""Chinese by default: every string marked in this app has a Simplified Chinese translation."""

import re
from pathlib import Path

import polib

APP = Path(__file__).resolve().parent.parent
PO = APP / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_the_catalogue_is_utf8_simplified_chinese_and_complete():
    po = polib.pofile(str(PO))
    assert po.metadata["Language"] == "zh_Hans" and "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.percent_translated() == 100
    assert not [e.msgid for e in po if "fuzzy" in e.flags]


def test_every_simple_translate_tag_and_gettext_call_has_an_entry():
    msgids = {e.msgid for e in polib.pofile(str(PO))}
    marked = set()
    for path in (APP / "templates").rglob("*.html"):
        marked |= set(re.findall(r"""{% translate ["']([^"']+)["'] %}""", path.read_text()))
    for path in APP.glob("*.py"):
        marked |= set(re.findall(r"""\b_\("([^"]+)"\)""", path.read_text()))
    assert marked and marked - msgids == set()
