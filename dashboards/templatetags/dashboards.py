from django import template
from django.utils import formats

from dashboards import tables

register = template.Library()


@register.simple_tag
def cell(value, threshold, unit=""):
    """A table cell on a page as its CSV prints it (tables.shown), the column's unit after
    a figure."""
    if value is None or isinstance(value, str):
        return tables.shown(value, threshold)
    return f"{formats.localize(value)}{unit}"


@register.filter
def fewer_than(threshold, what=""):
    """The wording of a suppressed figure: {{ n|fewer_than }}, {{ n|fewer_than:"people" }}."""
    return tables.fewer_than(threshold, what)
