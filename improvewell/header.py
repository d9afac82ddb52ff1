"""The site header on an organisation's pages, kept across members.

Every page renders it, and it differs between members only by their role (which links
the menu offers), their email address, their unread count and the form token of the
sign-out button. So it is rendered once per set-up version of the organisation (its
name, and the teams that decide who may triage) and role (improvewell.versions) with
those as slots, and filled in per request: once with no menu item current, and once
more for each menu page, whose item it marks.
"""

import re
from types import SimpleNamespace

from django.template.loader import get_template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import slots, versions

EMAIL = "\x00email\x00"
UNREAD = "\x00unread\x00"
NOWHERE = "\x00path\x00"
MENU_LINK = re.compile(r'class="nhsuk-header__navigation-link" href="([^"]*)"')


def organisation_header(context) -> str:
    request = context["request"]
    organisation, membership = request.organisation, request.membership
    role = [membership.role, bool(getattr(membership, "on_a_team", False))]
    # It shows the organisation's name and what the role may do (its set-up, read under
    # the set-up version): sharing or supporting an idea leaves it be.
    plain = versions.cached(
        organisation,
        "header",
        [role, ""],
        lambda: _render(context, NOWHERE),
        of_setup=True,
        shared=True,
    )
    if request.path in plain["menu"]:
        page = versions.cached(
            organisation,
            "header",
            [role, request.path],
            lambda: _render(context, request.path),
            of_setup=True,
            shared=True,
        )
    else:
        page = plain
    return mark_safe(filled(page["html"], request, context.get("unread_notifications")))  # noqa: S308


def filled(html: str, request, unread, viewer=None, values=None) -> str:
    """The header's slots (and any others of the page, improvewell.slots, with the
    `viewer` parts and the other `values`) filled in for this request's member."""
    unread = unread or 0
    own = {"email": escape(request.user.email), "unread": str(unread)}
    return slots.filled(html, request, (viewer or {}) | {"unread": unread}, own | (values or {}))


def kept_html(context) -> str:
    """The header as kept inside a whole page (improvewell.kept_pages): slots unfilled."""
    return _render(context, context["request"].path)["html"]


def _render(context, path: str) -> dict:
    request = context["request"]
    kept = slots.slot_context() | {
        "request": SimpleNamespace(organisation=request.organisation, path=path),
        "user": SimpleNamespace(is_authenticated=True, email=EMAIL),
        "may": context["may"],
        "unread_notifications": UNREAD,
    }
    html = get_template("includes/_header.html").render(kept)
    return {"html": html, "menu": set(MENU_LINK.findall(html))}
