from django import template
from django.utils import timezone

from ideas import anonymity
from ideas.models import Status

register = template.Library()

STATUS_COLOURS = {
    Status.SUBMITTED: "nhsuk-tag--grey",
    Status.UNDER_REVIEW: "nhsuk-tag--blue",
    Status.IN_PROGRESS: "nhsuk-tag--aqua-green",
    Status.IMPLEMENTED: "nhsuk-tag--green",
    Status.NOT_TAKEN_FORWARD: "nhsuk-tag--orange",
    Status.DUPLICATE: "nhsuk-tag--purple",
}


@register.filter
def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "")


@register.inclusion_tag("ideas/_status.html")
def status_tag(idea_or_status):
    status = getattr(idea_or_status, "status", idea_or_status)
    return {"label": Status(status).label, "colour": status_colour(status)}


@register.simple_tag
def author_label(idea) -> str:
    """Who shared an idea: 'Anonymous' for an anonymous idea, to anyone."""
    return anonymity.author_label(idea)


@register.simple_tag
def person_label(row) -> str:
    """Who wrote a named row (a project update): a leaver shows as a former member."""
    return anonymity.person_label(row)


@register.simple_tag
def comment_author_label(comment) -> str:
    """Who wrote a comment: 'Submitter (anonymous)' for an anonymous idea's submitter."""
    return anonymity.comment_author_label(comment)


@register.filter
def days_waiting(idea) -> str:
    """How long an idea has waited, in whole days: the finest grain an anonymous idea has."""
    days = (timezone.localdate() - timezone.localdate(idea.created_at)).days
    if days <= 0:
        return "since today"
    return f"{days} day{'s' if days != 1 else ''}"
