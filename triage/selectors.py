from ideas.models import UNREVIEWED_FIRST, URGENT_FIRST, Idea
from ideas.selectors import with_past_target
from organisations import permissions
from organisations.models import Membership

# What an inbox item (and an idea's triage page) shows: place, category, team (and the
# routing rule that chose it) and who shared it (`ideas.anonymity.author_label` names
# nobody for an anonymous idea).
ITEM_RELATIONS = ("ward__site", "site", "category", "team", "routed_by", "author")
# How far along the queue "Next idea" looks for the idea it is on: the inbox's bound.
NEXT_WINDOW = 1000


def triage_inbox(member: Membership, ideas):
    """Ideas to triage: urgent concerns first, then unreviewed, then the longest waiting.

    `ideas` are the member's organisation's, as `triage.filters.InboxFilterSet` filtered
    them. QI leads and admins see every one; other team members see their teams' ideas.
    """
    organisation = member.organisation
    ideas = permissions.triageable_ideas(member, ideas).select_related(*ITEM_RELATIONS)
    return (
        with_past_target(ideas, organisation)
        .annotate(unreviewed=UNREVIEWED_FIRST)
        .order_by(URGENT_FIRST, "unreviewed", "created_at")
    )


def inbox_item(member: Membership, idea: Idea) -> Idea:
    """One idea as an inbox row shows it (after a change made from the inbox)."""
    ideas = Idea.objects.filter(pk=idea.pk).select_related(*ITEM_RELATIONS)
    return with_past_target(ideas, member.organisation).get()


def next_in_inbox(member: Membership, ideas, idea: Idea):
    """The id of the idea after `idea` in the inbox with these filters, in its order (the
    first one if `idea` is not in it), or None when the queue has nothing else.

    It reads the queue's ids in the inbox's own query, so it follows the inbox's order,
    whatever that becomes, from the same index; at most NEXT_WINDOW of them.
    """
    queue = list(triage_inbox(member, ideas).values_list("pk", flat=True)[:NEXT_WINDOW])
    if idea.pk in queue:
        queue = queue[queue.index(idea.pk) + 1 :]
    return next((pk for pk in queue if pk != idea.pk), None)
