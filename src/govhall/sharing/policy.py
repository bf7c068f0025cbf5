"""Who may do what on the data sharing platform: the rules the sharing services apply (they raise
NotFound through ``scope.ensure_manages``) and the pages use to decide what to show.

- Data resources, datasets, agreements and discrepancies of a provider organ are managed by its
  data-resource administrators (of the organ or of a region containing it) and by the system.
- Their records are read by any staff role scoped to the organ.
- Fetched data on an application is confirmed, declined or fetched again by whoever may act on the
  application (the applicant, or an agent while the mandate covers it: cases registers that rule).
"""

from __future__ import annotations

from govhall.catalog.models import Organ
from govhall.core.actors import is_system

from . import scope


def can_manage_resource(actor, resource) -> bool:
    return scope.manages(actor, resource.provider_organ)


def can_register_resource(actor, provider_organ) -> bool:
    return scope.manages(actor, provider_organ)


def can_decide_agreement(actor, agreement) -> bool:
    return scope.manages(actor, agreement.resource.provider_organ)


def can_request_agreement(actor, requester_organ) -> bool:
    """For a local requester organ: its data-resource administrators (a peer's request: the system)."""
    return requester_organ is None or scope.manages(actor, requester_organ)


def can_decide_discrepancy(actor, discrepancy) -> bool:
    return scope.manages(actor, discrepancy.resource.provider_organ)


def can_view_organ_records(actor, organ) -> bool:
    if is_system(actor):
        return True
    return Organ.objects.filter(scope.viewable_organs_q(actor), pk=organ.pk).exists()
