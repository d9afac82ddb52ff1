"""The ideas board: rendered once for every member with the same role, finished for each.

The page (filters, count, idea summaries, pagination) is the same for every member of an
organisation with the same role but for each card's Support block, which says whether
the viewer supports the idea and offers no button on their own idea. So the page is
rendered once per content version of the organisation (improvewell.versions: every
write moves it), with each card's three possible Support blocks, and kept
(improvewell.kept_pages); a request then reads the viewer's marks for the page's ideas
(one query) and picks a block per card.

What is kept holds nothing about any member: no viewer, no form token (a slot that
each request fills in, improvewell.slots), no submitter token of an anonymous idea.
"""

import re

from django.http import HttpResponse
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from improvewell import kept_pages, slots, versions
from improvewell.http import query_without_page
from improvewell.pagination import BoundedPaginator
from improvewell.plans import in_written_join_order

from . import selectors
from .filters import IdeaFilterSet

IDEAS_PER_PAGE = 20
SUPPORT_SLOT = "\x00support\x00"
SUPPORT_BLOCK = re.compile(f"{SUPPORT_SLOT}([0-9a-f-]+){SUPPORT_SLOT}")
# Each Support block state: (the viewer supports the idea, the viewer shared it).
STATES = {"not": (False, False), "supports": (True, False), "own": (False, True)}


def board_page(request) -> HttpResponse:
    """The board as this member sees it: the page kept for every member with the same
    role (improvewell.kept_pages), unless it is a search or a deep page."""
    return kept_pages.respond(
        request,
        "ideas/board.html",
        name="idea-board",
        varies_on=versions.list_query(request, IdeaFilterSet.base_filters),
        build=lambda: _build(request),
        finish=_finish,
    )


def _build(request) -> tuple[dict, dict]:
    filters = IdeaFilterSet(request.GET or None, request=request)
    listing = _render(request, filters)
    context = {
        "filters": mark_safe(str(filters.form)),  # noqa: S308 (the form's own HTML)
        "filters_applied": filters.applied,
        "listing": mark_safe(listing["html"]),  # noqa: S308 (our template's HTML)
    }
    return context, listing["blocks"]


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


def _finish(request, html: str, blocks: dict) -> tuple[str, dict]:
    """Each card's Support block as this viewer gets it: one query for the page."""
    marks = selectors.viewer_marks(request.membership, list(blocks))

    def block(match) -> str:  # one pass over the page for all its cards
        pk = match.group(1)
        return blocks[pk][support_state(marks, pk)] if pk in blocks else match.group(0)

    return SUPPORT_BLOCK.sub(block, html), {}
