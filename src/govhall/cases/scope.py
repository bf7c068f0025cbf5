"""Which cases a staff member sees and may act on.

A case belongs to its lead (accepting) organ; a co-organ of a joint case sees it through its joint
task. Staff see the cases of the organs their roles are scoped to (an organ, or every organ of a
region); what is outside answers 404, as for the catalogue.
"""

from __future__ import annotations

from django.db.models import Q

from govhall.catalog.models import Organ
from govhall.catalog.scope import organs_q
from govhall.core.errors import DomainError, NotFound
from govhall.identity.roles import ROLE_PERMISSIONS

from .models import Case


def roles_with(permission: str) -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if permission in perms]


def organ_ids(user, permission: str) -> list[int]:
    """Organs in which ``user`` holds a role granting ``permission``."""
    if not getattr(user, "pk", None):
        return []
    cache = user.__dict__.setdefault("_govhall_case_organs", {})
    if permission not in cache:
        cache[permission] = list(Organ.objects.filter(organs_q(user, roles=roles_with(permission)))
                                 .values_list("pk", flat=True))
    return cache[permission]


def visible_cases_q(user) -> Q:
    organs = organ_ids(user, "cases.case.view")
    return Q(organ_id__in=organs) | Q(steps__kind="joint", steps__organ_id__in=organs)


def can_see(user, case: Case) -> bool:
    organs = set(organ_ids(user, "cases.case.view"))
    if case.organ_id in organs:
        return True
    return case.steps.filter(kind="joint", organ_id__in=organs).exists()


def ensure(user, case: Case, permission: str, organ_id: int | None = None) -> None:
    """Raise NotFound when ``user`` may not see the case, DomainError when they may see it but not
    do this (``organ_id``: the organ whose permission counts, the lead organ by default)."""
    if not can_see(user, case):
        raise NotFound(case.number)
    if (organ_id or case.organ_id) not in organ_ids(user, permission):
        raise DomainError.single("cases.forbidden", "您没有办理此项操作的权限", "you may not take this action on "
                                 "this case", "")
