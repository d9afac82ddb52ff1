from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from audit.selectors import audit_trail
from ideas.models import Idea
from ideas.selectors import idea_for_member
from improvewell.forms import add_service_errors
from improvewell.http import query_without_page, safe_next
from improvewell.pagination import BoundedPaginator
from organisations import permissions
from organisations.permissions import privileged
from projects import services as project_services
from projects.forms import (
    LinkIdeaForm,
)
from triage import selectors, services
from triage.filters import InboxFilterSet
from triage.forms import AssignTeamForm, BulkTriageForm, MergeForm, StatusForm

PER_PAGE = 25


@privileged(permissions.can_triage)
def inbox(request, org_slug):
    member = request.membership
    filters = InboxFilterSet(request.GET or None, request=request)
    ideas = selectors.triage_inbox(member, filters.qs)
    page = BoundedPaginator(ideas, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "triage/inbox.html",
        {
            "filters": filters.form_html(),
            "page": page,
            "query": query_without_page(request),
            "row_status_form": StatusForm.for_every_row(),
            "bulk": BulkTriageForm(organisation=request.organisation, member=member),
        },
    )


@privileged(permissions.can_triage)
@require_POST
def inbox_bulk(request, org_slug):
    form = BulkTriageForm(
        request.POST, organisation=request.organisation, member=request.membership
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            count = services.ideas_bulk_triage(
                member=request.membership,
                ideas=list(data["ideas"]),
                team=data["team"] if data["action"] == "assign" else None,
                review=data["action"] == "review",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Updated {count} idea{'s' if count != 1 else ''}.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(reverse("triage:inbox", kwargs={"org_slug": org_slug}) + _back_query(request))


def _back_query(request):
    query = request.POST.get("query", "")
    return f"?{query}" if query and "\n" not in query else ""


def _idea_or_404(request, idea_id) -> Idea:
    idea = idea_for_member(request.membership, idea_id)
    if idea is None:
        raise Http404("No such idea.")
    if not permissions.can_triage_idea(request.membership, idea):
        raise PermissionDenied("This idea belongs to another team's triage.")
    return idea


@privileged(permissions.can_triage)
@require_POST
def idea_status(request, org_slug, idea_id):
    """Change status from the inbox (htmx swaps the item in place) or the triage page."""
    idea = _idea_or_404(request, idea_id)
    form = StatusForm(request.POST, idea=idea)
    error = None
    if form.is_valid():
        try:
            services.idea_triage_status(
                member=request.membership,
                idea=idea,
                to_status=form.cleaned_data["to_status"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    idea = selectors.inbox_item(request.membership, idea)
    if request.htmx:
        return render(
            request,
            "triage/_inbox_item.html",
            {
                "idea": idea,
                "status_form": form if error else StatusForm(idea=idea),
                "error": error,
                "saved": not error,
            },
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"“{idea.title}” is now {idea.get_status_display().lower()}.")
    return redirect(safe_next(request, reverse("triage:inbox", kwargs={"org_slug": org_slug})))


@privileged(permissions.can_triage)
@require_http_methods(["GET", "POST"])
def idea_triage(request, org_slug, idea_id):
    """Everything a triager does to one idea: status, team, duplicate, project, audit trail."""
    member = request.membership
    idea = _idea_or_404(request, idea_id)
    assign = AssignTeamForm(organisation=request.organisation, initial={"team": idea.team_id})
    merge = MergeForm()
    link = LinkIdeaForm(member=member)
    action = request.POST.get("action")
    status = 200
    if request.method == "POST":
        try:
            if action == "assign":
                assign = AssignTeamForm(request.POST, organisation=request.organisation)
                if assign.is_valid():
                    services.idea_assign_team(
                        member=member, idea=idea, team=assign.cleaned_data["team"]
                    )
                    messages.success(request, "The team has been saved.")
                    return redirect("triage:idea_triage", org_slug=org_slug, idea_id=idea.pk)
            elif action == "merge":
                merge = MergeForm(request.POST)
                if merge.is_valid():
                    into = Idea.objects.filter(
                        organisation=request.organisation, pk=merge.cleaned_data["into"]
                    ).first()
                    services.idea_merge(
                        member=member, idea=idea, into=into, message=merge.cleaned_data["message"]
                    )
                    messages.success(request, "Merged: the person who shared it has been told.")
                    return redirect("triage:idea_triage", org_slug=org_slug, idea_id=idea.pk)
            elif action == "link":
                link = LinkIdeaForm(request.POST, member=member)
                if link.is_valid():
                    project = link.cleaned_data["project"]
                    project_services.project_link_idea(member=member, project=project, idea=idea)
                    messages.success(request, f"Linked to “{project.title}”.")
                    return redirect("triage:idea_triage", org_slug=org_slug, idea_id=idea.pk)
        except ValidationError as exc:
            add_service_errors(
                {"assign": assign, "merge": merge, "link": link}.get(action, merge), exc
            )
        status = 400
    return render(
        request,
        "triage/idea_triage.html",
        {
            "idea": idea,
            "status_form": StatusForm(idea=idea),
            "assign": assign,
            "merge": merge,
            "link": link,
            "projects": idea.projects.all(),
            "audit": audit_trail(idea=idea),
        },
        status=status,
    )
