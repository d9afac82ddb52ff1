"""The tags a pulse check-in offers ("What made the difference?"), chosen per organisation.

Re-exported by ideas.models, where the rest of the app finds them.
"""

from django.db import models
from django_scopes import ScopedManager

from organisations.models import Organisation

# Every organisation starts with these (ideas/pulse_tags.py); keys as check-ins store them.
DEFAULT_PULSE_TAGS = [
    ("staffing", "Staffing"),
    ("workload", "Workload"),
    ("equipment", "Equipment"),
    ("teamwork", "Teamwork"),
    ("patient_flow", "Patient flow"),
    ("other", "Other"),
]
PULSE_TAG_LABEL_MAX = 40
# A check-in takes seconds on a phone: a long list of tags would not.
PULSE_TAGS_OFFERED_MAX = 12


class PulseTag(models.Model):
    """One tag an organisation's pulse check-in offers, or once offered.

    A check-in stores the tag's key, never its label: a renamed tag's past check-ins
    follow the new name, and a retired tag (no longer offered) keeps its row, so its
    check-ins keep their meaning. Tags are never deleted.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="pulse_tags"
    )
    key = models.SlugField(max_length=PULSE_TAG_LABEL_MAX)
    label = models.CharField(max_length=PULSE_TAG_LABEL_MAX)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField("offered", default=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key"], name="pulse_tag_key_unique_in_organisation"
            )
        ]

    def __str__(self):
        return self.label
