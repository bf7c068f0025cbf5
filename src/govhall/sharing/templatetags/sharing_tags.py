from django import template

register = template.Library()


@register.filter
def fetch_rows(fetch, lang: str = "zh-hans"):
    """The fetched record as (label, value) pairs in the page's language."""
    return fetch.rows(english=str(lang).startswith("en"))


@register.simple_tag
def once_only(materials):
    """How many of a guide's materials are fetched for a typical applicant."""
    from govhall.sharing.selectors import fetchable_material_counts

    return fetchable_material_counts(materials)
