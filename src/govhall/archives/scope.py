"""Which packages a staff member sees and may act on: those of the organs their roles with the
permission are scoped to (an organ, or every organ of a region), as for cases. Anything else is
NotFound (404)."""

from __future__ import annotations

from govhall.catalog.models import Organ
from govhall.catalog.scope import organs_q
from govhall.core.errors import DomainError, NotFound
from govhall.identity.roles import ROLE_PERMISSIONS


def roles_with(permission: str) -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if permission in perms]


def organ_ids(user, permission: str) -> list[int]:
    if user is None or not getattr(user, "pk", None):
        return []
    cache = user.__dict__.setdefault("_govhall_archive_organs", {})
    if permission not in cache:
        cache[permission] = list(Organ.objects.filter(organs_q(user, roles=roles_with(permission)))
                                 .values_list("pk", flat=True))
    return cache[permission]


def ensure(user, organ_id: int, permission: str, *, view: str = "archives.package.view", label: str = "") -> None:
    """NotFound when ``user`` may not see the organ's archives; DomainError when they see them but
    may not do this."""
    if organ_id not in organ_ids(user, view) and organ_id not in organ_ids(user, permission):
        raise NotFound(label)
    if organ_id not in organ_ids(user, permission):
        raise DomainError.single("archives.forbidden", "您没有执行此项档案操作的权限",
                                 "you may not take this action on these archives")
