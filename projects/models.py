"""QI projects: aim, team, driver diagram, measures and their data, PDSA cycles and updates.

The tables were created by the `teams` app and keep their names (`teams_*`).
"""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from ideas.models import Idea
from organisations.models import Organisation, Ward
from teams.models import Team

NOTE_MAX_LENGTH = 140  # a note on a chart's point: short enough to read beside it
CHANGE_LABEL_MAX_LENGTH = 60


class Stage(models.TextChoices):
    SCOPING = "scoping", "Scoping"
    PLANNING = "planning", "Planning"
    TESTING = "testing", "Testing"
    IMPLEMENTING = "implementing", "Implementing"
    SUSTAINING = "sustaining", "Sustaining"
    SPREADING = "spreading", "Spreading"
    COMPLETE = "complete", "Complete"
    STOPPED = "stopped", "Stopped"


class Project(models.Model):
    """A Quality Improvement project run with the Model for Improvement."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(max_length=160)
    aim = models.TextField(
        "aim statement",
        max_length=1000,
        help_text="What will improve, by how much, for whom and by when.",
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="projects")
    wards = models.ManyToManyField(Ward, blank=True, related_name="projects")
    ideas = models.ManyToManyField(Idea, blank=True, related_name="projects")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.SCOPING)
    start_date = models.DateField(null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        db_table = "teams_project"  # the table kept its name when the model moved here
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class ProjectUpdate(models.Model):
    """News from the project team, told to everyone whose idea is part of the project."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        db_table = "teams_projectupdate"  # the table kept its name when the model moved here
        ordering = ["-created_at"]

    def __str__(self):
        return self.text[:60]


class DriverNode(models.Model):
    """One box of a driver diagram: aim → primary drivers → secondary drivers → change ideas."""

    class Level(models.TextChoices):
        PRIMARY = "primary", "Primary driver"
        SECONDARY = "secondary", "Secondary driver"
        CHANGE = "change", "Change idea"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="driver_nodes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    level = models.CharField(max_length=10, choices=Level.choices)
    text = models.CharField(max_length=300)
    idea = models.ForeignKey(
        Idea, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        db_table = "teams_drivernode"  # the table kept its name when the model moved here
        ordering = ["position", "id"]

    def __str__(self):
        return self.text


class Measure(models.Model):
    class Kind(models.TextChoices):
        """What is measured, which chooses the SPC chart (see projects/kinds.py)."""

        MEASUREMENT = "measurement", "A measurement, such as minutes or a score (XmR chart)"
        COUNT = "count", "A count of events, such as falls a week (c-chart)"
        RATE = "rate", "A rate, such as falls per 1,000 bed days (u-chart)"
        PERCENTAGE = "percentage", "A percentage: how many out of how many (p-chart)"

    class Type(models.TextChoices):
        OUTCOME = "outcome", "Outcome measure"
        PROCESS = "process", "Process measure"
        BALANCING = "balancing", "Balancing measure"

    class Direction(models.TextChoices):
        UP = "up", "Higher is better"
        DOWN = "down", "Lower is better"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="measures")
    name = models.CharField(max_length=160)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.OUTCOME)
    unit = models.CharField(
        max_length=40, help_text="For example: minutes, %, falls per 1,000 bed days"
    )
    direction = models.CharField(
        "direction of improvement", max_length=4, choices=Direction.choices, default=Direction.UP
    )
    description = models.TextField("how it is measured", max_length=2000, blank=True)
    target = models.FloatField(null=True, blank=True)
    kind = models.CharField(
        "kind of data", max_length=12, choices=Kind.choices, default=Kind.MEASUREMENT
    )
    rate_per = models.PositiveIntegerField(
        "rate per",
        null=True,
        blank=True,
        help_text="For a rate: events per this many of the denominator, for example 1,000.",
    )
    denominator_name = models.CharField(
        "what the denominator counts",
        max_length=60,
        blank=True,
        help_text="For a rate or percentage, for example: bed days, or patients audited.",
    )

    objects = ScopedManager(organisation="organisation")

    class Meta:
        db_table = "teams_measure"  # the table kept its name when the model moved here
        ordering = ["type", "name"]

    def __str__(self):
        return self.name


class MeasurePoint(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="points")
    date = models.DateField()
    # The value charted: for a rate or percentage, worked out from the two below
    # (projects/kinds.py), which the u- and p-charts need for their limits.
    value = models.FloatField()
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=NOTE_MAX_LENGTH, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        db_table = "teams_measurepoint"  # the table kept its name when the model moved here
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "date"], name="one_point_per_measure_per_date"
            ),
            models.CheckConstraint(
                condition=models.Q(denominator__isnull=True) | models.Q(denominator__gt=0),
                name="measure_point_denominator_positive",
            ),
        ]

    def __str__(self):
        return f"{self.date}: {self.value}"


class PDSACycle(models.Model):
    class Act(models.TextChoices):
        ADOPT = "adopt", "Adopt"
        ADAPT = "adapt", "Adapt"
        ABANDON = "abandon", "Abandon"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="pdsa_cycles")
    number = models.PositiveIntegerField()
    change = models.CharField("the change being tested", max_length=300)
    prediction = models.TextField("plan: what we predict will happen", max_length=2000)
    do_notes = models.TextField("do: what happened", max_length=2000, blank=True)
    study_notes = models.TextField("study: what we learned", max_length=2000, blank=True)
    act = models.CharField("act", max_length=10, choices=Act.choices, blank=True)
    act_notes = models.TextField("act: next steps", max_length=2000, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        db_table = "teams_pdsacycle"  # the table kept its name when the model moved here
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"], name="pdsa_number_unique_in_project"
            )
        ]

    def __str__(self):
        return f"PDSA {self.number}: {self.change}"


class ChangePoint(models.Model):
    """Where a measure's process changed: its limits are worked out again from here.

    The first point on or after `date` starts a new phase of the SPC chart.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="change_points")
    date = models.DateField()
    label = models.CharField(max_length=CHANGE_LABEL_MAX_LENGTH)
    cycle = models.ForeignKey(
        PDSACycle, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "date"], name="one_change_point_per_measure_per_date"
            )
        ]

    def __str__(self):
        return f"{self.date}: {self.label}"
