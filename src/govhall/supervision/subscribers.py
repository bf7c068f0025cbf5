"""Supervision listens to the case events and evaluates every rule over the case at once (the
incremental path; the hourly scan catches what time alone makes true, such as an overdue case).
Idempotent: evaluating the same case twice raises nothing new."""

from govhall.core import events

CASE_EVENTS = ["case.submitted", "case.accepted", "case.correction_requested", "case.decided", "case.closed"]


@events.subscriber("supervision.evaluate", on=CASE_EVENTS)
def evaluate_case(event: events.Event) -> None:
    from . import services

    case_id = event.payload.get("case_id")
    if case_id:
        services.evaluate_cases([case_id])
