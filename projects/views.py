import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ideas.models import Idea
from improvewell.forms import add_service_errors as _errors_into
from improvewell.forms import posted as _posted
from organisations import permissions
from organisations.mfa import needs_mfa_setup
from organisations.permissions import privileged
from projects import selectors, services
from projects.forms import (
    DriverNodeForm,
    MeasureForm,
    PasteForm,
    PDSAForm,
    PointForm,
    ProjectForm,
    ProjectUpdateForm,
)
from projects.models import DriverNode, Measure, MeasurePoint, PDSACycle, Project, Stage
from projects.paste import parse_pasted_points

PROJECTS_PER_PAGE = 25


def project_list(request, org_slug):
    stage = request.GET.get("stage", "")
    projects = selectors.project_list(
        request.organisation, stage=stage if stage in Stage.values else ""
    )
    page = Paginator(projects, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/project_list.html",
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
    form = ProjectForm(_posted(request), member=member, initial=ProjectForm.initial_from(ideas))
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
            return redirect("projects:project_detail", org_slug=org_slug, project_id=project.pk)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "ideas": ideas, "project": None},
        status=400 if form.errors else 200,
    )


def _uuids(values):
    found = []
    for value in values[:50]:
        try:
            found.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


def _project_page(request, project, *, node_form=None, update_form=None, status=200):
    """The project page, the same whether read or sent back with a form's errors."""
    editing = _editing(request, project)
    context = {**selectors.project_page(project, with_audit=editing["can_edit"]), **editing}
    if editing["can_edit"]:
        context["node_form"] = DriverNodeForm(project=project) if node_form is None else node_form
        context["update_form"] = ProjectUpdateForm() if update_form is None else update_form
    return render(request, "projects/project_detail.html", context, status=status)


def project_detail(request, org_slug, project_id):
    return _project_page(request, _project(request, project_id))


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
                reverse("projects:project_detail", args=[org_slug, project.pk]) + "#updates"
            )
    return _project_page(request, project, update_form=form, status=400)


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
            return redirect("projects:project_detail", org_slug=org_slug, project_id=project.pk)
    return render(
        request,
        "projects/project_form.html",
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
                reverse("projects:project_detail", args=[org_slug, project.pk]) + "#drivers"
            )
    return _project_page(request, project, node_form=form, status=400)


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
        return redirect(
            reverse("projects:project_detail", args=[org_slug, project.pk]) + "#drivers"
        )
    return render(request, "projects/driver_remove.html", {"project": project, "node": node})


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
            "projects:measure_detail",
            org_slug=org_slug,
            project_id=project.pk,
            measure_id=measure.pk,
        )
    return render(
        request,
        "projects/measure_form.html",
        {"form": form, "project": project, "measure": measure},
        status=400 if form.errors else 200,
    )


def _add_pasted_points(request, measure) -> dict | None:
    """Save every pasted line or none; None when saved, else the forms to show again."""
    form, errors = PasteForm(request.POST), []
    if form.is_valid():
        parsed = parse_pasted_points(form.cleaned_data["data"])
        errors = parsed.errors
        if not errors:
            try:
                count = services.measure_points_add(
                    member=request.membership, measure=measure, points=parsed.points
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, f"Added {count} data point{'s' if count != 1 else ''}.")
                return None
        if errors:
            form.add_error("data", "Nothing was saved: correct the lines listed and paste again.")
    return {"paste_form": form, "paste_errors": errors}


def _add_point(request, measure) -> dict | None:
    """Save one point; None when saved, else the form to show again."""
    form = PointForm(request.POST)
    if form.is_valid():
        point = (form.cleaned_data["date"], form.cleaned_data["value"])
        try:
            services.measure_points_add(member=request.membership, measure=measure, points=[point])
        except ValidationError as exc:
            form.add_error("date", exc.messages[0])
        else:
            messages.success(request, "The data point has been added.")
            return None
    return {"point_form": form}


# Everyone reads a measure; adding data to it is privileged.
@privileged(permissions.can_work_on_projects, methods=["POST"])
def measure_detail(request, org_slug, project_id, measure_id):
    project = _project(request, project_id)
    measure = get_object_or_404(
        Measure, organisation=request.organisation, project=project, pk=measure_id
    )
    editing = _editing(request, project)
    forms = {"point_form": PointForm(), "paste_form": PasteForm(), "paste_errors": []}
    if request.method == "POST":
        if not editing["can_edit"]:
            raise PermissionDenied("Only the project team's members can add data.")
        add = _add_pasted_points if request.POST.get("action") == "paste" else _add_point
        sent_back = add(request, measure)
        if sent_back is None:
            return redirect(request.path)
        forms.update(sent_back)
    context = {"project": project, **editing, **forms, **selectors.measure_page(measure)}
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/measure_detail.html", context, status=status)


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
            "projects:measure_detail",
            org_slug=org_slug,
            project_id=project.pk,
            measure_id=measure_id,
        )
    return render(request, "projects/point_remove.html", {"project": project, "point": point})


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
            return redirect(
                reverse("projects:project_detail", args=[org_slug, project.pk]) + "#pdsa"
            )
    return render(
        request,
        "projects/pdsa_form.html",
        {"form": form, "project": project, "cycle": cycle},
        status=400 if form.errors else 200,
    )
