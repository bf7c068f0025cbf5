"""Background tasks of notifications (thin wrappers around services; run by the task worker)."""

import datetime as dt

from django_tasks import task

from govhall.core.scheduler import periodic

from . import services


@task()
def send_delivery(delivery_id: int) -> str:
    """One attempt at sending a delivery (enqueued on commit by notify and delivery_retry)."""
    return services.delivery_send(delivery_id=delivery_id)


@task()
def resend_due_deliveries() -> int:
    """Enqueue an attempt for every pending delivery whose back-off has passed."""
    due = services.deliveries_due()
    for delivery_id in due:
        send_delivery.enqueue(delivery_id)
    return len(due)


@periodic("notifications.delivery.resend", every=dt.timedelta(minutes=1))
def schedule_resend():
    return resend_due_deliveries.enqueue()
