"""Demo triage for `manage.py seed_demo`: a few ideas assigned to the demo teams."""

from ideas.models import Idea
from organisations.models import Membership
from teams.models import Team

from . import services


def assign_ideas(organisation, lead: Membership, teams: list[Team]) -> None:
    safety, wellbeing = teams
    ideas = {i.title: i for i in Idea.objects.filter(organisation=organisation)}
    for title, team in [
        ("Not enough chargers for the observation machines", safety),
        ("Handover sheet with falls risk at the top", safety),
        ("Water coolers on the wards in summer", wellbeing),
        ("Estates job requests get no reply", wellbeing),
    ]:
        if title in ideas:
            services.idea_assign_team(member=lead, idea=ideas[title], team=team)
