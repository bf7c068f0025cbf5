"""The public progress lookup's throttle: failed lookups per client address within a window.

``GOVHALL_PROGRESS_FAILURES`` (10) failures from one address within ``GOVHALL_PROGRESS_WINDOW``
seconds (600) pause further lookups from it until the oldest failure leaves the window. The counts
live in the database (``ProgressLookupFailure``), so every worker process sees the same count and a
restart does not reset it; rows older than the window are deleted as new failures arrive.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .models import ProgressLookupFailure


def failure_limit() -> int:
    return int(getattr(settings, "GOVHALL_PROGRESS_FAILURES", 10))


def window_seconds() -> int:
    return int(getattr(settings, "GOVHALL_PROGRESS_WINDOW", 600))


def _since(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=window_seconds())


def blocked(address: str) -> bool:
    """True when ``address`` has used up its failures within the window."""
    since = _since(timezone.now())
    return ProgressLookupFailure.objects.filter(address=address, created_at__gt=since).count() >= failure_limit()


def record_failure(address: str) -> None:
    """Count one failed lookup from ``address`` (and forget failures that left the window)."""
    now = timezone.now()
    ProgressLookupFailure.objects.filter(created_at__lte=_since(now)).delete()
    ProgressLookupFailure.objects.create(address=address[:64], created_at=now)
