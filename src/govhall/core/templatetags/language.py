"""Show a bilingual domain message in the one language the reader chose (the API keeps both)."""

from django import template
from django.utils.translation import get_language

register = template.Library()


def _part(obj, name: str) -> str:
    if isinstance(obj, dict):
        return obj.get(name) or ""
    return getattr(obj, name, "") or ""


def localised(obj, prefix: str = "message") -> str:
    """``message_en`` when the reader chose English, else ``message_zh`` (either one when the other is
    empty). ``prefix`` picks another pair, e.g. ``"subject"`` for ``subject_zh``/``subject_en``."""
    zh, en = _part(obj, f"{prefix}_zh"), _part(obj, f"{prefix}_en")
    english = (get_language() or "").startswith("en")
    return (en or zh) if english else (zh or en)


@register.filter
def in_language(obj, prefix: str = "message") -> str:
    """``{{ problem|in_language }}``: see ``localised``."""
    return localised(obj, prefix)


@register.filter
def language_tag(_obj=None) -> str:
    """The lang attribute of what ``in_language`` shows."""
    return "en" if (get_language() or "").startswith("en") else "zh-CN"
