"""The licence a granted case issues, after the decision commits (core/events.py): ``case.decided``
with outcome grant → ``case_licence.issue_for_case`` (idempotent: a licence already issued for the
case and type is kept, nothing more is issued). The decision refused a grant whose licence could not
be issued (``case_licence.problems``), so a failure here is an outage (storage, signing), retried by
the outbox and shown to staff when it keeps failing."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model

from govhall.core import events

from . import case_licence


@events.subscriber("licenses.case_licence", on=["case.decided"])
def issue_case_licence(event: events.Event) -> None:
    if event.payload.get("outcome") != "grant":
        return
    Case = apps.get_model("cases", "Case")  # noqa: N806 (licences import nothing from cases)
    case = Case.objects.select_related("organ", "version", "application__legal_person", "applicant").get(
        pk=event.payload["case_id"])
    actor_id = event.payload.get("actor_id")
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    case_licence.issue_for_case(actor=actor, case=case)
