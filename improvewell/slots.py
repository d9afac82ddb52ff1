"""Holes in HTML kept for every member, filled in for each request.

A page part cached across members (improvewell.versions) must hold nothing of the
request that rendered it: its form token and its own address are written as slots and
filled in when the part is served.
"""

from django.middleware.csrf import get_token
from django.utils.html import escape

CSRF = "\x00csrf\x00"
HERE = "\x00here\x00"


def slot_context() -> dict:
    """Context for rendering a part to keep: `csrf_token` and `here` are slots."""
    return {"csrf_token": CSRF, "here": HERE}


def filled(html: str, request) -> str:
    """The part with this request's form token and address."""
    html = html.replace(CSRF, escape(get_token(request)))
    return html.replace(HERE, escape(request.get_full_path()))
