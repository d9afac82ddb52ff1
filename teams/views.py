from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ideas.models import Idea
from ideas.selectors import idea_for_member
from improvewell.http import safe_next
from improvewell.validators import is_measure_value
from organisations import permissions
from organisations.permissions import privileged
from users.mfa import needs_mfa_setup

from . import charts, selectors, services, spc
from .forms import (
    AssignTeamForm,
    BulkTriageForm,
    DriverNodeForm,
    InboxFilterForm,
    LinkIdeaForm,
    MeasureForm,
    MergeForm,
    PasteForm,
    PDSAForm,
    PointForm,
    ProjectForm,
    ProjectUpdateForm,
    StatusForm,
    TeamForm,
)
from .models import DriverNode, Measure, MeasurePoint, PDSACycle, Project, Stage, Team

PER_PAGE = 25


def _errors_into(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _posted(request):
    return request.POST if request.method == "POST" else None


# Teams --------------------------------------------------------------------------------


def team_list(request, org_slug):
    return render(
        request,
        "teams/team_list.html",
        {
            "teams": selectors.teams_with_counts(request.organisation),
            "can_manage": permissions.can_manage_teams(request.membership),
        },
    )


def team_detail(request, org_slug, team_id):
    team = get_object_or_404(Team, organisation=request.organisation, pk=team_id)
    return render(
        request,
        "teams/team_detail.html",
        {
            "team": team,
            "groups": selectors.members_by_staff_group(team),
            "wards": team.wards.select_related("site"),
            "projects": team.projects.all(),
            "can_manage": permissions.can_manage_teams(request.membership),
        },
    )


@privileged(permissions.can_manage_teams)
@require_http_methods(["GET", "POST"])
def team_edit(request, org_slug, team_id=None):
    team = None
    if team_id is not None:
        team = get_object_or_404(Team, organisation=request.organisation, pk=team_id)
        form = TeamForm.for_team(team, _posted(request))
    else:
        form = TeamForm(_posted(request), organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_save(
                member=request.membership,
                team=team,
                name=form.cleaned_data["name"],
                purpose=form.cleaned_data["purpose"],
                wards=list(form.cleaned_data["wards"]),
                members=form.cleaned_data["member_emails"],
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, f"The team “{team.name}” has been saved.")
            return redirect("teams:team_detail", org_slug=org_slug, team_id=team.pk)
    return render(
        request,
        "teams/team_edit.html",
        {"form": form, "team": team},
        status=400 if form.errors else 200,
    )


# Triage -------------------------------------------------------------------------------


@privileged(permissions.can_triage)
def inbox(request, org_slug):
    member = request.membership
    filters = InboxFilterForm(request.GET or None, organisation=request.organisation)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    ideas = selectors.triage_inbox(
        member,
        status=chosen.get("status", ""),
        ward=chosen.get("ward"),
        site=chosen.get("site"),
        category=chosen.get("category"),
        kind=chosen.get("kind", ""),
        team=chosen.get("team"),
        overdue=chosen.get("overdue", False),
    )
    page = Paginator(ideas, PER_PAGE).get_page(request.GET.get("page"))
    for idea in page.object_list:
        idea.status_form = StatusForm(idea=idea)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "teams/inbox.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "bulk": BulkTriageForm(organisation=request.organisation, member=member),
            "overdue_since": selectors.overdue_since(request.organisation),
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
    return redirect(reverse("teams:inbox", kwargs={"org_slug": org_slug}) + _back_query(request))


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
    idea.refresh_from_db()
    if request.htmx:
        return render(
            request,
            "teams/_inbox_item.html",
            {
                "idea": idea,
                "status_form": form if error else StatusForm(idea=idea),
                "error": error,
                "saved": not error,
                "overdue_since": selectors.overdue_since(request.organisation),
            },
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"“{idea.title}” is now {idea.get_status_display().lower()}.")
    return redirect(safe_next(request, reverse("teams:inbox", kwargs={"org_slug": org_slug})))


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
                    return redirect("teams:idea_triage", org_slug=org_slug, idea_id=idea.pk)
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
                    return redirect("teams:idea_triage", org_slug=org_slug, idea_id=idea.pk)
            elif action == "link":
                link = LinkIdeaForm(request.POST, member=member)
                if link.is_valid():
                    project = link.cleaned_data["project"]
                    services.project_link_idea(member=member, project=project, idea=idea)
                    messages.success(request, f"Linked to “{project.title}”.")
                    return redirect("teams:idea_triage", org_slug=org_slug, idea_id=idea.pk)
        except ValidationError as exc:
            _errors_into({"assign": assign, "merge": merge, "link": link}.get(action, merge), exc)
        status = 400
    return render(
        request,
        "teams/idea_triage.html",
        {
            "idea": idea,
            "status_form": StatusForm(idea=idea),
            "assign": assign,
            "merge": merge,
            "link": link,
            "projects": idea.projects.all(),
            "audit": selectors.audit_trail(idea=idea),
        },
        status=status,
    )


# Projects -----------------------------------------------------------------------------


def project_list(request, org_slug):
    stage = request.GET.get("stage", "")
    projects = selectors.project_list(
        request.organisation, stage=stage if stage in Stage.values else ""
    )
    page = Paginator(projects, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "teams/project_list.html",
        {
            "page": page,
            "stages": Stage.choices,
            "stage": stage,
            "can_start_project": permissions.can_work_on_projects(request.membership),
            "query": f"stage={stage}" if stage else "",
        },
    )


def _project(request, project_id) -> Project:
    return get_object_or_404(
        Project.objects.select_related("team"), organisation=request.organisation, pk=project_id
    )


def _editable_project(request, project_id) -> Project:
    """The project, for a page marked `privileged(can_work_on_projects)`."""
    project = _project(request, project_id)
    if not permissions.can_edit_project(request.membership, project):
        raise PermissionDenied("Only the project team's members can change it.")
    return project


def _editing(request, project) -> dict:
    """Whether the project page offers its edit forms and audit trail.

    A QI lead or admin who has not set up two-factor authentication reads the page
    as staff do, with a link to set it up.
    """
    may = permissions.can_edit_project(request.membership, project)
    pending = may and needs_mfa_setup(request.user, membership=request.membership)
    return {"can_edit": may and not pending, "edit_needs_two_factor": pending}


@privileged(permissions.can_work_on_projects)
@require_http_methods(["GET", "POST"])
def project_create(request, org_slug):
    member = request.membership
    if request.method == "POST":
        # Every idea posted goes to the service, which refuses those not triaged by the member.
        ideas = Idea.objects.filter(organisation=request.organisation)
        idea_ids = request.POST.getlist("ideas")
    else:
        ideas = permissions.triageable_ideas(
            member, Idea.objects.filter(organisation=request.organisation)
        )
        idea_ids = request.GET.getlist("ideas")
    ideas = list(ideas.filter(pk__in=_uuids(idea_ids)))
    initial = {"title": ideas[0].title if len(ideas) == 1 else ""}
    form = ProjectForm(_posted(request), member=member, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.project_create(
                member=member,
                title=data["title"],
                aim=data["aim"],
                team=data["team"],
                wards=list(data["wards"]),
                ideas=ideas,
                start_date=data["start_date"],
                target_date=data["target_date"],
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "The project has been created.")
            return redirect("teams:project_detail", org_slug=org_slug, project_id=project.pk)
    return render(
        request,
        "teams/project_form.html",
        {"form": form, "ideas": ideas, "project": None},
        status=400 if form.errors else 200,
    )


def _uuids(values):
    import uuid

    found = []
    for value in values[:50]:
        try:
            found.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


def project_detail(request, org_slug, project_id):
    project = _project(request, project_id)
    context = {"project": project, **_editing(request, project), **selectors.project_page(project)}
    if context["can_edit"]:
        context["audit"] = selectors.audit_trail(project=project)
        context["node_form"] = DriverNodeForm(project=project)
        context["update_form"] = ProjectUpdateForm()
    return render(request, "teams/project_detail.html", context)


@privileged(permissions.can_work_on_projects)
@require_POST
def project_update_post(request, org_slug, project_id):
    project = _editable_project(request, project_id)
    form = ProjectUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.project_post_update(
                member=request.membership, project=project, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "Your update has been posted.")
            return redirect(
                reverse("teams:project_detail", args=[org_slug, project.pk]) + "#updates"
            )
    context = {"project": project, "can_edit": True, **selectors.project_page(project)}
    context.update(
        audit=selectors.audit_trail(project=project),
        node_form=DriverNodeForm(project=project),
        update_form=form,
    )
    return render(request, "teams/project_detail.html", context, status=400)


@privileged(permissions.can_work_on_projects)
@require_http_methods(["GET", "POST"])
def project_edit(request, org_slug, project_id):
    project = _editable_project(request, project_id)
    form = ProjectForm.for_project(project, _posted(request), member=request.membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.project_update(
                member=request.membership,
                project=project,
                title=data["title"],
                aim=data["aim"],
                stage=data["stage"],
                team=data["team"],
                wards=list(data["wards"]),
                start_date=data["start_date"],
                target_date=data["target_date"],
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "The project has been saved.")
            return redirect("teams:project_detail", org_slug=org_slug, project_id=project.pk)
    return render(
        request,
        "teams/project_form.html",
        {"form": form, "project": project, "ideas": []},
        status=400 if form.errors else 200,
    )


@privileged(permissions.can_work_on_projects)
@require_POST
def driver_add(request, org_slug, project_id):
    project = _editable_project(request, project_id)
    form = DriverNodeForm(request.POST, project=project)
    if form.is_valid():
        try:
            services.driver_node_add(
                member=request.membership, project=project, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "Added to the driver diagram.")
            return redirect(
                reverse("teams:project_detail", args=[org_slug, project.pk]) + "#drivers"
            )
    context = {
        "project": project,
        "can_edit": True,
        "node_form": form,
        **selectors.project_page(project),
    }
    context["audit"] = selectors.audit_trail(project=project)
    return render(request, "teams/project_detail.html", context, status=400)


@privileged(permissions.can_work_on_projects)
@require_http_methods(["GET", "POST"])
def driver_remove(request, org_slug, project_id, node_id):
    project = _editable_project(request, project_id)
    node = get_object_or_404(
        DriverNode, organisation=request.organisation, project=project, pk=node_id
    )
    if request.method == "POST":
        services.driver_node_remove(member=request.membership, node=node)
        messages.success(request, "Removed from the driver diagram.")
        return redirect(reverse("teams:project_detail", args=[org_slug, project.pk]) + "#drivers")
    return render(request, "teams/driver_remove.html", {"project": project, "node": node})


@privileged(permissions.can_work_on_projects)
@require_http_methods(["GET", "POST"])
def measure_edit(request, org_slug, project_id, measure_id=None):
    project = _editable_project(request, project_id)
    measure = None
    if measure_id is not None:
        measure = get_object_or_404(
            Measure, organisation=request.organisation, project=project, pk=measure_id
        )
    form = MeasureForm(_posted(request), instance=measure)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in MeasureForm.Meta.fields}
        measure = services.measure_save(
            member=request.membership, project=project, measure=measure, **fields
        )
        messages.success(request, f"The measure “{measure.name}” has been saved.")
        return redirect(
            "teams:measure_detail", org_slug=org_slug, project_id=project.pk, measure_id=measure.pk
        )
    return render(
        request,
        "teams/measure_form.html",
        {"form": form, "project": project, "measure": measure},
        status=400 if form.errors else 200,
    )


# Everyone reads a measure; adding data to it is privileged.
@privileged(permissions.can_work_on_projects, methods=["POST"])
def measure_detail(request, org_slug, project_id, measure_id):
    project = _project(request, project_id)
    measure = get_object_or_404(
        Measure, organisation=request.organisation, project=project, pk=measure_id
    )
    editing = _editing(request, project)
    point_form, paste_form, paste_errors = PointForm(), PasteForm(), []
    status = 200
    if request.method == "POST":
        if not editing["can_edit"]:
            raise PermissionDenied("Only the project team's members can add data.")
        if request.POST.get("action") == "paste":
            paste_form = PasteForm(request.POST)
            if paste_form.is_valid():
                parsed = services.parse_pasted_points(paste_form.cleaned_data["data"])
                paste_errors = parsed.errors
                if not parsed.errors:
                    try:
                        count = services.measure_points_add(
                            member=request.membership, measure=measure, points=parsed.points
                        )
                    except ValidationError as exc:
                        paste_errors = exc.messages
                    else:
                        messages.success(
                            request, f"Added {count} data point{'s' if count != 1 else ''}."
                        )
                        return redirect(request.path)
                if paste_errors:
                    paste_form.add_error(
                        "data", "Nothing was saved: correct the lines listed and paste again."
                    )
        else:
            point_form = PointForm(request.POST)
            if point_form.is_valid():
                try:
                    services.measure_points_add(
                        member=request.membership,
                        measure=measure,
                        points=[
                            (point_form.cleaned_data["date"], point_form.cleaned_data["value"])
                        ],
                    )
                except ValidationError as exc:
                    point_form.add_error("date", exc.messages[0])
                else:
                    messages.success(request, "The data point has been added.")
                    return redirect(request.path)
        status = 400
    stored = list(MeasurePoint.objects.filter(measure=measure).values_list("date", "value"))
    # Rows saved before values were bounded stay listed (so they can be removed) but are
    # left out of the charts, whose sums and scales they would overflow.
    points = [(day, value) for day, value in stored if is_measure_value(value)]
    target = measure.target if measure.target is None or is_measure_value(measure.target) else None
    annotations = [
        (cycle.start_date, f"PDSA {cycle.number}")
        for cycle in PDSACycle.objects.filter(project=project)
    ]
    values = [v for _, v in points]
    run = spc.run_chart(values)
    context = {
        "project": project,
        "measure": measure,
        "points": MeasurePoint.objects.filter(measure=measure),
        "run": run,
        "run_chart": charts.run_chart_svg_context(
            points, run, title=measure.name, unit=measure.unit, annotations=annotations
        )
        if points
        else None,
        **editing,
        "point_form": point_form,
        "paste_form": paste_form,
        "paste_errors": paste_errors,
        "left_out": len(stored) - len(points),
    }
    if len(points) >= 12:
        xmr = spc.xmr_chart(values, improvement=measure.direction, target=target)
        context["xmr"] = xmr
        context["xmr_chart"] = charts.xmr_chart_svg_context(
            points, xmr, title=measure.name, unit=measure.unit, annotations=annotations
        )
    return render(request, "teams/measure_detail.html", context, status=status)


@privileged(permissions.can_work_on_projects)
@require_http_methods(["GET", "POST"])
def point_remove(request, org_slug, project_id, measure_id, point_id):
    project = _editable_project(request, project_id)
    point = get_object_or_404(
        MeasurePoint.objects.select_related("measure"),
        organisation=request.organisation,
        measure__project=project,
        measure_id=measure_id,
        pk=point_id,
    )
    if request.method == "POST":
        services.measure_point_remove(member=request.membership, point=point)
        messages.success(request, "The data point has been removed.")
        return redirect(
            "teams:measure_detail", org_slug=org_slug, project_id=project.pk, measure_id=measure_id
        )
    return render(request, "teams/point_remove.html", {"project": project, "point": point})


@privileged(permissions.can_work_on_projects)
@require_http_methods(["GET", "POST"])
def pdsa_edit(request, org_slug, project_id, cycle_id=None):
    project = _editable_project(request, project_id)
    cycle = None
    if cycle_id is not None:
        cycle = get_object_or_404(
            PDSACycle, organisation=request.organisation, project=project, pk=cycle_id
        )
    form = PDSAForm(_posted(request), instance=cycle)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in PDSAForm.Meta.fields}
        try:
            cycle = services.pdsa_save(
                member=request.membership, project=project, cycle=cycle, **fields
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, f"PDSA cycle {cycle.number} has been saved.")
            return redirect(reverse("teams:project_detail", args=[org_slug, project.pk]) + "#pdsa")
    return render(
        request,
        "teams/pdsa_form.html",
        {"form": form, "project": project, "cycle": cycle},
        status=400 if form.errors else 200,
    )
