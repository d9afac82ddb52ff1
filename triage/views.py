from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from audit.selectors import audit_trail
from ideas.models import Idea
from ideas.selectors import idea_for_member
from ideas.similarity import similar_ideas
from improvewell.forms import add_service_errors
from improvewell.http import safe_next
from organisations import permissions
from organisations.permissions import privileged
from projects import services as project_services
from projects.forms import (
    LinkIdeaForm,
)
from triage import selectors, services
from triage.filters import InboxFilterSet
from triage.forms import AssignTeamForm, BulkTriageForm, MergeForm, StatusForm
from triage.inbox import inbox_page


@privileged(permissions.can_triage)
def inbox(request, org_slug):
    return inbox_page(request)


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
    """Change status from the inbox (htmx swaps the item in place) or the triage page.

    A refusal (a move the workflow does not allow, no reason for not taking it forward)
    is shown beside the field: in the item for htmx (answered 200, as htmx swaps only
    successful answers), else on the idea's triage page with its error summary (400).
    """
    member = request.membership
    idea = _idea_or_404(request, idea_id)
    form = StatusForm(request.POST, idea=idea)
    query = _carried_query(request.POST.get("query", ""))
    following = None
    if request.POST.get("then") == "next":  # where the queue went before this idea moved
        following = selectors.next_in_inbox(member, _filters_of(request, query).qs, idea)
    if form.is_valid():
        try:
            services.idea_triage_status(
                member=member,
                idea=idea,
                to_status=form.cleaned_data["to_status"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    if request.htmx:
        item = selectors.inbox_item(member, idea)
        return render(
            request,
            "triage/_inbox_item.html",
            {
                "idea": item,
                "status_form": form if form.errors else StatusForm(idea=item),
                "saved": not form.errors,
                "back": safe_next(request, ""),
            },
        )
    if form.errors:
        return _triage_page(request, idea, query=query, status_form=form)
    idea = selectors.inbox_item(member, idea)
    messages.success(request, f"“{idea.title}” is now {idea.get_status_display().lower()}.")
    if request.POST.get("then") == "next":
        return _to_next(org_slug, following, query)
    return redirect(safe_next(request, reverse("triage:inbox", kwargs={"org_slug": org_slug})))


def _carried_query(query: str) -> str:
    """The inbox's filters carried through a triage page, re-encoded: only parameters."""
    return QueryDict(query[:2000]).urlencode()


def _filters_of(request, query: str):
    return InboxFilterSet(QueryDict(query) or None, request=request)


def _to_next(org_slug, following, query):
    if following is None:
        return redirect(reverse("triage:inbox", kwargs={"org_slug": org_slug}) + _q(query))
    url = reverse("triage:idea_triage", kwargs={"org_slug": org_slug, "idea_id": following})
    return redirect(url + _q(query))


def _q(query: str) -> str:
    return f"?{query}" if query else ""


@privileged(permissions.can_triage)
@require_http_methods(["GET", "POST"])
def idea_triage(request, org_slug, idea_id):
    """Everything a triager does to one idea: status, team, duplicate, project, audit trail."""
    member = request.membership
    idea = _idea_or_404(request, idea_id)
    if request.htmx and request.method == "GET" and "find" in request.GET:
        return _merge_candidates(request, idea)
    if request.method == "POST":
        query = _carried_query(request.POST.get("query", ""))
    else:  # the inbox's filters, less the merge picker's search
        query = _carried_query(request.GET.copy().urlencode())
        query = "&".join(p for p in query.split("&") if p and not p.startswith("find="))
    forms = {}
    action = request.POST.get("action")
    if request.method == "POST":
        done = None
        try:
            if action == "assign":
                forms["assign"] = AssignTeamForm(request.POST, organisation=request.organisation)
                if forms["assign"].is_valid():
                    team = forms["assign"].cleaned_data["team"]
                    services.idea_assign_team(member=member, idea=idea, team=team)
                    done = "The team has been saved."
            elif action == "merge":
                forms["merge"] = MergeForm(request.POST)
                if forms["merge"].is_valid():
                    data = forms["merge"].cleaned_data
                    into = Idea.objects.filter(
                        organisation=request.organisation, pk=data["into"]
                    ).first()
                    services.idea_merge(
                        member=member, idea=idea, into=into, message=data["message"]
                    )
                    done = "Merged: the person who shared it has been told."
            elif action == "link":
                forms["link"] = LinkIdeaForm(request.POST, member=member)
                if forms["link"].is_valid():
                    project = forms["link"].cleaned_data["project"]
                    project_services.project_link_idea(member=member, project=project, idea=idea)
                    done = f"Linked to “{project.title}”."
        except ValidationError as exc:
            add_service_errors(forms.get(action) or forms.setdefault("merge", MergeForm()), exc)
        if done:
            messages.success(request, done)
            url = reverse("triage:idea_triage", kwargs={"org_slug": org_slug, "idea_id": idea.pk})
            return redirect(url + _q(query))
    return _triage_page(request, idea, query=query, **forms)


# Long: one context, every form of the page, each bound or fresh.
def _triage_page(request, idea, *, query, status_form=None, assign=None, merge=None, link=None):
    member = request.membership
    filters = _filters_of(request, query)
    find = request.GET.get("find", "").strip()[:200] if request.method == "GET" else ""
    idea = selectors.inbox_item(member, idea)
    forms = {
        "status_form": status_form or StatusForm(idea=idea),
        "assign": assign
        or AssignTeamForm(organisation=request.organisation, initial={"team": idea.team_id}),
        "merge": merge or MergeForm(),
        "link": link or LinkIdeaForm(member=member),
    }
    failed = any(form.is_bound and form.errors for form in forms.values())
    return render(
        request,
        "triage/idea_triage.html",
        {
            "idea": idea,
            **forms,
            "failed": failed,
            "query": query,
            "next_idea": selectors.next_in_inbox(member, filters.qs, idea),
            "find": find,
            "candidates": _candidates(request.organisation, idea, find),
            "projects": idea.projects.all(),
            "audit": audit_trail(idea=idea),
        },
        status=400 if failed else 200,
    )


def _candidates(organisation, idea, find: str):
    """The originals offered for a merge: the search's answer, else the likely duplicates."""
    return similar_ideas(organisation, find or idea.title, exclude_id=idea.pk, limit=8)


def _merge_candidates(request, idea):
    """The merge picker's search for htmx: the same answer as the page's, in a fragment."""
    find = request.GET.get("find", "").strip()[:200]
    return render(
        request,
        "triage/_merge_candidates.html",
        {"idea": idea, "find": find, "candidates": _candidates(request.organisation, idea, find)},
    )
