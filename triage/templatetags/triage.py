from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from triage.forms import ROW

register = template.Library()


@register.filter
def for_idea(row_forms: dict[str, str], idea) -> str:
    """The inbox's shared status form for this idea's status, with this idea's ids (a
    UUID: nothing to escape). Empty when the workflow allows no move (a duplicate)."""
    if not row_forms:
        return ""
    return mark_safe(row_forms.get(idea.status, "").replace(ROW, str(idea.pk)))  # noqa: S308


def _days(since) -> str:
    days = (timezone.localdate() - timezone.localdate(since)).days
    if days <= 0:
        return "since today"
    return f"{days} day{'s' if days != 1 else ''}"


@register.filter
def waiting(idea) -> str:
    """How long the person who shared it has waited to hear from the team: since the last
    status change (each carries the team's message to them), else since they shared it.
    In whole days: the finest grain an anonymous idea's times have."""
    if idea.status_changed_at is None:
        return f"Waiting {_days(idea.created_at)}, no reply yet"
    since = _days(idea.status_changed_at)
    return (
        "Last replied to today"
        if since == "since today"
        else f"Waiting {since} since the last reply"
    )
