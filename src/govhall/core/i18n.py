"""Compile .po catalogues to .mo with polib (no GNU gettext needed on the machine)."""

from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def compile_catalogues(base: Path = PACKAGE_DIR) -> list[Path]:
    """Compile every locale/*/LC_MESSAGES/*.po under ``base`` whose .mo is missing or older."""
    written = []
    for po_path in base.glob("**/locale/*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            written.append(mo_path)
    return written


def in_chinese(label) -> str:
    """A translatable label (a choice's label, gettext_lazy) in Chinese, whatever language the request
    or the worker runs in: for the Chinese text of notices, timelines and messages."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return str(label)


def in_english(label) -> str:
    """The same label in English, for the English copy."""
    from django.utils import translation

    with translation.override("en"):
        return str(label)


def localised(obj, prefix: str = "message") -> str:
    """A bilingual domain message (``message_zh``/``message_en`` as attributes or keys) in the one
    language the reader chose: English when the active language is English, else Chinese (either one
    when the other is empty). ``prefix`` picks another pair, e.g. ``"subject"``. The API keeps both."""
    from django.utils.translation import get_language

    def part(name: str) -> str:
        return (obj.get(name) if isinstance(obj, dict) else getattr(obj, name, "")) or ""

    zh, en = part(f"{prefix}_zh"), part(f"{prefix}_en")
    return (en or zh) if (get_language() or "").startswith("en") else (zh or en)
