from django import template

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
