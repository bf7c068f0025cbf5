"""Chinese is the default language of the console; every marked string has a Chinese translation."""

import re
from pathlib import Path

import polib
from django.urls import reverse

CONSOLE = Path(__file__).resolve().parent.parent
PO = CONSOLE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_the_catalogue_is_utf8_simplified_chinese_and_complete():
    po = polib.pofile(str(PO))
    assert po.metadata["Language"] == "zh_Hans"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.percent_translated() == 100
    assert not [e.msgid for e in po if "fuzzy" in e.flags]


def test_every_simple_translate_tag_and_gettext_call_has_an_entry():
    msgids = {e.msgid for e in polib.pofile(str(PO))}
    marked = set()
    for path in (CONSOLE / "templates").rglob("*.html"):
        marked |= set(re.findall(r"""{% translate ["']([^"']+)["'] %}""", path.read_text()))
    for path in CONSOLE.glob("*.py"):
        marked |= set(re.findall(r"""\b_\("([^"]+)"\)""", path.read_text()))
    assert marked and marked - msgids == set()


def test_the_console_speaks_chinese_by_default_and_english_on_request(client, catalog_admin):
    client.force_login(catalog_admin)
    assert "管理后台" in client.get(reverse("console:home")).content.decode()
    # the browser's language does not override the official one; the switcher does
    assert "管理后台" in client.get(reverse("console:home"), headers={"accept-language": "en"}).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": reverse("console:home")})
    english = client.get(reverse("console:home")).content.decode()
    assert "Management console" in english
