from django.db import models
from django_scopes import ScopedManager

from organisations.models import Organisation, Profession, Site, Ward

ORGANISATION_SCOPE = "organisation"


def staff_field(profession: str) -> str:
    """The DailyFact column of a staff group ("" is not stated)."""
    return f"staff_{profession or 'not_stated'}"


STAFF_FIELDS = {profession: staff_field(profession) for profession in [*Profession.values, ""]}

# DailyFact's figures in named groups, each written out here only: the roll-up writes
# them and the dashboards read them by these names.
# The day's events: they add up over days, and from ward to site to organisation.
EVENT_COUNTS = [
    "ideas",
    "ideas_idea",
    "ideas_concern",
    "ideas_praise",
    "supports",
    "comments",
    "responded",
    "responded_within_target",
    "reviewed",
    "in_progress",
    "implemented",
    "not_taken_forward",
]
# The day's pulse check-ins: they add up too, but are published by whole calendar month
# only (dashboards.pulse).
PULSE_COUNTS = ["pulse_count", "pulse_sum"]
# People, counted afresh each day: a range's figure is that of its last day.
PEOPLE_NOW = ["contributors_30d", "active_members"]


class DailyFact(models.Model):
    """One day's engagement figures for a ward, a site or a whole organisation.

    Written only by the roll-up (dashboards.rollup); dashboards read only these rows,
    so their cost does not grow with the number of ideas. Sums and counts add up
    across days; distinct people do not, so the trailing 30-day figure is stored.
    """

    class Level(models.TextChoices):
        ORGANISATION = "organisation", "Organisation"
        SITE = "site", "Site"
        WARD = "ward", "Ward"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    level = models.CharField(max_length=12, choices=Level.choices)
    # "organisation", "site:<id>" or "ward:<id>": unique even where site/ward are null.
    scope_key = models.CharField(max_length=40)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, related_name="+")
    ward = models.ForeignKey(Ward, on_delete=models.CASCADE, null=True, related_name="+")

    ideas = models.PositiveIntegerField(default=0)
    ideas_idea = models.PositiveIntegerField(default=0)
    ideas_concern = models.PositiveIntegerField(default=0)
    ideas_praise = models.PositiveIntegerField(default=0)
    contributors = models.PositiveIntegerField(default=0)
    contributors_30d = models.PositiveIntegerField(default=0)
    active_members = models.PositiveIntegerField(default=0)
    supports = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    responded_within_target = models.PositiveIntegerField(default=0)
    response_hours_median = models.FloatField(null=True)
    reviewed = models.PositiveIntegerField(default=0)
    in_progress = models.PositiveIntegerField(default=0)
    implemented = models.PositiveIntegerField(default=0)
    not_taken_forward = models.PositiveIntegerField(default=0)
    pulse_count = models.PositiveIntegerField(default=0)
    pulse_sum = models.PositiveIntegerField(default=0)

    # Ideas by the staff group of whoever shared them: who takes part. An anonymous idea
    # records no staff group, so it counts as not stated. A column per group (the groups
    # are Profession's choices) keeps one row per scope and day, so the staff-group
    # tables cost the same to read whatever the number of ideas.
    staff_medical_dental = models.PositiveIntegerField(default=0)
    staff_nursing_midwifery = models.PositiveIntegerField(default=0)
    staff_allied_health = models.PositiveIntegerField(default=0)
    staff_healthcare_science = models.PositiveIntegerField(default=0)
    staff_pharmacy = models.PositiveIntegerField(default=0)
    staff_healthcare_assistant = models.PositiveIntegerField(default=0)
    staff_admin_clerical = models.PositiveIntegerField(default=0)
    staff_estates_ancillary = models.PositiveIntegerField(default=0)
    staff_general_management = models.PositiveIntegerField(default=0)
    staff_student = models.PositiveIntegerField(default=0)
    staff_other = models.PositiveIntegerField(default=0)
    staff_not_stated = models.PositiveIntegerField(default=0)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day", "scope_key"], name="one_fact_per_scope_per_day"
            )
        ]
        indexes = [models.Index(fields=["organisation", "scope_key", "day"])]

    def __str__(self):
        return f"{self.scope_key} on {self.day}"


class RollupRun(models.Model):
    """The lock and the record of one organisation-day roll-up."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    finished_at = models.DateTimeField(null=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day"], name="one_rollup_run_per_day")
        ]

    def __str__(self):
        return f"Roll-up of {self.day}"


class DigestSent(models.Model):
    """Records that a person's weekly digest went out, so that a retried task sends it once."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("users.User", on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user", "week_start"], name="one_digest_per_person_per_week"
            )
        ]

    def __str__(self):
        return f"Digest of {self.week_start}"


class RollupRequest(models.Model):
    """Days of one organisation to roll up again, written with the change that needs it
    (wards merged or moved) and deleted once they are rolled up. The roll-up task is
    sent after the change commits; if the broker could not take it, or the task was
    lost, the sweep (dashboards.tasks.rollup_requests_sweep_task) sends it again."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    first = models.DateField()
    last = models.DateField()
    requested_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        indexes = [models.Index(fields=["organisation", "queued_at"])]

    def __str__(self):
        return f"Roll up {self.first} to {self.last} again"
