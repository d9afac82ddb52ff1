import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django_scopes import ScopedManager

# Top-level paths that an organisation slug must never shadow.
RESERVED_SLUGS = frozenset(
    {
        "account",
        "accounts",
        "admin",
        "api",
        "static",
        "media",
        "healthz",
        "readyz",
        "invitations",
        "organisations",
        "favicon.ico",
        "robots.txt",
        "manage",
        "help",
        "about",
        "accessibility",
        "privacy",
        "www",
    }
)

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "Use lower-case letters, numbers and single hyphens only (for example city-hospitals).",
)
domain_validator = RegexValidator(
    r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    "Enter a domain such as trust.nhs.uk, without the @.",
)


def validate_slug_not_reserved(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(f"“{value}” is reserved by ImproveWell. Choose another address.")


class Role(models.TextChoices):
    STAFF = "staff", "Staff"
    QI_LEAD = "qi_lead", "QI lead"
    ORG_ADMIN = "org_admin", "Organisation admin"


class Profession(models.TextChoices):
    """NHS staff groups, so that dashboards can show who takes part."""

    MEDICAL = "medical_dental", "Medical and dental"
    NURSING = "nursing_midwifery", "Registered nursing and midwifery"
    AHP = "allied_health", "Allied health professionals"
    SCIENTIST = "healthcare_science", "Healthcare scientists"
    PHARMACY = "pharmacy", "Pharmacy"
    HCA = "healthcare_assistant", "Nursing or healthcare assistants"
    ADMIN = "admin_clerical", "Admin and clerical"
    ESTATES = "estates_ancillary", "Estates and ancillary"
    MANAGEMENT = "general_management", "General management"
    STUDENT = "student", "Students"
    OTHER = "other", "Other"


# No breakdown of fewer people than this is ever shown, whatever an organisation sets.
MIN_SUPPRESSION_THRESHOLD = 5


class Organisation(models.Model):
    """A tenant: an NHS trust, health board or ICB."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=50,
        unique=True,
        validators=[slug_validator, validate_slug_not_reserved],
        help_text="Appears in every address: /<slug>/.",
    )
    ods_code = models.CharField(
        "ODS code",
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^[A-Z0-9]{3,10}$", "Enter an ODS code such as RXX.")],
    )
    suppression_threshold = models.PositiveSmallIntegerField(
        default=11,
        validators=[
            MinValueValidator(
                MIN_SUPPRESSION_THRESHOLD,
                f"Use a threshold of {MIN_SUPPRESSION_THRESHOLD} or more: smaller groups "
                "could identify people.",
            ),
            MaxValueValidator(100),
        ],
        help_text="Breakdowns of fewer people than this show “fewer than N”.",
    )
    response_target_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    urgent_response_target_days = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="For concerns their sharer marks urgent. No longer than the response target.",
    )
    # Who a member raising a concern should contact for anything urgent or about patient
    # safety: the share form shows them before the concern is sent.
    speak_up_guardian_name = models.CharField(
        "Freedom to Speak Up guardian", max_length=200, blank=True
    )
    speak_up_guardian_contact = models.CharField(
        "How to contact the guardian",
        max_length=200,
        blank=True,
        help_text="A phone number, extension or email address.",
    )
    incident_reporting_url = models.URLField(
        "Incident reporting link",
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["https", "http"])],
        help_text="The address of the trust's incident reporting system (for example Datix).",
    )
    pulse_enabled = models.BooleanField(
        "Pulse check-ins",
        default=True,
        help_text="When off, nobody is asked “How was your shift?” and the pulse pages are gone.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if (
            self.urgent_response_target_days
            and self.response_target_days
            and self.urgent_response_target_days > self.response_target_days
        ):
            raise ValidationError(
                {
                    "urgent_response_target_days": "The response target for urgent concerns "
                    "must be no longer than the response target."
                }
            )


class SignupDomain(models.Model):
    """An email domain whose owners may sign up and join the organisation as staff."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="signup_domains"
    )
    domain = models.CharField(max_length=253, unique=True, validators=[domain_validator])

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["domain"]

    def __str__(self):
        return self.domain

    def clean(self):
        self.domain = normalise_domain(self.domain)


class Site(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=120)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("name"), name="site_name_unique_in_organisation"
            )
        ]

    def __str__(self):
        return self.name


class Ward(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="wards")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="wards")
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["site__name", "name"]
        constraints = [
            models.UniqueConstraint(
                "organisation", "site", Lower("name"), name="ward_name_unique_in_site"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if (
            self.site_id
            and self.organisation_id
            and self.site.organisation_id != self.organisation_id
        ):
            raise ValidationError({"site": "Choose a site of this organisation."})


class Membership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STAFF)
    profession = models.CharField(
        "staff group", max_length=30, choices=Profession.choices, blank=True
    )
    home_ward = models.ForeignKey(
        Ward, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="membership_unique_per_organisation"
            )
        ]
        indexes = [models.Index(fields=["user", "is_active"])]

    def __str__(self):
        return f"{self.user} in {self.organisation} ({self.get_role_display()})"


def _new_invitation_token():
    return secrets.token_urlsafe(32)


INVITATION_LIFETIME = timedelta(days=14)


def _invitation_expiry():
    return timezone.now() + INVITATION_LIFETIME


class Invitation(models.Model):
    """A single-use link that lets one person join with the role the inviter chose."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STAFF)
    token = models.CharField(max_length=64, unique=True, default=_new_invitation_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "email"])]

    def __str__(self):
        return f"Invitation for {self.email} to {self.organisation}"

    @property
    def state(self):
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING


def normalise_domain(value: str) -> str:
    return (value or "").strip().lower().removeprefix("@")
