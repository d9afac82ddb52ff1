"""The triage inbox: rendered once and kept whole (improvewell.kept_pages) until the
organisation's ideas change.

Leads (who see every idea) share one list per filter and page; a member who triages for
their teams only has one of their own. The list holds no form token and no return
address of the request that rendered it (improvewell.slots). "Waiting N days" counts
whole days, so the day is part of the key.
"""

from django.http import HttpResponse
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import mark_safe

from improvewell import kept_pages, slots, versions
from improvewell.http import query_without_page
from improvewell.pagination import BoundedPaginator
from improvewell.plans import in_written_join_order
from organisations import permissions

from . import selectors
from .filters import InboxFilterSet
from .forms import BulkTriageForm, StatusForm

PER_PAGE = 25


def inbox_page(request) -> HttpResponse:
    """The inbox as this member sees it: kept (improvewell.kept_pages) for all leads
    alike, or for this member alone when they triage for their teams only."""
    member = request.membership
    query = versions.list_query(request, InboxFilterSet.base_filters)
    if query is None:
        varies_on = None
    else:
        who = "leads" if permissions.leads_improvement(member) else f"member-{member.pk}"
        varies_on = [who, str(timezone.localdate()), query]
    return kept_pages.respond(
        request,
        "triage/inbox.html",
        name="triage-inbox",
        varies_on=varies_on,
        build=lambda: _build(request),
    )


def _build(request) -> tuple[dict, None]:
    filters = InboxFilterSet(request.GET or None, request=request)
    context = {
        "filters": mark_safe(str(filters.form)),  # noqa: S308 (the form's own HTML)
        "listing": mark_safe(_render(request, filters)),  # noqa: S308 (our template's HTML)
    }
    return context, None


def _render(request, filters) -> str:
    member = request.membership
    ideas = selectors.triage_inbox(member, filters.qs)
    page = BoundedPaginator(ideas, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = in_written_join_order(page.object_list)
    context = {
        "request": request,
        "page": page,
        "query": query_without_page(request),
        "row_status_form": StatusForm.for_every_row(i.status for i in page.object_list),
        "back": slots.HERE,
        "bulk": BulkTriageForm(organisation=request.organisation, member=member),
    }
    return get_template("triage/_inbox_list.html").render(context | slots.slot_context())
