"""The sealed documents a case action yields, made after the action commits (core/events.py).

Each subscriber reads the case by the event's ids and issues its document through ``case_outputs``
once: a document of the same kind and number already on the case means the event was handled before
(a retry after a crash, or a second delivery), and nothing more is made. Until the subscriber has
run, the pages show the document as being prepared.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model

from govhall.core import events

from . import case_outputs
from .models import SignedDocument

Kind = SignedDocument.Kind


def _case(event: events.Event):
    Case = apps.get_model("cases", "Case")  # noqa: N806 (documents imports nothing from cases)
    return (Case.objects.select_related("organ", "version", "application", "applicant")
            .get(pk=event.payload["case_id"]))


def _actor(event: events.Event):
    actor_id = event.payload.get("actor_id")
    return get_user_model().objects.filter(pk=actor_id).first() if actor_id else None


def _issued(case, kind: str, number: str) -> bool:
    return SignedDocument.objects.filter(case=case, kind=kind, number=number[:120]).exists()


@events.subscriber("documents.acceptance_notice", on=["case.accepted"])
def acceptance_notice(event: events.Event) -> None:
    case = _case(event)
    if not _issued(case, Kind.ACCEPTANCE_NOTICE, case.acceptance_notice_number):
        case_outputs.acceptance_notice(actor=_actor(event), case=case)


@events.subscriber("documents.correction_notice", on=["case.correction_requested"])
def correction_notice(event: events.Event) -> None:
    case = _case(event)
    notice = case.correction_notice
    if notice.pk == event.payload["notice_id"] and not _issued(case, Kind.CORRECTION_NOTICE, notice.notice_number):
        case_outputs.correction_notice(actor=_actor(event), case=case, notice=notice)


@events.subscriber("documents.special_procedure_notice", on=["case.suspended"])
def special_procedure_notice(event: events.Event) -> None:
    case = _case(event)
    procedure = case.special_procedures.get(pk=event.payload["procedure_id"])
    number = case_outputs.special_procedure_number(case, procedure)
    if not _issued(case, Kind.SPECIAL_PROCEDURE_NOTICE, number):
        case_outputs.special_procedure_notice(actor=_actor(event), case=case, procedure=procedure)


@events.subscriber("documents.decision", on=["case.decided"])
def decision(event: events.Event) -> None:
    case = _case(event)
    decision = case.decision
    if decision.pk == event.payload["decision_id"] and not _issued(case, Kind.DECISION, decision.document_number):
        case_outputs.decision(actor=_actor(event), case=case, decision=decision)


@events.subscriber("documents.non_acceptance_notice", on=["case.closed"])
def non_acceptance_notice(event: events.Event) -> None:
    if event.payload.get("state") != "not_accepted":
        return
    case = _case(event)
    entry = case.events.filter(kind="not_accepted").order_by("-pk").first()  # the timeline keeps the reasons
    if entry is None:
        return
    detail = entry.detail or {}
    if not _issued(case, Kind.NON_ACCEPTANCE_NOTICE, detail.get("notice", "")):
        case_outputs.non_acceptance_notice(actor=entry.actor, case=case, number=detail.get("notice", ""),
                                           reason=detail.get("reason", ""), legal_basis=detail.get("legal_basis", ""))
