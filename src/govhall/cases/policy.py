"""Who may do what with applications and cases: the rules the case services apply (they raise
through ``scope.ensure`` and ``authority.ensure_acting_authority``) and the workbench and portal pages
use to decide what to show, so that a page never re-derives a guard.

- Staff see the cases of the organs their roles are scoped to; a co-organ of a joint case sees it
  through its joint task. Outside that the case does not exist for them (NotFound).
- Accepting needs ``cases.case.accept``, handling ``cases.case.handle``, deciding ``cases.case.decide``,
  each in the organ whose step it is (the lead organ by default).
- An application is acted on by its applicant, or by an agent while the company's mandate covers it.
"""

from __future__ import annotations

from govhall.core.errors import DomainError, NotFound

from . import scope
from .authority import ensure_acting_authority
from .permissions import CASE_ACCEPT, CASE_DECIDE, CASE_HANDLE

CASE_VIEW = "cases.case.view"


def can_see_case(actor, case) -> bool:
    return scope.can_see(actor, case)


def can_on_case(actor, case, permission: str, organ_id: int | None = None) -> bool:
    """Whether ``actor`` may take an action needing ``permission`` on ``case`` (``scope.ensure``)."""
    try:
        scope.ensure(actor, case, permission, organ_id=organ_id)
    except (NotFound, DomainError):
        return False
    return True


def can_accept_case(actor, case) -> bool:
    return can_on_case(actor, case, CASE_ACCEPT)


def can_handle_case(actor, case) -> bool:
    return can_on_case(actor, case, CASE_HANDLE)


def can_decide_case(actor, case) -> bool:
    return can_on_case(actor, case, CASE_DECIDE)


def can_act_on_application(actor, application) -> bool:
    """The applicant, or an agent while the mandate covers the item (no lock: for pages)."""
    try:
        ensure_acting_authority(actor, application)
    except (NotFound, DomainError):
        return False
    return True


def abilities(actor, case) -> dict[str, bool]:
    """What the workbench may offer on ``case``: the permissions the services will check."""
    return {"view": can_see_case(actor, case), "accept": can_accept_case(actor, case),
            "handle": can_handle_case(actor, case), "decide": can_decide_case(actor, case)}
