"""The staff list of `/<org>/manage/staff/`: filters, bulk changes and the CSV export."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from improvewell.http import csv_streaming_response, query_without_page
from improvewell.rls import tenant_scope

from . import permissions, selectors, staff_services
from .forms import MemberBulkForm, MemberSearchForm
from .permissions import privileged

MEMBERS_PER_PAGE = 50
FILTER_NAMES = ("q", "role", "profession", "home_ward", "status", "page")
BACK_MAX = 500
EXPORT_HEADER = ["email", "name", "role", "staff group", "home ward", "active", "joined"]


def _search(request, data) -> MemberSearchForm:
    return MemberSearchForm(data, organisation=request.organisation)


@privileged(permissions.can_manage_organisation)
def member_list(request, org_slug):
    search = _search(request, request.GET or None)
    members = selectors.member_list(request.organisation, **search.filters())
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/member_list.html",
        {
            "search": search,
            "page": page,
            "query": query_without_page(request),
            "bulk": MemberBulkForm(initial={"back": request.GET.urlencode()}),
        },
        status=400 if search.errors else 200,
    )


def _back_to_list(request, back: str) -> str:
    """The staff list with the filters the admin came from: only the known filter names
    are kept, so the hidden field cannot carry anything else along."""
    url = reverse("organisations:member_list", args=[request.organisation.slug])
    kept = QueryDict(mutable=True)
    for name, value in QueryDict(back[:BACK_MAX]).items():
        if name in FILTER_NAMES:
            kept[name] = value[:100]
    return f"{url}?{kept.urlencode()}" if kept else url


def _confirm_page(request, form, changes, *, error=None):
    return render(
        request,
        "organisations/member_bulk_confirm.html",
        {
            "form": form,
            "changes": changes,
            "action": staff_services.ACTIONS.get(form.cleaned_data.get("action")),
            "is_role_change": form.cleaned_data["action"].startswith(staff_services.ROLE_PREFIX),
            "error": error,
            "back": _back_to_list(request, form.cleaned_data.get("back", "")),
        },
        status=400 if error else 200,
    )


@privileged(permissions.can_manage_organisation)
@require_POST
def member_bulk(request, org_slug):
    """Step one shows what would change; step two (`confirm`) changes it, all or nothing."""
    form = MemberBulkForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect(_back_to_list(request, request.POST.get("back", "")))
    data = form.cleaned_data
    if not data["confirm"]:
        chosen = staff_services.members_for_change(request.organisation, data["member"])
        changes = staff_services.members_plan(chosen, action=data["action"])
        return _confirm_page(request, form, changes)
    try:
        changes = staff_services.members_change(
            by=request.membership, membership_ids=data["member"], action=data["action"]
        )
    except ValidationError as exc:
        chosen = staff_services.members_for_change(request.organisation, data["member"])
        changes = staff_services.members_plan(chosen, action=data["action"])
        return _confirm_page(request, form, changes, error=" ".join(exc.messages))
    count = len(changes)
    messages.success(request, f"Changed {count} {'person' if count == 1 else 'people'}.")
    return redirect(_back_to_list(request, data["back"]))


def _export_rows(organisation, filters):
    """Runs while the response streams, after the view and its request transaction have
    returned: so it opens its own transaction and scope (the database's row-level
    security sees no organisation otherwise) and reads through a server-side cursor."""
    with transaction.atomic(), tenant_scope(organisation):
        members = selectors.member_list(organisation, **filters)
        for member in members.iterator(chunk_size=2000):
            yield [
                member.user.email,
                member.user.name,
                member.get_role_display(),
                member.get_profession_display(),
                member.home_ward.name if member.home_ward else "",
                "yes" if member.is_active else "no",
                timezone.localdate(member.created_at).isoformat(),
            ]


@privileged(permissions.can_manage_organisation)
def member_export(request, org_slug):
    """The filtered staff list as CSV, streamed: 30,000 rows never sit in memory at once."""
    search = _search(request, request.GET or None)
    if search.errors:
        # Never the whole staff list in place of a filtered one.
        return member_list(request, org_slug)
    filters = search.filters()
    staff_services.staff_list_exported(by=request.membership, filters=filters)
    filename = f"staff-{request.organisation.slug}-{timezone.localdate().isoformat()}.csv"
    rows = _export_rows(request.organisation, filters)
    return csv_streaming_response(filename, EXPORT_HEADER, rows)
