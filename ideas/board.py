"""The ideas board's list: rendered once for every member, finished for each.

The list (count, idea summaries, pagination) is the same for every member of an
organisation but for each card's Support block, which says whether the viewer supports
the idea and offers no button on their own idea. So the list is rendered once per
content version of the organisation (improvewell.versions: every write moves it), with
each card's three possible Support blocks, and kept in the cache; a request then reads
the viewer's marks for the page's ideas (one query) and picks a block per card.

What is cached holds nothing about any member: no viewer, no form token (a placeholder
that each request fills in), no submitter token of an anonymous idea.
"""

from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from improvewell import versions
from improvewell.http import query_without_page
from improvewell.pagination import BoundedPaginator

from . import selectors

IDEAS_PER_PAGE = 20
# Pages of the list worth keeping: the first few, without a search. Anything else is
# rendered each time, so that what a member types cannot fill the cache.
CACHED_PAGES = 5
CSRF_SLOT = "\x00csrf\x00"
NEXT_SLOT = "\x00next\x00"
SUPPORT_SLOT = "\x00support\x00"
STATES = ("not", "supports", "own")


def board_list(request, filters) -> str:
    """The board's list as this member sees it."""
    cacheable = _cacheable(request, filters)
    if cacheable is None:
        listing = _render(request, filters)
    else:
        listing = versions.cached(
            request.organisation, "idea-board", cacheable, lambda: _render(request, filters)
        )
    return _finish(request, listing)


def _cacheable(request, filters):
    """What the list depends on besides the organisation's content, or None when it is
    not worth caching (a search, a deep page, a parameter the board does not know)."""
    known = set(filters.base_filters) | {"page"}
    params = sorted(request.GET.lists())
    if any(name not in known for name, _ in params) or request.GET.get("q"):
        return None
    page = request.GET.get("page", "1")
    if not page.isdigit() or int(page) > CACHED_PAGES:
        return None
    return params


def _render(request, filters) -> dict:
    page = BoundedPaginator(selectors.idea_board(filters.qs), IDEAS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    ideas = list(page.object_list)
    context = {
        "request": request,
        "page": page,
        "ideas": ideas,
        "query": query_without_page(request),
        "filtered": filters.narrowed,
        "support_slot": SUPPORT_SLOT,
        "csrf_token": CSRF_SLOT,
        "board_url": NEXT_SLOT,
    }
    html = get_template("ideas/_board_list.html").render(context)
    support = get_template("ideas/_support.html")
    blocks = {}
    for idea in ideas:
        blocks[str(idea.pk)] = {}
        for state in STATES:
            idea.viewer_supports = state == "supports"
            idea.viewer_is_submitter = state == "own"
            blocks[str(idea.pk)][state] = support.render(context | {"idea": idea, "card": True})
    return {"html": html, "blocks": blocks}


def _finish(request, listing: dict) -> str:
    marks = selectors.viewer_marks(request.membership, list(listing["blocks"]))
    html = listing["html"]
    for pk, blocks in listing["blocks"].items():
        supports, own = marks.get(pk, (False, False))
        state = "own" if own else "supports" if supports else "not"
        html = html.replace(f"{SUPPORT_SLOT}{pk}{SUPPORT_SLOT}", blocks[state])
    html = html.replace(CSRF_SLOT, escape(get_token(request)))
    html = html.replace(NEXT_SLOT, escape(request.get_full_path()))
    return mark_safe(html)  # noqa: S308 (our own templates' HTML, and escaped values)
