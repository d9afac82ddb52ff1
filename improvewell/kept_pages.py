"""Whole organisation pages kept across members, with holes for what is each member's.

A page that every member with the same role sees alike (the ideas board with a given
filter and page) is rendered once per content version of the organisation
(improvewell.versions) and kept, header and all. What differs between members is
written as slots and filled in for each request: their email address and unread count
in the header, the form token and the page's own address (improvewell.slots), the
parts only some viewers see (`{% for_viewer %}`), the messages of their last action,
and whatever the view's `finish` puts in (the board's Support blocks).

The page is rendered the same way whether or not it is kept (a search, a deep page),
so a member sees the same page either way.
"""

from collections.abc import Callable
from functools import cache
from types import SimpleNamespace

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.template import engines
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe

from . import header, slots, versions

MESSAGES = "\x00messages\x00"
MESSAGES_TEMPLATE = "includes/_messages.html"


def respond(
    request,
    template_name: str,
    *,
    name: str,
    varies_on,
    build: Callable[[], tuple[dict, object] | None],
    finish: Callable | None = None,
) -> HttpResponse:
    """The page `template_name` renders with the context `build()` returns, kept under
    `name` and `varies_on` (None: rendered for this request only), as this member sees
    it (see `page` and `response`)."""
    return response(request, page(request, template_name, name, varies_on, build), finish)


def page(request, template_name: str, name: str, varies_on, build) -> dict | None:
    """{"html", "extra"}: the page as every member with this role sees it, slots unfilled.

    `build()` returns (context, extra), or None when there is no such page (nothing is
    kept then); `extra` is kept with the page, for `response`'s `finish`.
    """

    def render() -> dict | None:
        built = build()
        if built is None:
            return None
        context, extra = built
        html = get_template(template_name).render(_context_for_everyone(request) | context)
        return {"html": html, "extra": extra}

    if varies_on is None or not versions.kept_across_processes():
        return render()
    membership = request.membership
    role = [membership.role, bool(getattr(membership, "on_a_team", False))]
    # Nothing changes a kept page once rendered: `response` fills in a copy of its html.
    return versions.cached(
        request.organisation, name, [request.path, role, varies_on], render, shared=True
    )


def response(request, kept: dict, finish: Callable | None = None, *, unread=None) -> HttpResponse:
    """The kept page filled in for this member. `finish(request, html, extra)` returns
    the html with what is the viewer's own put in, and {part: shown} for the page's
    `{% for_viewer %}` parts. `unread`: the member's unread count, when the view knows
    it already (otherwise the context processors count it)."""
    html, viewer = kept["html"], {}
    if finish is not None:
        html, viewer = finish(request, html, kept["extra"])
    return HttpResponse(_filled(request, html, viewer, unread))


def _context_for_everyone(request) -> dict:
    """What the context processors give an organisation page, with slots for what is
    the viewer's own. Of the processors' own values only those the same for every member
    with this role are taken (the permissions `may`, and `require_mfa`), and of the
    request only its organisation and path, which are part of the key."""
    processed = _processed(request)
    return slots.slot_context() | {
        "request": SimpleNamespace(organisation=request.organisation, path=request.path),
        "user": SimpleNamespace(is_authenticated=True, email=header.EMAIL),
        "may": processed["may"],
        "require_mfa": processed["require_mfa"],
        "unread_notifications": header.UNREAD,
        "messages_slot": MESSAGES,
    }


def _processed(request) -> dict:
    # The project's context processors (improvewell.context_processors) know the apps;
    # this module may not import them.
    context = {}
    for processor in engines["django"].engine.template_context_processors:
        context |= processor(request)
    return context


def _filled(request, html: str, viewer: dict, unread=None) -> str:
    messages = get_messages(request)
    shown = render_to_string(MESSAGES_TEMPLATE, {"messages": messages}) if messages else _none()
    if unread is None:
        unread = _processed(request)["unread_notifications"]
    html = header.filled(html, request, unread, viewer=viewer, values={"messages": shown})
    return mark_safe(html)  # noqa: S308 (our templates' HTML, escaped values)


@cache
def _none() -> str:
    """What the messages template makes of no messages (most requests): rendered once."""
    return render_to_string(MESSAGES_TEMPLATE, {"messages": ()})
