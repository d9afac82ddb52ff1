"""The audit log: who did what in an organisation, with the values before and after.

Append-only: a trigger refuses every UPDATE and DELETE of its table whatever the
role (improvewell/append_only.py), and the app's database role is not even granted
them. So the references to ideas, projects and people are plain ids without a
database constraint (`db_constraint=False`, `DO_NOTHING`): deleting an idea, project or
user must not try to cascade into, or null out, rows that can never change.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager


class Kind(models.TextChoices):
    IMPROVEMENT = "improvement", "Ideas and projects"
    ADMIN = "admin", "Admin action"
    ROLE = "role", "Role change"
    SIGN_IN = "sign_in", "Sign-in"
    REFUSED = "refused", "Refused access"
    PLATFORM = "platform", "Platform admin change"


def _reference(to, **kwargs):
    # Kept as an id only: the row it names may be deleted, the audit row may not change.
    return models.ForeignKey(
        to,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        **kwargs,
    )


class AuditEvent(models.Model):
    """Who did what (to an idea, project, person or setting), with the values before and after."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.IMPROVEMENT)
    actor = _reference(settings.AUTH_USER_MODEL, related_name="+")
    target_user = _reference(settings.AUTH_USER_MODEL, related_name="+")
    idea = _reference("ideas.Idea", related_name="audit_events")
    project = _reference("projects.Project", related_name="audit_events")
    action = models.CharField(max_length=60)
    # What the action was about when no idea, project or person says it ("webhook").
    subject = models.CharField(max_length=200, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Anonymity: an entry about an anonymous idea keeps its day, not its time.
    date_only = models.BooleanField(default=False)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        db_table = "teams_auditevent"  # created by the `teams` app
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["idea", "-created_at"]),
            models.Index(fields=["project", "-created_at"]),
            models.Index(
                fields=["organisation", "-created_at", "-id"], name="audit_organisation_log_idx"
            ),
        ]

    def __str__(self):
        return self.action
