from django.db import models
from django.utils import timezone


class ScheduledRun(models.Model):
    """A periodic job's claim on one period (improvewell/periodic.py): the first copy
    sent for the period inserts it and runs; any other copy finds it and does nothing.

    Not about any one organisation: the periodic jobs fan out to every organisation.
    """

    task = models.CharField(max_length=200)
    period = models.CharField(max_length=40)
    claimed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "period"], name="one_scheduled_run_per_period")
        ]

    def __str__(self):
        return f"{self.task} for {self.period}"
