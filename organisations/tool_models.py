"""The organisation admin's tools: single sign-on settings and staff imports.

Re-exported by organisations.models, where the rest of the app finds them.
"""

import uuid

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from .models import Organisation


class OrganisationSSO(models.Model):
    """Single sign-on with Microsoft Entra ID (NHSmail) for one organisation.

    The tenant, client id and (encrypted) client secret live in the allauth SocialApp
    it points to; organisations/sso.py holds the rules about who it lets in.
    """

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="sso")
    app = models.OneToOneField(
        "socialaccount.SocialApp", on_delete=models.CASCADE, related_name="organisation_sso"
    )
    is_enabled = models.BooleanField("sign-in with NHSmail (Microsoft) is on", default=False)
    allow_signup = models.BooleanField(
        "new members may join on their first sign-in",
        default=False,
        help_text="Only people whose email address is at one of the organisation's "
        "sign-up domains.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = "single sign-on setting"

    def __str__(self):
        return f"Single sign-on for {self.organisation}"


class ImportJob(models.Model):
    """One uploaded staff CSV: its dry run, then its all-or-nothing apply.

    The file's text is kept here only until the apply has finished (or failed), so
    the worker that applies it reads exactly what the admin previewed.
    """

    class State(models.TextChoices):
        CHECKED = "checked", "Ready to apply"
        REJECTED = "rejected", "Has problems"
        APPLYING = "applying", "Applying"
        APPLIED = "applied", "Applied"
        FAILED = "failed", "Not applied"

    class Mode(models.TextChoices):
        CREATE = "create", "Create accounts and memberships"
        INVITE = "invite", "Send invitations"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="import_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    mode = models.CharField(max_length=10, choices=Mode.choices)
    state = models.CharField(max_length=10, choices=State.choices)
    file_name = models.CharField(max_length=255, blank=True)
    content = models.TextField(blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the apply was last sent to the workers, and how many times the sweep sent it
    # again (organisations.tasks.staff_import_sweep_task): a job applying with no worker
    # on it is one whose task never arrived.
    queued_at = models.DateTimeField(null=True, blank=True)
    requeued = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self):
        return f"Staff import {self.file_name or self.pk}"
