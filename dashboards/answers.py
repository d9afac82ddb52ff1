"""Answered within the response target: answers on time over all the ideas that were due
an answer, so that ideas still waiting past the target count as missed.

The daily facts count answers on the day they were given (dashboards/rollup.py); an idea
that nobody has answered leaves no trace there. Counting only answers would show
"answered within target 100%" while ideas wait past the target, so the ideas still
waiting whose target fell in a period are counted here, with the rule the triage inbox
and the digest use (ideas.selectors.past_response_target), from the open ideas only.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from ideas.models import Idea
from ideas.selectors import on_site, past_response_target, response_target


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _in_scope(scope_key: str) -> Q:
    kind, _, pk = scope_key.partition(":")
    if kind == "ward":
        return Q(ward_id=int(pk))
    if kind == "site":
        return on_site(int(pk))  # a primary key stands for the site in the lookups
    return Q()


def _due_between(organisation, first: date, last: date) -> Q:
    """Ideas whose response target (ideas.selectors.response_target: shorter for an urgent
    concern) fell on a day from `first` to `last`."""
    due = Q()
    for urgent in (False, True):
        target = response_target(organisation, urgent=urgent)
        due |= Q(
            is_urgent=urgent,
            created_at__gte=_midnight(first) - target,
            created_at__lt=_midnight(last + timedelta(days=1)) - target,
        )
    return due


def overdue_unanswered(
    organisation, scope_key: str, periods: dict[str, tuple[date, date]]
) -> dict[str, int]:
    """For each named period (first day, last day), the ideas in the scope still waiting
    for a first answer whose response target fell in that period and has passed. One
    query, on the open ideas (an indexed slice), whatever the number of ideas."""
    windows = {
        name: _due_between(organisation, first, last) for name, (first, last) in periods.items()
    }
    counts = (
        Idea.objects.filter(past_response_target(organisation), organisation=organisation)
        .filter(_in_scope(scope_key))
        .aggregate(**{name: Count("pk", filter=window) for name, window in windows.items()})
    )
    return {name: counts[name] or 0 for name in periods}


def overdue_by_ward(organisation, start: date, end: date) -> dict[int, int]:
    """The same count for start..end, ward by ward (one query), for the ward table."""
    rows = (
        Idea.objects.filter(past_response_target(organisation), organisation=organisation)
        .filter(_due_between(organisation, start, end), ward__isnull=False)
        .values("ward_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["ward_id"]: row["n"] for row in rows}
