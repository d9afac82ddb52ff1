"""The ideas board's list: rendered once for every member, finished for each.

The list (count, idea summaries, pagination) is the same for every member of an
organisation but for each card's Support block, which says whether the viewer supports
the idea and offers no button on their own idea. So the list is rendered once per
content version of the organisation (improvewell.versions: every write moves it), with
each card's three possible Support blocks, and kept in the cache; a request then reads
the viewer's marks for the page's ideas (one query) and picks a block per card.

What is cached holds nothing about any member: no viewer, no form token (a slot that
each request fills in, improvewell.slots), no submitter token of an anonymous idea.
"""

from django.template.loader import get_template
from django.utils.safestring import mark_safe

from improvewell import slots, versions
from improvewell.http import query_without_page
from improvewell.pagination import BoundedPaginator
from improvewell.plans import in_written_join_order

from . import selectors

IDEAS_PER_PAGE = 20
SUPPORT_SLOT = "\x00support\x00"
# Each Support block state: (the viewer supports the idea, the viewer shared it).
STATES = {"not": (False, False), "supports": (True, False), "own": (False, True)}


def board_list(request, filters) -> str:
    """The board's list as this member sees it."""
    query = versions.list_query(request, filters.base_filters)
    if query is None:
        listing = _render(request, filters)
    else:
        listing = versions.cached(
            request.organisation, "idea-board", query, lambda: _render(request, filters)
        )
    return _finish(request, listing)


def _render(request, filters) -> dict:
    page = BoundedPaginator(selectors.idea_board(filters.qs), IDEAS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    ideas = in_written_join_order(page.object_list)
    context = {
        "request": request,
        "page": page,
        "ideas": ideas,
        "query": query_without_page(request),
        "filtered": filters.narrowed,
        "support_slot": SUPPORT_SLOT,
        "board_url": slots.HERE,
    } | slots.slot_context()
    html = get_template("ideas/_board_list.html").render(context)
    support = get_template("ideas/_support.html")
    blocks = {}
    for idea in ideas:
        blocks[str(idea.pk)] = {}
        for state, (idea.viewer_supports, idea.viewer_is_submitter) in STATES.items():
            blocks[str(idea.pk)][state] = support.render(context | {"idea": idea, "card": True})
    return {"html": html, "blocks": blocks}


def support_state(marks: dict, pk: str) -> str:
    """Which of a Support block's STATES the viewer gets (marks: selectors.viewer_marks)."""
    supports, own = marks.get(pk, (False, False))
    return "own" if own else "supports" if supports else "not"


def _finish(request, listing: dict) -> str:
    marks = selectors.viewer_marks(request.membership, list(listing["blocks"]))
    html = listing["html"]
    for pk, blocks in listing["blocks"].items():
        html = html.replace(f"{SUPPORT_SLOT}{pk}{SUPPORT_SLOT}", blocks[support_state(marks, pk)])
    return mark_safe(slots.filled(html, request))  # noqa: S308 (our templates' HTML, escaped values)
