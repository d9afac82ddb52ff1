"""Holes in HTML kept for every member, filled in for each request.

A page part cached across members (improvewell.versions) must hold nothing of the
request that rendered it: its form token and its own address are written as slots,
and parts only some viewers see (`{% for_viewer %}`, improvewell/templatetags/slots.py)
between markers; `filled` puts in this request's token and address and keeps or drops
each such part for this viewer.
"""

import re

from django.middleware.csrf import get_token
from django.utils.html import escape

CSRF = "\x00csrf\x00"
HERE = "\x00here\x00"
VIEWER_PART = re.compile("\x00viewer:(\\w+)\x00(.*?)\x00/viewer\x00", re.DOTALL)
# Every other slot, by name: this module's and those other modules fill in (`values`).
SLOT = re.compile("\x00(\\w+)\x00")


def slot_context() -> dict:
    """Context for rendering a part to keep: `csrf_token` and `here` are slots, and
    `{% for_viewer %}` parts are marked."""
    return {"csrf_token": CSRF, "here": HERE, "kept_for_everyone": True}


def viewer_part(name: str, html: str) -> str:
    return f"\x00viewer:{name}\x00{html}\x00/viewer\x00"


def filled(html: str, request, viewer: dict | None = None, values: dict | None = None) -> str:
    """The part with this request's form token and address (and the other slots named
    in `values`, such as the header's), and the parts marked for some viewers kept where
    `viewer[name]` is true. Two passes over the page whatever it holds; what is put in is
    not read again, so no value can open a slot."""
    viewer = viewer or {}
    html = VIEWER_PART.sub(lambda m: m.group(2) if viewer.get(m.group(1)) else "", html)
    values = values or {}

    def value(match) -> str:
        name = match.group(1)
        if name == "csrf":
            return _form_token(request)
        if name == "here":
            return escape(request.get_full_path())
        return values.get(name, match.group(0))

    return SLOT.sub(value, html)


def _form_token(request) -> str:
    # Masked once a request: masking draws 32 random characters each time, and a page
    # fills several parts.
    if not hasattr(request, "_slot_csrf_token"):
        request._slot_csrf_token = escape(get_token(request))
    return request._slot_csrf_token
