"""Demo teams for `manage.py seed_demo`, made through the services."""

from organisations.models import Membership, Role

from . import services
from .models import Team

TEAMS = [
    (
        "Patient Safety Improvement Group",
        "Reviews safety concerns and ideas from the acute wards and runs the projects that follow.",
        ["Acute Medical Unit", "Emergency Department", "Ward 5 Cardiology"],
    ),
    (
        "Staff Wellbeing Collaborative",
        "Porters, nurses, doctors and admin staff improving how it feels to work here.",
        [],
    ),
]


def seed_teams(organisation, lead: Membership) -> list[Team]:
    """The demo's two teams; none when the organisation has teams already."""
    if Team.objects.filter(organisation=organisation).exists():
        return []
    staff = list(
        Membership.objects.filter(organisation=organisation, role=Role.STAFF)
        .select_related("user")
        .order_by("profession", "user__email")
    )
    wards = {w.name: w for w in lead.organisation.wards.all()}
    teams = []
    for number, (name, purpose, ward_names) in enumerate(TEAMS):
        # One of each staff group, so that the team page shows a real mix.
        by_group = {}
        for member in staff[number::2]:
            by_group.setdefault(member.profession, member)
        team = services.team_save(
            member=lead,
            name=name,
            purpose=purpose,
            wards=[wards[w] for w in ward_names if w in wards],
            members=[lead, *list(by_group.values())[:7]],
        )
        teams.append(team)
    return teams
