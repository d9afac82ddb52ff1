import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from organisations.models import Organisation, Site, Ward

TITLE_MAX = 120
DESCRIPTION_MAX = 5000
COMMENT_MAX = 2000
MESSAGE_MAX = 2000


class Kind(models.TextChoices):
    IDEA = "idea", "Improvement idea"
    CONCERN = "concern", "Problem or concern"
    PRAISE = "praise", "Praise for a colleague or team"


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    IN_PROGRESS = "in_progress", "In progress"
    IMPLEMENTED = "implemented", "Implemented"
    NOT_TAKEN_FORWARD = "not_taken_forward", "Not taken forward"
    DUPLICATE = "duplicate", "Duplicate"


OPEN_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.IN_PROGRESS)
# The triage inbox's order: urgent concerns first, then ideas nobody has looked at (then
# the longest waiting). Index `idea_org_triage_order` holds ideas in this order.
URGENT_FIRST = models.F("is_urgent").desc()
UNREVIEWED_FIRST = models.Case(
    models.When(status=Status.SUBMITTED, then=models.Value(0)),
    default=models.Value(1),
    output_field=models.IntegerField(),
)

# The workflow: which status may follow which.
TRANSITIONS = {
    Status.SUBMITTED: {
        Status.UNDER_REVIEW,
        Status.IN_PROGRESS,
        Status.NOT_TAKEN_FORWARD,
        Status.DUPLICATE,
    },
    Status.UNDER_REVIEW: {Status.IN_PROGRESS, Status.NOT_TAKEN_FORWARD, Status.DUPLICATE},
    Status.IN_PROGRESS: {Status.IMPLEMENTED, Status.NOT_TAKEN_FORWARD, Status.UNDER_REVIEW},
    Status.IMPLEMENTED: {Status.IN_PROGRESS},
    Status.NOT_TAKEN_FORWARD: {Status.UNDER_REVIEW},
    Status.DUPLICATE: set(),
}

DEFAULT_CATEGORIES = [
    "Patient safety",
    "Patient experience",
    "Staff wellbeing",
    "Efficiency and waste",
    "Environment and sustainability",
    "Equipment and facilities",
    "Communication",
    "Other",
]


class Category(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="categories"
    )
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="category_name_unique_in_organisation"
            )
        ]

    def __str__(self):
        return self.name


class Idea(models.Model):
    """An idea, concern or praise.

    Anonymity: an anonymous idea has no author. Its submitter is linked only by
    `submitter_token`, an HMAC of their user id under ANONYMITY_KEY, which is kept
    outside the database. No IP address, user agent or session key is stored.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="ideas")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.IDEA)
    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField(max_length=DESCRIPTION_MAX)
    ward = models.ForeignKey(
        Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="ideas"
    )
    # Set only when the idea names a site but no ward: an anonymous submitter on a small
    # ward may say only the site, so that the ward's headcount does not narrow them down.
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="ideas"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="ideas")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    is_anonymous = models.BooleanField(default=False)
    # Only a concern is ever urgent (`services.idea_submit` refuses it for other kinds): it
    # has the organisation's shorter response target and tops the triage inbox.
    is_urgent = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
    )
    submitter_token = models.CharField(max_length=64, db_index=True)
    team = models.ForeignKey(
        "teams.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas"
    )
    # The routing rule that chose `team` when the idea was shared (None once a lead
    # assigns a team by hand). A foreign key on the idea itself: routing stamps no row.
    routed_by = models.ForeignKey(
        "triage.RoutingRule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    support_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    # Written by the services with `anonymity.clock`: day precision for anonymous ideas.
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="idea_org_newest"),
            models.Index(fields=["organisation", "status", "-created_at"], name="idea_org_status"),
            models.Index(
                fields=["organisation", "-support_count", "-created_at"], name="idea_org_supported"
            ),
            # The triage inbox's open ideas in its order, so a page reads 25 index entries
            # rather than sorting every open idea (the expression is the inbox's own).
            models.Index(
                models.F("organisation"),
                URGENT_FIRST,
                UNREVIEWED_FIRST,
                models.F("created_at"),
                name="idea_org_triage_order",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
            models.Index(fields=["ward", "status"], name="idea_ward_status"),
            models.Index(fields=["organisation", "site"], name="idea_org_site"),
            # The daily roll-up reads one day of first responses per organisation.
            models.Index(fields=["organisation", "first_response_at"], name="idea_org_responded"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_anonymous=False) | models.Q(author__isnull=True),
                name="anonymous_idea_has_no_author",
            ),
            models.CheckConstraint(
                condition=models.Q(ward__isnull=True) | models.Q(site__isnull=True),
                name="idea_names_a_ward_or_a_site",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def place(self):
        """Where the idea is about, as shown: its ward, else its site, else None."""
        return self.ward or self.site


class IdeaEvent(models.Model):
    """One step in an idea's life: the timeline the submitter follows and the audit trail."""

    class Type(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        STATUS = "status", "Status changed"

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="events")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    type = models.CharField(max_length=20, choices=Type.choices)
    # Null for the submission of an anonymous idea.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    message = models.TextField("message to the submitter", max_length=MESSAGE_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["idea", "created_at"]),
            models.Index(fields=["organisation", "created_at"], name="ideaevent_org_day"),
        ]

    def __str__(self):
        return f"{self.get_type_display()}: {self.from_status or '-'} to {self.to_status}"


