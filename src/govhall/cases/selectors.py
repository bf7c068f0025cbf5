"""Reads of applications and cases: workbench queues, the case file, the applicant's cases, public
progress. Staff reads are scoped (scope.py); what is outside answers NotFound. Applicant reads follow
authority.py: an application made for a legal person is seen by its legal representative and by the
agent who made it while the agent's mandate covers it, at the moment of reading."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govhall.core.calendar_store import get_calendar
from govhall.core.errors import NotFound

from . import clock, signing
from .authority import is_party, may_read, visible_q
from .models import (
    FINAL_STATES,
    OPEN_STATES,
    Application,
    Case,
    CaseEvent,
    CaseState,
    CaseStep,
    Extension,
    Stage,
)
from .permissions import CASE_DECIDE
from .scope import organ_ids, visible_cases_q
from .services import clock_of

QUEUES = (Stage.ACCEPT, Stage.CORRECTION, Stage.UNDERTAKE, Stage.REVIEW, Stage.APPROVE, Stage.DECIDE, Stage.JOINT,
          Stage.SPECIAL, Stage.DELIVER)


def _staff_organs(user) -> list[int]:
    return organ_ids(user, "cases.case.view")


def queue(user, stage: str, *, limit: int = 50, offset: int = 0) -> list[Case]:
    """Cases of the user's organs in ``stage``, soonest due first. ``joint`` lists the joint tasks
    the user's organs must answer (on other organs' cases too)."""
    organs = _staff_organs(user)
    if not organs:
        return []
    fields = ("pk", "number", "item_name", "applicant_name", "state", "stage", "queue_due", "due_date",
              "acceptance_due", "received_at", "assignee__username", "is_joint", "organ__name", "row_version")
    if stage == Stage.JOINT:  # a case with two joint tasks for the user's organs is listed once
        return list(Case.objects.filter(steps__kind=CaseStep.Kind.JOINT, steps__state=CaseStep.State.ACTIVE,
                                        steps__organ_id__in=organs).distinct().select_related("organ", "assignee")
                    .only(*fields).order_by("due_date", "pk")[offset:offset + limit])
    where = Q(organ_id__in=organs, stage=stage)
    if stage == Stage.APPROVE:  # extension requests wait for the same approvers (Art. 42)
        where |= Q(pk__in=_extension_requests(user))
    return list(Case.objects.filter(where).select_related("organ", "assignee")
                .only(*fields).order_by("queue_due", "pk")[offset:offset + limit])


def _extension_requests(user) -> QuerySet:
    """Ids of open cases with an extension request waiting for an approver of ``user``'s organs."""
    organs = organ_ids(user, CASE_DECIDE)
    return (Extension.objects.filter(state=Extension.State.REQUESTED, case__organ_id__in=organs,
                                     case__state__in=OPEN_STATES).values("case_id"))


def queue_counts(user) -> dict[str, int]:
    organs = _staff_organs(user)
    counts = {s: 0 for s in QUEUES}
    if not organs:
        return counts
    rows = (Case.objects.filter(organ_id__in=organs, stage__in=[s for s in QUEUES if s != Stage.JOINT])
            .values("stage").annotate(n=Count("*")).order_by())  # index-only on PostgreSQL
    counts.update({r["stage"]: r["n"] for r in rows})
    counts[Stage.APPROVE] += (Case.objects.filter(pk__in=_extension_requests(user))
                              .exclude(organ_id__in=organs, stage=Stage.APPROVE).count())
    counts[Stage.JOINT] = (CaseStep.objects.filter(kind=CaseStep.Kind.JOINT, state=CaseStep.State.ACTIVE,
                                                   organ_id__in=organs).values("case_id").distinct().count())
    return counts


def warning(case: Case, today: dt.date | None = None) -> str:
    """The queue colour of a case: overdue, red, yellow or green (see clock.warning_level)."""
    return clock.warning_level(get_calendar(), today or timezone.localdate(), case.queue_due)


def _case_qs() -> QuerySet[Case]:
    return Case.objects.select_related("organ", "item", "version", "application__legal_person", "current_step",
                                       "assignee", "applicant").prefetch_related(
        "special_procedures", "extensions", Prefetch("steps", queryset=CaseStep.objects.select_related(
            "organ", "assignee", "finished_by")))


def access_case(user, number: str) -> Case:
    """The case for a staff member of its organ (or a co-organ of a joint case); NotFound otherwise."""
    case = _case_qs().filter(visible_cases_q(user), number=number).distinct().first()
    if case is None:
        raise NotFound(number)
    return case


def applicant_case(user, number: str) -> Case:
    """The case for its applicant (and, for a legal person, its legal representative; an agent only
    while authorised now); NotFound for anyone else. The case page, its files and PDFs use this."""
    case = _case_qs().filter(number=number).first()
    if case is None or not may_read(user, case):
        raise NotFound(number)
    return case


