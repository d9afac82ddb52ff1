import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from audit.selectors import audit_trail
from charts import spc
from charts import svg as charts
from ideas.models import Idea
from improvewell.forms import add_service_errors as _errors_into
from improvewell.forms import posted as _posted
from improvewell.validators import is_measure_value
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


def project_detail(request, org_slug, project_id):
    project = _project(request, project_id)
    context = {"project": project, **_editing(request, project), **selectors.project_page(project)}
    if context["can_edit"]:
        context["audit"] = audit_trail(project=project)
        context["node_form"] = DriverNodeForm(project=project)
        context["update_form"] = ProjectUpdateForm()
    return render(request, "projects/project_detail.html", context)


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
    context = {"project": project, "can_edit": True, **selectors.project_page(project)}
    context.update(
        audit=audit_trail(project=project),
        node_form=DriverNodeForm(project=project),
        update_form=form,
    )
    return render(request, "projects/project_detail.html", context, status=400)


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
    context = {
        "project": project,
        "can_edit": True,
        "node_form": form,
        **selectors.project_page(project),
    }
    context["audit"] = audit_trail(project=project)
    return render(request, "projects/project_detail.html", context, status=400)


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
                parsed = parse_pasted_points(paste_form.cleaned_data["data"])
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
