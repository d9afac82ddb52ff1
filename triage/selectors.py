from datetime import timedelta

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from ideas.models import OPEN_STATUSES, Idea, Status
from ideas.selectors import on_site
from organisations import permissions
from organisations.models import Membership


def overdue_since(organisation):
    return timezone.now() - timedelta(days=organisation.response_target_days)


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
        ideas = ideas.filter(
            first_response_at__isnull=True, created_at__lt=overdue_since(organisation)
        )
    return ideas.annotate(
        unreviewed=Case(
            When(status=Status.SUBMITTED, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("unreviewed", "created_at")
