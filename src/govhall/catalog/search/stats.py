"""Anonymous query statistics: which words found nothing, which were searched and never clicked.

Only the normalised query text (at most 50 characters) and day counters are stored, never who
searched, from where or when within the day. Text that looks like personal data is never stored:
anything with a run of 6 or more digits (identity card, phone, licence or case numbers), an e-mail
address, or an identity-card-like number ending in X.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..models import SearchQueryStat
from . import text

MAX_LENGTH = 50
_PERSONAL = re.compile(r"\d{6,}|\d{5,}[xX]|@|\d{3}[- ]?\d{4}[- ]?\d{4}")


def loggable(q: str) -> str:
    """The form of ``q`` that may be stored, or "" when it must not be (empty or personal-looking)."""
    value = text.normalise(q)
    if not value or _PERSONAL.search(value) or _PERSONAL.search(value.replace(" ", "")):
        return ""
    return value[:MAX_LENGTH]


def record_search(q: str, *, found: int) -> None:
    """Count one search for ``q`` (and one without results when ``found`` is 0). Not audited: an
    anonymous counter, not an act of anyone. Never raises."""
    if not getattr(settings, "GOVHALL_SEARCH_LOG", True):
        return
    _bump(loggable(q), searches=1, zero_results=0 if found else 1)


def record_click(q: str) -> None:
    """Count one click on a result of a search for ``q`` (only for queries already counted)."""
    value = loggable(q)
    if value and getattr(settings, "GOVHALL_SEARCH_LOG", True):
        SearchQueryStat.objects.filter(query=value).update(clicks=F("clicks") + 1, last_seen=timezone.localdate())


def _bump(value: str, *, searches: int, zero_results: int) -> None:
    if not value:
        return
    today = timezone.localdate()
    try:
        with transaction.atomic():
            updated = SearchQueryStat.objects.filter(query=value).update(
                searches=F("searches") + searches, zero_results=F("zero_results") + zero_results, last_seen=today)
            if not updated:
                SearchQueryStat.objects.create(query=value, searches=searches, zero_results=zero_results,
                                               first_seen=today, last_seen=today)
    except IntegrityError:  # created by a concurrent request in between: count again on that row
        SearchQueryStat.objects.filter(query=value).update(
            searches=F("searches") + searches, zero_results=F("zero_results") + zero_results, last_seen=today)


def words_to_add(*, min_searches: int = 3, max_click_rate: float = 0.1, limit: int = 200) -> dict:
    """For catalogue administrators: queries that found nothing, most searched first, and queries
    searched at least ``min_searches`` times whose results were clicked at most ``max_click_rate``."""
    zero = list(SearchQueryStat.objects.filter(zero_results__gt=0).order_by("-zero_results", "query")[:limit])
    low = [s for s in SearchQueryStat.objects.filter(searches__gte=min_searches, zero_results__lt=F("searches"))
           .order_by("-searches", "query")[:limit * 5]
           if s.clicks <= max_click_rate * (s.searches - s.zero_results)][:limit]
    return {"zero_results": zero, "low_clicks": low}
