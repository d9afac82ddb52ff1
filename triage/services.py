"""Triage writes: assign a team, move an idea through the workflow, merge duplicates.

Each runs in a transaction, checks the acting member may triage the idea and
records an audit event with the values before and after.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from audit import services as audit
from ideas import services as idea_services
from ideas.models import TRANSITIONS, Idea, Status, Support
from organisations import permissions
from organisations.models import Membership
from teams.models import Team


def _require_triager(member: Membership, idea: Idea):
    permissions.require_same_organisation(member.organisation_id, idea)
    permissions.require(
        permissions.can_triage_idea(member, idea),
        "Only QI leads, organisation admins and the idea's team triage it.",
    )


@transaction.atomic
def idea_assign_team(*, member: Membership, idea: Idea, team: Team | None) -> Idea:
    _require_triager(member, idea)
    permissions.require_same_organisation(member.organisation_id, team, field="team")
    before = {"team": idea.team.name if idea.team_id else None}
    # A team chosen by hand is no longer the routing rule's choice.
    Idea.objects.filter(pk=idea.pk).update(team=team, routed_by=None)
    idea.team, idea.routed_by = team, None
    audit.record(
        member, "assigned to team", idea=idea, before=before, after={"team": team and team.name}
    )
    return idea


@transaction.atomic
def idea_triage_status(*, member: Membership, idea: Idea, to_status: str, message: str = ""):
    """Change an idea's status from triage: the workflow, the submitter's message and the audit."""
    _require_triager(member, idea)
    before = {"status": idea.status}
    event = idea_services.idea_change_status(
        member=member, idea=idea, to_status=to_status, message=message
    )
    audit.record(member, "changed status", idea=idea, before=before, after={"status": to_status})
    return event


@transaction.atomic
def ideas_bulk_triage(
    *, member: Membership, ideas: list[Idea], team: Team | None = None, review: bool = False
) -> int:
    """Assign several ideas to a team and/or move them to under review, all or nothing."""
    count = 0
    for idea in ideas:
        changed = False
        if team is not None and idea.team_id != team.pk:
            idea_assign_team(member=member, idea=idea, team=team)
            changed = True
        if review and idea.status == Status.SUBMITTED:
            idea_triage_status(member=member, idea=idea, to_status=Status.UNDER_REVIEW)
            changed = True
        count += changed
    return count


@transaction.atomic
def idea_merge(*, member: Membership, idea: Idea, into: Idea, message: str = "") -> Idea:
    """Mark `idea` a duplicate of `into`: its supporters move over, its submitter is told where
    to follow it. Both ideas must belong to the member's organisation."""
    _require_triager(member, idea)
    if into is None or into.organisation_id != member.organisation_id:
        raise ValidationError({"into": "Choose an idea of this organisation to merge into."})
    if into.pk == idea.pk:
        raise ValidationError({"into": "An idea cannot be merged into itself."})
    if into.status == Status.DUPLICATE:
        raise ValidationError({"into": "That idea is itself a duplicate: merge into its original."})
    idea = Idea.objects.select_for_update(of=("self",)).get(pk=idea.pk)
    if idea.status == Status.DUPLICATE:
        raise ValidationError({"into": "This idea has already been merged."})
    if Status.DUPLICATE not in TRANSITIONS[idea.status]:
        raise ValidationError(
            {"into": f"An idea that is “{idea.get_status_display()}” cannot be merged."}
        )
    before = {"status": idea.status}
    already = set(Support.objects.filter(idea=into).values_list("user_id", flat=True))
    moving = Support.objects.filter(idea=idea).exclude(user_id__in=already)
    if into.author_id:
        moving = moving.exclude(user_id=into.author_id)
    moved = moving.update(idea=into)
    Support.objects.filter(idea=idea).delete()
    Idea.objects.filter(pk=into.pk).update(support_count=F("support_count") + moved)
    Idea.objects.filter(pk=idea.pk).update(support_count=0)
    idea.support_count = 0
    note = message.strip() or f"This is the same as “{into.title}”. Follow it there."
    idea_services.record_status(
        member=member, idea=idea, to_status=Status.DUPLICATE, message=note, merged_into=into
    )
    audit.record(
        member,
        "merged as duplicate",
        idea=idea,
        before=before,
        after={"status": Status.DUPLICATE, "merged_into": into.title},
    )
    return idea
