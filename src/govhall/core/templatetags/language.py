"""Show a bilingual domain message in the one language the reader chose (the API keeps both)."""

from django import template
from django.utils.translation import get_language

from govhall.core.i18n import localised

register = template.Library()


@register.filter
def in_language(obj, prefix: str = "message") -> str:
    """``{{ problem|in_language }}``: see ``core.i18n.localised``."""
    return localised(obj, prefix)


@register.filter
def language_tag(_obj=None) -> str:
    """The lang attribute of what ``in_language`` shows."""
    return "en" if (get_language() or "").startswith("en") else "zh-CN"
