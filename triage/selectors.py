from django.db.models import Case, IntegerField, Value, When

from ideas.models import OPEN_STATUSES, Idea, Status
from ideas.selectors import on_site, past_response_target, with_past_target
from organisations import permissions
from organisations.models import Membership


def triage_inbox(
    member: Membership,
    *,
    status="",
    ward=None,
    site=None,
    category=None,
    kind="",
    team=None,
    overdue=False,
):
    """Ideas to triage: unreviewed first, then the longest waiting.

    QI leads and admins see every idea; other team members see their teams' ideas.
    """
    organisation = member.organisation
    ideas = Idea.objects.filter(organisation=organisation).select_related(
        "ward__site", "site", "category", "team"
    )
    ideas = permissions.triageable_ideas(member, ideas)
    ideas = ideas.filter(status=status) if status else ideas.filter(status__in=OPEN_STATUSES)
    for field, value in (
        ("ward", ward),
        ("category", category),
        ("team", team),
    ):
        if value is not None:
            ideas = ideas.filter(**{field: value})
    if site is not None:
        ideas = ideas.filter(on_site(site))
    if kind:
        ideas = ideas.filter(kind=kind)
    if overdue:
        ideas = ideas.filter(past_response_target(organisation))
    return (
        with_past_target(ideas, organisation)
        .annotate(
            unreviewed=Case(
                When(status=Status.SUBMITTED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("unreviewed", "created_at")
    )


def inbox_item(member: Membership, idea: Idea) -> Idea:
    """One idea as an inbox row shows it (after a change made from the inbox)."""
    ideas = Idea.objects.filter(pk=idea.pk).select_related("ward__site", "site", "category", "team")
    return with_past_target(ideas, member.organisation).get()
