from ideas.models import UNREVIEWED_FIRST, URGENT_FIRST, Idea
from ideas.selectors import with_past_target
from organisations import permissions
from organisations.models import Membership


def triage_inbox(member: Membership, ideas):
    """Ideas to triage: urgent concerns first, then unreviewed, then the longest waiting.

    `ideas` are the member's organisation's, as `triage.filters.InboxFilterSet` filtered
    them. QI leads and admins see every one; other team members see their teams' ideas.
    """
    organisation = member.organisation
    ideas = permissions.triageable_ideas(member, ideas).select_related(
        "ward__site", "site", "category", "team"
    )
    return (
        with_past_target(ideas, organisation)
        .annotate(unreviewed=UNREVIEWED_FIRST)
        .order_by(URGENT_FIRST, "unreviewed", "created_at")
    )


def inbox_item(member: Membership, idea: Idea) -> Idea:
    """One idea as an inbox row shows it (after a change made from the inbox)."""
    ideas = Idea.objects.filter(pk=idea.pk).select_related("ward__site", "site", "category", "team")
    return with_past_target(ideas, member.organisation).get()
