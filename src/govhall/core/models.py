"""Shared kernel tables: the hash-chained audit log, the working-day calendar, the scheduler lock, the
task workers' heartbeats."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One audited action. ``hash = SM3(prev_hash || canonical content)``; see core/audit.py."""

    seq = models.PositiveBigIntegerField(unique=True, help_text="1, 2, 3, … without gaps")
    action = models.CharField(max_length=100, db_index=True, help_text="namespaced: catalog.item.published")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True, help_text="username or 'system'")
    on_behalf_of = models.CharField(max_length=150, blank=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=100, blank=True, db_index=True)
    target_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["target_type", "target_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_type}:{self.target_id}"


class AuditChainHead(models.Model):
    """Single row holding the last sequence number and hash. Locking it serialises appends, and it
    lets verification notice events deleted from the end of the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return str(self.last_seq)


class CalendarDay(models.Model):
    """One day of the official calendar: working or not, and why (holiday name, make-up working day)."""

    date = models.DateField(primary_key=True)
    is_working = models.BooleanField()
    note = models.CharField(max_length=60, blank=True, help_text=_("e.g. National Day, make-up working day"))

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return str(self.date)


class CalendarYear(models.Model):
    """A year whose official schedule has been entered. Days outside known years are never guessed."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    source = models.CharField(max_length=200, help_text=_("e.g. State Council notice number"))
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.year)


class SchedulerLock(models.Model):
    """Lease held by the one scheduler instance allowed to run periodic jobs."""

    name = models.CharField(max_length=50, primary_key=True)
    holder = models.CharField(max_length=100)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return str(self.holder)


class JobRun(models.Model):
    """Last run of each periodic job, so a restarted scheduler does not run it early."""

    name = models.CharField(max_length=100, primary_key=True)
    last_started_at = models.DateTimeField()
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return str(self.name)


class TaskWorker(models.Model):
    """A running ``govhall worker`` and its heartbeat. A task left RUNNING by a worker whose heartbeat
    is older than the lease (GOVHALL_TASK_LEASE) is queued again; see core/task_lease.py."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=100)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(help_text="last heartbeat")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"


class DomainEvent(models.Model):
    """Something that happened in a context (``case.closed``, ``licence.issued``, …), recorded in the
    same transaction as the change itself: the transactional outbox. See core/events.py."""

    name = models.CharField(max_length=80, db_index=True)
    version = models.PositiveSmallIntegerField(default=1)
    payload = models.JSONField(default=dict, help_text="ids and codes only, never personal data")
    occurred_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name} v{self.version}"


class EventDelivery(models.Model):
    """One event handed to one subscriber: pending → done, or pending → (retries) → failed."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    event = models.ForeignKey(DomainEvent, on_delete=models.PROTECT, related_name="deliveries")
    subscriber = models.CharField(max_length=100)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "subscriber"], name="core_event_delivery_once")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="core_event_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscriber} ({self.state})"
