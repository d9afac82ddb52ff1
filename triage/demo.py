"""Demo triage for `manage.py seed_demo`: two routing rules, a few ideas assigned to the
demo teams, and a fresh idea that repeats an older one, so that the inbox has a likely
duplicate to merge (routed to a team by a rule)."""

import uuid

from ideas import services as idea_services
from ideas.models import Category, Idea, Kind
from organisations.models import Membership, Role
from teams.models import Team

from . import routing, services
from .models import RoutingRule

# The same id on every run: `idea_submit` makes one idea per submission id.
DUPLICATE_ID_NAMESPACE = uuid.UUID("6f1d8c52-3a0e-4d1b-9a57-0c2b1f6e9d41")


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
    share_likely_duplicate(organisation)


def share_likely_duplicate(organisation) -> None:
    """A healthcare assistant asks again for what an earlier concern asked: its triage page
    suggests the original, and the share form suggests it while such a title is typed."""
    member = (
        Membership.objects.filter(organisation=organisation, role=Role.STAFF, is_active=True)
        .exclude(user__email__startswith="staff@")
        .select_related("organisation", "home_ward", "user")
        .order_by("pk")
        .first()
    )
    category = Category.objects.filter(
        organisation=organisation, name="Equipment and facilities"
    ).first()
    if member is None or category is None:
        return
    idea_services.idea_submit(
        member=member,
        submission_id=uuid.uuid5(DUPLICATE_ID_NAMESPACE, organisation.slug),
        kind=Kind.CONCERN,
        title="More chargers for the obs machines please",
        description="Half the observation machines are flat by the morning round.",
        category=category,
        ward=member.home_ward,
        site=None,
        anonymous=False,
    )


def seed_routing(organisation, admin: Membership, teams: list[Team]) -> None:
    """Two routing rules, so that new equipment concerns and wellbeing ideas go straight to
    a team (the likely duplicate shared next is routed by the first). Left alone if the
    organisation has rules already."""
    if RoutingRule.objects.filter(organisation=organisation).exists():
        return
    safety, wellbeing = teams
    categories = {c.name: c for c in Category.objects.filter(organisation=organisation)}
    for name, team, category, kinds in [
        ("Equipment concerns", safety, "Equipment and facilities", [Kind.CONCERN]),
        ("Staff wellbeing ideas", wellbeing, "Staff wellbeing", []),
    ]:
        if category in categories:
            routing.rule_save(
                member=admin,
                name=name,
                team=team,
                categories=[categories[category]],
                kinds=kinds,
            )
