"""The triage inbox's list: rendered once and kept until the organisation's ideas change.

Leads (who see every idea) share one list per filter and page; a member who triages for
their teams only has one of their own. The list holds no form token and no return
address of the request that rendered it (improvewell.slots). "Waiting N days" counts
whole days, so the day is part of the key.
"""

from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import mark_safe

from improvewell import slots, versions
from improvewell.http import query_without_page
from improvewell.pagination import BoundedPaginator
from improvewell.plans import in_written_join_order
from organisations import permissions

from . import selectors
from .forms import BulkTriageForm, StatusForm

PER_PAGE = 25


def inbox_list(request, filters) -> str:
    member = request.membership
    query = versions.list_query(request, filters.base_filters)
    if query is None:
        html = _render(request, filters)
    else:
        who = "leads" if permissions.leads_improvement(member) else f"member-{member.pk}"
        varies_on = [who, str(timezone.localdate()), query]
        html = versions.cached(
            request.organisation, "triage-inbox", varies_on, lambda: _render(request, filters)
        )
    return mark_safe(slots.filled(html, request))  # noqa: S308 (our templates' HTML, escaped values)


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
