"""Staff roles and the permissions each grants. Scope (organ, region) is checked by selectors."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    WINDOW_OFFICER = "window_officer", _("window officer")
    REVIEWER = "reviewer", _("reviewer")
    APPROVER = "approver", _("approver (organ head)")
    CATALOG_ADMIN = "catalog_admin", _("catalogue administrator")
    DATA_ADMIN = "data_admin", _("data-resource administrator")
    SUPERVISOR = "supervisor", _("supervisor")
    SECURITY_ADMIN = "security_admin", _("security administrator")
    SYSTEM_ADMIN = "system_admin", _("system administrator")
    ARCHIVIST = "archivist", _("archivist")


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CATALOG_ADMIN: frozenset({"console.access", "catalog.item.view", "catalog.item.edit",
                                   "catalog.item.publish", "catalog.item.import", "catalog.onboard",
                                   "licenses.type.manage", "catalog.vocabulary.manage",
                                   "supervision.warning.view", "supervision.warning.respond"}),
    Role.SUPERVISOR: frozenset({"console.access", "catalog.item.view", "core.audit.view", "cases.case.view",
                               "notifications.delivery.manage", "sharing.resource.view", "sharing.access.view",
                               "sharing.figures.view", "archives.package.view", "feedback.view",
                               "feedback.supervise", "supervision.warning.view", "supervision.warning.decide",
                               "supervision.figures.view"}),
    Role.SECURITY_ADMIN: frozenset({"console.access", "core.audit.view", "crypto.ca.manage", "crypto.seal.manage",
                                    "federation.peer.view"}),
    Role.SYSTEM_ADMIN: frozenset({"console.access", "core.calendar.edit", "core.audit.view", "oidc.client.manage",
                                  "notifications.delivery.manage", "crypto.ca.manage", "federation.peer.view",
                                  "core.event.manage"}),
    Role.WINDOW_OFFICER: frozenset({"console.access", "catalog.item.view", "cases.case.view", "cases.case.accept",
                                   "notifications.delivery.manage", "feedback.view", "feedback.handle",
                                   "supervision.warning.view", "supervision.warning.respond"}),
    Role.REVIEWER: frozenset({"console.access", "catalog.item.view", "cases.case.view", "cases.case.handle",
                              "feedback.view", "supervision.warning.view", "supervision.warning.respond"}),
    Role.APPROVER: frozenset({"console.access", "catalog.item.view", "cases.case.view", "cases.case.handle",
                              "cases.case.decide", "licenses.licence.issue", "licenses.licence.manage",
                              "archives.package.view", "archives.disposal.approve", "feedback.view",
                              "feedback.handle", "supervision.warning.view", "supervision.warning.respond",
                              "supervision.figures.view"}),
    Role.DATA_ADMIN: frozenset({"console.access", "catalog.item.view", "sharing.resource.view",
                                "sharing.resource.manage", "sharing.agreement.manage", "sharing.discrepancy.decide",
                                "sharing.access.view", "sharing.figures.view"}),
    # the electronic archives (archives app): packages, checks, drills, retention, disposal lists
    Role.ARCHIVIST: frozenset({"console.access", "archives.package.view", "archives.package.manage",
                               "archives.disposal.propose"}),
}


def permissions_of(user) -> frozenset[str]:
    """The permission codes the user's roles grant (cached on the user object for the request)."""
    cached = getattr(user, "_govhall_permissions", None)
    if cached is None:
        roles = set(user.staff_roles.values_list("role", flat=True))
        cached = frozenset().union(*(ROLE_PERMISSIONS.get(r, frozenset()) for r in roles))
        user._govhall_permissions = cached
    return cached
