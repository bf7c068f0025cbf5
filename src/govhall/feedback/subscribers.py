"""Domain-event subscribers of the feedback context (found at start-up by core.apps)."""

from govhall.core import events


@events.subscriber("feedback.invite_rating", on=["case.closed"])
def invite_rating(event: events.Event) -> None:
    """A closed case invites its applicant to rate it (inbox and SMS); idempotent."""
    from . import services

    services.invite_to_rate(event.payload["case_id"])
