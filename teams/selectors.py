from collections import defaultdict

from django.db.models import Count, Q

from ideas.models import OPEN_STATUSES
from organisations.models import Membership, Profession
from teams.models import Team


def members_by_staff_group(team: Team) -> list[tuple[str, list[Membership]]]:
    groups = defaultdict(list)
    for membership in team.members.select_related("user", "home_ward").order_by("user__name"):
        groups[membership.profession].append(membership)
    labels = dict(Profession.choices)
    return [
        (labels.get(key, "Staff group not given"), groups[key])
        for key in [*Profession.values, ""]
        if groups.get(key)
    ]


def teams_with_counts(organisation):
    return Team.objects.filter(organisation=organisation).annotate(
        member_count=Count("members", distinct=True),
        open_ideas=Count("ideas", filter=Q(ideas__status__in=OPEN_STATUSES), distinct=True),
    )
