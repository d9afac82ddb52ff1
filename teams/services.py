"""Writes for teams: who is in a team and which wards it covers."""

from django.core.exceptions import ValidationError
from django.db import transaction

from organisations import permissions
from organisations.models import Membership, Ward
from teams.models import Team


@transaction.atomic
def team_save(
    *,
    member: Membership,
    name: str,
    purpose: str,
    wards: list[Ward],
    members: list[Membership],
    team: Team | None = None,
) -> Team:
    permissions.require(
        permissions.can_manage_teams(member), "Only QI leads and admins manage teams."
    )
    name = name.strip()
    permissions.require_same_organisation(member.organisation_id, *wards, field="wards")
    permissions.require_same_organisation(member.organisation_id, *members, field="members")
    clash = Team.objects.filter(organisation=member.organisation, name__iexact=name)
    if team is not None:
        permissions.require_same_organisation(member.organisation_id, team)
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise ValidationError({"name": "There is already a team with this name."})
    created = team is None
    if created:
        team = Team.objects.create(organisation=member.organisation, name=name, purpose=purpose)
    else:
        team.name, team.purpose = name, purpose
        team.save(update_fields=["name", "purpose"])
    team.wards.set(wards)
    team.members.set(members)
    return team
