"""The audit trail: who did what to an idea or a project, with the values before and after."""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager


class AuditEvent(models.Model):
    """Who did what to an idea or project, with the values before and after."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    idea = models.ForeignKey(
        "ideas.Idea", on_delete=models.CASCADE, null=True, blank=True, related_name="audit_events"
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    action = models.CharField(max_length=60)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        db_table = "teams_auditevent"  # created by the `teams` app
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["idea", "-created_at"]),
            models.Index(fields=["project", "-created_at"]),
        ]

    def __str__(self):
        return self.action
