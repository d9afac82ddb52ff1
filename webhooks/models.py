"""Webhook endpoints of an organisation, the events delivered to them and each attempt.

An endpoint's signing secret is stored as it was generated (`whsec_…`): signing needs
the secret itself, so a digest would not do. It is shown to the admin once, when the
endpoint is created, and never again: no page, admin screen or log shows it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_scopes import ScopedManager

from organisations.models import Organisation


class Event(models.TextChoices):
    IDEA_SHARED = "idea.shared", "An idea is shared"
    IDEA_STATUS_CHANGED = "idea.status_changed", "An idea's status changes"
    IDEA_IMPLEMENTED = "idea.implemented", "An idea is implemented"
    PROJECT_STAGE_CHANGED = "project.stage_changed", "A QI project moves to another stage"
    TEST = "webhook.test", "Test event"


# What an admin may subscribe to: every event but the test, which is sent on request.
SUBSCRIBABLE = [(value, label) for value, label in Event.choices if value != Event.TEST]


class WebhookEndpoint(models.Model):
    class Disabled(models.TextChoices):
        NO = "", "Enabled"
        BY_ADMIN = "admin", "Switched off by an admin"
        FAILING = "failing", "Switched off after repeated failures"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    url = models.URLField("URL", max_length=500)
    description = models.CharField(max_length=100, blank=True)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=80, editable=False)
    disabled = models.CharField(max_length=10, choices=Disabled.choices, default="", blank=True)
    # Deliveries that used up every attempt since the last one that got through.
    consecutive_failures = models.PositiveIntegerField(default=0)
    # Whether the admins have been emailed that it was switched off after failures.
    admins_told = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "webhook endpoint"

    def __str__(self):
        return self.url

    @property
    def is_enabled(self) -> bool:
        return not self.disabled

    def event_labels(self) -> list[str]:
        return [Event(event).label for event in self.events if event in Event.values]


class WebhookDelivery(models.Model):
    """One event for one endpoint: its payload, fixed when the event happened, and its state.

    Its id is the `webhook-id` header, the same on every attempt, so a receiver can tell
    a retry from a new event.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent (endpoint switched off)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=Event.choices)
    # The idea or project the event is about, so the daily batch knows what it has sent.
    subject_id = models.CharField(max_length=40, blank=True)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["endpoint", "-created_at"]),
            models.Index(
                fields=["next_attempt_at"], name="webhooks_due", condition=Q(state="pending")
            ),
        ]
        constraints = [
            # Each idea is announced once to each endpoint: the daily batch is idempotent.
            models.UniqueConstraint(
                fields=["endpoint", "subject_id"],
                condition=Q(event="idea.shared"),
                name="webhooks_idea_shared_once",
            )
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint_id}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: what the receiver answered, or why it could not."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhooks_attempt_once")
        ]

    def __str__(self):
        return f"Attempt {self.number}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
