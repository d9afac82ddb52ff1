"""The triage inbox's filters: the board's (ideas/filters.py), less search and sort, plus
the team and the ideas waiting longer than the response target."""

import django_filters

from ideas.filters import CheckboxFilter, IdeaFilterSet
from ideas.models import OPEN_STATUSES, Status
from ideas.selectors import past_response_target
from teams.models import Team


def teams(request):
    return Team.objects.filter(organisation=request.organisation)


class OpenByDefaultStatusFilter(django_filters.ChoiceFilter):
    """A status; with none chosen, the ideas still open rather than every idea."""

    def filter(self, qs, value):
        return super().filter(qs, value) if value else qs.filter(status__in=OPEN_STATUSES)


class InboxFilterSet(IdeaFilterSet):
    q = None
    sort = None
    status = OpenByDefaultStatusFilter(
        label="Status",
        choices=Status.choices,
        empty_label="Open (not yet implemented or closed)",
    )
    team = django_filters.ModelChoiceFilter(label="Team", queryset=teams, empty_label="Any team")
    overdue = CheckboxFilter(label="Waiting longer than the response target", method="late")

    field_order = ["status", "site", "ward", "category", "kind", "team", "overdue"]

    def late(self, ideas, name, value):
        return ideas.filter(past_response_target(self.request.organisation)) if value else ideas
