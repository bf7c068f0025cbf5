"""Django merges every app's catalogue into one: the same msgid must not mean two things."""

import collections
from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parents[2]


def _catalogues():
    return sorted(PACKAGE_DIR.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_there_are_catalogues():
    assert len(_catalogues()) > 5


def test_no_msgid_is_translated_differently_in_two_catalogues():
    seen = collections.defaultdict(dict)
    for path in _catalogues():
        app = path.relative_to(PACKAGE_DIR).parts[0]
        for entry in polib.pofile(str(path)):
            if entry.msgstr and not entry.obsolete:
                seen[(entry.msgctxt, entry.msgid)][app] = entry.msgstr
    conflicts = [f"msgctxt={context!r} msgid={msgid!r}: {apps}"
                 for (context, msgid), apps in seen.items() if len(set(apps.values())) > 1]
    assert not conflicts, "give these a context or the same translation:\n" + "\n".join(conflicts)


def test_no_fuzzy_entries():
    fuzzy = [f"{path.relative_to(PACKAGE_DIR)}: {entry.msgid!r}"
             for path in _catalogues() for entry in polib.pofile(str(path)) if "fuzzy" in entry.flags]
    assert not fuzzy, "fuzzy entries are not used by Django:\n" + "\n".join(fuzzy)
