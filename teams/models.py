from django.db import models
from django_scopes import ScopedManager

from organisations.models import Membership, Organisation, Ward


class Team(models.Model):
    """A multidisciplinary team that triages ideas and runs QI projects."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)
    purpose = models.TextField(max_length=2000, blank=True)
    wards = models.ManyToManyField(Ward, blank=True, related_name="teams")
    members = models.ManyToManyField(Membership, blank=True, related_name="teams")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="team_name_unique_in_organisation"
            )
        ]

    def __str__(self):
        return self.name
