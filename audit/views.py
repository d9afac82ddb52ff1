"""The organisation's audit log under /<org>/manage/audit/: organisation admins only."""

import csv

from django.core.paginator import Paginator
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from improvewell.http import csv_cell, query_without_page
from improvewell.rls import tenant_scope
from organisations import permissions
from organisations.permissions import privileged

from . import selectors
from .forms import AuditFilterForm

ENTRIES_PER_PAGE = 50
CSV_HEADER = ["Date", "Time", "Who", "Kind", "What", "About", "Field", "Before", "After"]


def _filtered(request):
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, None
    filters = form.cleaned_data if form.is_bound else {}
    return form, selectors.audit_log(request.organisation, **filters)


@privileged(permissions.can_manage_organisation)
def audit_log(request, org_slug):
    form, events = _filtered(request)
    page = None
    if events is not None:
        page = Paginator(events, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    entries = [
        {
            "event": event,
            "when": selectors.when(event),
            "who": selectors.who(event),
            "about": selectors.about(event),
            "changes": selectors.changes(event),
        }
        for event in (page.object_list if page else [])
    ]
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "entries": entries, "query": query_without_page(request)},
        status=400 if form.errors else 200,
    )


class _Echo:
    def write(self, value):
        return value


def _csv_rows(organisation, filters):
    """Each entry, one line per changed field; read in its own transaction and scope,
    as the response streams after the tenant middleware has returned."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    with transaction.atomic(), tenant_scope(organisation):
        events = selectors.audit_log(organisation, **filters)
        for event in events.iterator(chunk_size=500):
            date, time = selectors.when(event)
            head = [
                date,
                time,
                selectors.who(event),
                event.get_kind_display(),
                event.action,
                selectors.about(event),
            ]
            for field, before, after in selectors.changes(event) or [("", "", "")]:
                row = [*head, field, before, after]
                yield writer.writerow([csv_cell(value) for value in row])


@privileged(permissions.can_manage_organisation)
def audit_export(request, org_slug):
    """The filtered log as CSV, streamed: no cell runs as a formula in a spreadsheet."""
    form, events = _filtered(request)
    if events is None:
        return render(request, "audit/log.html", {"form": form, "page": None}, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    day = timezone.localdate().isoformat()
    response = StreamingHttpResponse(
        _csv_rows(request.organisation, filters), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-log-{org_slug}-{day}.csv"'
    return response
