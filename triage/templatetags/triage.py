from django import template
from django.utils.safestring import mark_safe

from triage.forms import ROW

register = template.Library()


@register.filter
def for_idea(row_form_html: str, idea) -> str:
    """The inbox's shared status form with this idea's ids (a UUID: nothing to escape)."""
    return mark_safe(row_form_html.replace(ROW, str(idea.pk)))  # noqa: S308
