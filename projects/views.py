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
from projects import driver_services, selectors, services
from projects.forms import (
    DriverNodeEditForm,
    DriverNodeForm,
    PDSAForm,
    ProjectForm,
    ProjectUpdateForm,
)
from projects.models import DriverNode, PDSACycle, Project, Stage

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


def project_or_404(request, project_id) -> Project:
    return get_object_or_404(
        Project.objects.select_related("team"), organisation=request.organisation, pk=project_id
    )


def editable_project_or_403(request, project_id) -> Project:
    """The project, for a page marked `privileged(can_work_on_projects)`."""
    project = project_or_404(request, project_id)
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
    return _project_page(request, project_or_404(request, project_id))


@privileged(permissions.can_work_on_projects)
@require_POST
def project_update_post(request, org_slug, project_id):
    project = editable_project_or_403(request, project_id)
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
    project = editable_project_or_403(request, project_id)
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
    project = editable_project_or_403(request, project_id)
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
def driver_edit(request, org_slug, project_id, node_id):
    """Change a box of the driver diagram: in place with htmx, else on a page of its own."""
    project = editable_project_or_403(request, project_id)
    node = get_object_or_404(
        DriverNode.objects.select_related("idea"),
        organisation=request.organisation,
        project=project,
        pk=node_id,
    )
    node.project = project
    box = {"project": project, "node": node, "can_edit": True}
    if request.htmx and request.GET.get("cancel"):
        return render(request, "projects/_driver_box.html", box)
    form = DriverNodeEditForm(_posted(request), node=node)
    if request.method == "POST" and form.is_valid():
        try:
            node = driver_services.driver_node_update(
                member=request.membership, node=node, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            if request.htmx:
                return render(
                    request, "projects/_driver_box.html", {**box, "node": node, "saved": True}
                )
            messages.success(request, "The driver diagram has been saved.")
            return redirect(
                reverse("projects:project_detail", args=[org_slug, project.pk])
                + f"#driver-{node.pk}"
            )
    if request.htmx:
        form.fields["text"].widget.attrs["autofocus"] = True  # htmx focuses it once swapped in
        # htmx swaps only 2xx answers by default, so the form and its errors come as 200.
        return render(request, "projects/_driver_box_form.html", {**box, "form": form})
    return render(
        request,
        "projects/driver_edit.html",
        {**box, "form": form},
        status=400 if form.errors else 200,
    )


@privileged(permissions.can_work_on_projects)
@require_http_methods(["GET", "POST"])
def driver_remove(request, org_slug, project_id, node_id):
    project = editable_project_or_403(request, project_id)
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
def pdsa_edit(request, org_slug, project_id, cycle_id=None):
    project = editable_project_or_403(request, project_id)
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
