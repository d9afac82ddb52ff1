"""Routing rules: which team's inbox an idea goes to when it is shared."""

from django.db import models
from django_scopes import ScopedManager

from ideas.models import Category, Kind
from organisations.models import Organisation, Site, Ward
from teams.models import Team

NAME_MAX = 120


class RoutingRule(models.Model):
    """Ideas matching every chosen condition go to `team`; an empty condition matches any.

    Rules are tried in `position` order and the first active match wins
    (`triage.routing.rule_for`). Conditions on several fields must all hold.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="routing_rules"
    )
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=NAME_MAX)
    wards = models.ManyToManyField(Ward, blank=True, related_name="+")
    sites = models.ManyToManyField(Site, blank=True, related_name="+")
    categories = models.ManyToManyField(Category, blank=True, related_name="+")
    # Values of ideas.models.Kind; empty for any kind. A list works on SQLite too.
    kinds = models.JSONField(default=list, blank=True)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="routing_rules")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["organisation", "position"], name="routing_rule_order")]

    def __str__(self):
        return self.name

    @property
    def kind_labels(self) -> list[str]:
        return [Kind(kind).label for kind in self.kinds if kind in Kind.values]
