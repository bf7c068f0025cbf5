"""Reads of supervision, scoped: a supervisor sees the organs of their region; an organ's staff see
their organ's warnings; ``None`` (commands) sees everything."""

from __future__ import annotations

from django.db.models import QuerySet

from govhall.core.errors import NotFound

from .models import OPEN_WARNING_STATES, Figure, Warning
from .permissions import FIGURES_VIEW, WARNING_DECIDE, WARNING_RESPOND, WARNING_VIEW
from .services import organ_ids_for


def visible_organs(user, permission: str = WARNING_VIEW) -> set[int] | None:
    if user is None:
        return None
    organs = organ_ids_for(user, permission)
    if permission == WARNING_VIEW:
        organs |= organ_ids_for(user, WARNING_RESPOND) | organ_ids_for(user, WARNING_DECIDE)
    return organs


def warnings(user, *, organ: str = "", level: str = "", state: str = "", rule: str = "",
             case: str = "") -> QuerySet[Warning]:
    """Warnings the user may see, filtered: ``organ`` a credit code or id, ``level`` notice/yellow/red,
    ``state`` a state or "open" (every state but closed)."""
    qs = Warning.objects.select_related("rule", "organ", "case", "item")
    organs = visible_organs(user)
    if organs is not None:
        qs = qs.filter(organ_id__in=organs)
    if organ:
        qs = qs.filter(organ__pk=int(organ)) if organ.isdigit() and len(organ) < 18 else qs.filter(
            organ__credit_code=organ)
    if level:
        qs = qs.filter(level=level)
    if state == "open":
        qs = qs.filter(state__in=OPEN_WARNING_STATES)
    elif state:
        qs = qs.filter(state=state)
    if rule:
        qs = qs.filter(rule__code=rule)
    if case:
        qs = qs.filter(case__number=case)
    return qs.order_by("-raised_at", "-pk")


def access_warning(user, pk: int) -> Warning:
    w = warnings(user).filter(pk=pk).first()
    if w is None:
        raise NotFound(str(pk))
    return w


def figures(user, *, period: str = "", dimension: str = "organ", organ: str = "") -> QuerySet[Figure]:
    qs = Figure.objects.select_related("organ").filter(dimension=dimension)
    organs = visible_organs(user, FIGURES_VIEW) if user is not None else None
    if organs is not None:
        qs = qs.filter(organ_id__in=organs)
    if period:
        qs = qs.filter(period=period)
    if organ:
        qs = qs.filter(organ__pk=int(organ)) if organ.isdigit() and len(organ) < 18 else qs.filter(
            organ__credit_code=organ)
    return qs.order_by("period", "label")


def periods() -> list[str]:
    return sorted(set(Figure.objects.values_list("period", flat=True)), reverse=True)