def applicant_application(user, public_id) -> Application:
    """The application for whoever may see it now (see ``applicant_case``; also the window officer
    who took it); NotFound for anyone else."""
    application = _application(public_id)
    if application is None or not may_read(user, application):
        raise NotFound(str(public_id))
    return application


def _application(public_id) -> Application | None:
    return (Application.objects.select_related("version", "item__organ", "legal_person")
            .filter(public_id=public_id).first())


def application_to_act_on(user, public_id) -> Application:
    """The application for an action by one of its parties (``authority.is_party``), whose service
    then checks the authority at the moment of acting and says why it refuses; NotFound for others."""
    application = _application(public_id)
    if application is None or not is_party(user, application):
        raise NotFound(str(public_id))
    return application


def case_to_act_on(user, number: str) -> Case:
    """The case for an action by one of its parties (see ``application_to_act_on``)."""
    case = _case_qs().filter(number=number).first()
    if case is None or not is_party(user, case):
        raise NotFound(number)
    return case


def my_cases(user) -> QuerySet[Case]:
    """The cases the user may see now (``authority.visible_q``), newest first."""
    return (Case.objects.filter(visible_q(user, legal_person="application__legal_person"))
            .select_related("organ", "current_step").order_by("-received_at"))


def my_drafts(user) -> QuerySet[Application]:
    return (Application.objects.filter(visible_q(user), state=Application.State.DRAFT)
            .select_related("version"))


def timeline(case: Case, *, public_only: bool) -> QuerySet[CaseEvent]:
    events = case.events.select_related("organ").order_by("at", "pk")
    return events.filter(public=True) if public_only else events


PUBLIC_EVENT_LABELS = {
    "received": _("application received"), "accepted": _("accepted"),
    "deemed_accepted": _("deemed accepted (Art. 32)"), "correction_notice": _("correction requested"),
    "corrected": _("corrections received"), "special_started": _("special procedure started (clock stopped)"),
    "special_ended": _("special procedure ended"), "extension_approved": _("time limit extended"),
    "decided": _("decided"), "delivered": _("result delivered"), "withdrawn": _("withdrawn"),
    "not_accepted": _("not accepted"), "correction_expired": _("ended: correction not made in time"),
}


@dataclass(frozen=True)
class Progress:
    """What anyone with the case number and query code may see: no personal data."""

    number: str
    item_name: str
    organ: str
    state: str
    state_label: str
    stage_label: str
    received_on: dt.date
    due_date: dt.date | None
    clock_running: bool
    steps: list[tuple[str, str]]
    events: list[tuple[dt.datetime, str, str]]
    unknown_year: int | None = None
    clock_info: dict | None = None


def clock_info(case: Case) -> dict:
    """What every page says about a case's expected date (the applicant's pages, the public progress
    lookup): one answer (see clock.py; never a guessed holiday schedule)."""
    if case.state in FINAL_STATES:
        return {"kind": "closed", "closed_at": case.closed_at}
    if case.state == CaseState.DECIDED:
        return {"kind": "decided"}
    if case.state == CaseState.CORRECTION:
        return {"kind": "correction", "date": case.correction_due}
    current = clock_of(case)
    if current is None:
        if case.acceptance_due is None:
            return {"kind": "unknown", "year": None}
        return {"kind": "acceptance", "date": case.acceptance_due}
    if current.unknown_year:
        return {"kind": "unknown", "year": current.unknown_year, "running": current.running}
    return {"kind": "running" if current.running else "stopped", "date": current.promised_due,
            "legal_date": current.legal_due, "projected": current.projected, "paused_days": current.paused_days}


def progress(case: Case, today: dt.date | None = None) -> Progress:
    current = clock_of(case, today)
    steps = [(s.name, s.state) for s in case.steps.all() if s.kind != CaseStep.Kind.JOINT]
    # kinds and dates only: public summaries quote reasons and corrections, which may be personal
    events = [(e.at, e.kind, PUBLIC_EVENT_LABELS[e.kind]) for e in timeline(case, public_only=True)
              if e.kind in PUBLIC_EVENT_LABELS]
    return Progress(case.number, case.item_name, case.organ.name, case.state, case.get_state_display(),
                    case.get_stage_display(), timezone.localdate(case.received_at),
                    current.promised_due if current else None, current.running if current else True, steps,
                    events, current.unknown_year if current else None, clock_info(case))


def public_progress(number: str, query_code: str) -> Progress:
    """Progress by case number and the query code printed on the receipt; NotFound if either is wrong."""
    case = _case_qs().filter(number=number.strip()).first()
    if case is None or not query_code or case.query_code != query_code.strip():
        raise NotFound(number)
    return progress(case)


def signature_valid(case: Case) -> bool:
    return signing.verify(case.application)


def open_case_count(user) -> int:
    return Case.objects.filter(visible_q(user, legal_person="application__legal_person"),
                               state__in=OPEN_STATES).count()