class Comment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # Null when the anonymous submitter writes in their own thread.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_anonymous_submitter = models.BooleanField(default=False)
    body = models.TextField(max_length=COMMENT_MAX)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Order within the thread: comments on an anonymous idea share a day-precision time.
    position = models.PositiveIntegerField(default=0)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["created_at", "position"]
        indexes = [
            models.Index(fields=["idea", "created_at"]),
            models.Index(fields=["organisation", "created_at"], name="comment_org_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(by_anonymous_submitter=False) | models.Q(author__isnull=True),
                name="anonymous_comment_has_no_author",
            )
        ]

    def __str__(self):
        return f"Comment of {self.created_at:%Y-%m-%d}"


class Support(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="one_support_per_person")
        ]
        indexes = [models.Index(fields=["organisation", "created_at"], name="support_org_day")]

    def __str__(self):
        return f"Support for idea {self.idea_id}"


class Notification(models.Model):
    """An update for one person.

    For an anonymous idea the recipient is the submitter's token, never the user,
    so that the notification table cannot re-identify them either; its created_at is
    then at day precision (`anonymity.stamp`).
    """

    class Type(models.TextChoices):
        STATUS = "status", "Status changed"
        COMMENT = "comment", "New comment"
        PROJECT = "project", "Project update"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    recipient_token = models.CharField(max_length=64, blank=True, db_index=True)
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="notifications")
    type = models.CharField(max_length=20, choices=Type.choices)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Flags, not times: a time would let "mark all as read" stamp a person's named and
    # token-addressed rows alike.
    is_read = models.BooleanField(default=False)
    is_emailed = models.BooleanField(default=False)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["recipient", "is_read"], name="notification_user_unread"),
            models.Index(
                fields=["organisation", "recipient_token", "is_read"],
                name="notification_token_unread",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    (models.Q(recipient__isnull=False) & models.Q(recipient_token=""))
                    | (models.Q(recipient__isnull=True) & ~models.Q(recipient_token=""))
                ),
                name="notification_has_one_kind_of_recipient",
            )
        ]

    def __str__(self):
        return self.text


class PulseCheckIn(models.Model):
    """'How was your shift?' Anonymous: keyed by a per-person, per-day token, so that a
    second check-in the same day replaces the first, and days cannot be linked."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    ward = models.ForeignKey(
        Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="pulse_check_ins"
    )
    day = models.DateField()
    day_token = models.CharField(max_length=64)
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    # Keys of the organisation's PulseTag rows (ideas/pulse_models.py).
    tags = models.JSONField(default=list, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        indexes = [
            models.Index(fields=["ward", "day"]),
            models.Index(fields=["organisation", "day"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day_token"], name="one_pulse_per_person_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=1) & models.Q(score__lte=5), name="pulse_score_1_to_5"
            ),
        ]

    def __str__(self):
        return f"Pulse check-in of {self.day}: {self.score}"


from .pulse_models import PulseTag  # noqa: E402, F401
