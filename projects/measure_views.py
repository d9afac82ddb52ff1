"""A measure's pages: the measure and its charts, its data, change points and notes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from improvewell.forms import add_service_errors as _errors_into
from improvewell.forms import posted as _posted
from organisations import permissions
from organisations.permissions import privileged
from projects import chart_services, selectors, services
from projects.forms import ChangePointForm, MeasureForm, NoteForm, PasteForm, PointForm
from projects.models import ChangePoint, Measure, MeasurePoint
from projects.paste import parse_pasted_points
from projects.views import _editing, editable_project_or_403, project_or_404


def _measure(request, project, measure_id) -> Measure:
    return get_object_or_404(
        Measure, organisation=request.organisation, project=project, pk=measure_id
    )


def _measure_url(org_slug, project, measure_id, anchor=""):
    url = reverse("projects:measure_detail", args=[org_slug, project.pk, measure_id])
    return url + (f"#{anchor}" if anchor else "")


@privileged(permissions.can_work_on_projects)
@require_http_methods(["GET", "POST"])
def measure_edit(request, org_slug, project_id, measure_id=None):
    project = editable_project_or_403(request, project_id)
    measure = None if measure_id is None else _measure(request, project, measure_id)
    form = MeasureForm(_posted(request), instance=measure)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in MeasureForm.Meta.fields}
        try:
            measure = services.measure_save(
                member=request.membership, project=project, measure=measure, **fields
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, f"The measure “{measure.name}” has been saved.")
            return redirect(_measure_url(org_slug, project, measure.pk))
    return render(
        request,
        "projects/measure_form.html",
        {"form": form, "project": project, "measure": measure},
        status=400 if form.errors else 200,
    )


def _add_pasted_points(request, measure) -> dict | None:
    """Save every pasted line or none; None when saved, else the forms to show again."""
    form, errors = PasteForm(request.POST, measure=measure), []
    if form.is_valid():
        parsed = parse_pasted_points(form.cleaned_data["data"], kind=measure.kind)
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
    form = PointForm(request.POST, measure=measure)
    if form.is_valid():
        try:
            services.measure_points_add(
                member=request.membership, measure=measure, points=[form.numbers()]
            )
        except ValidationError as exc:
            form.add_error("date", exc.messages[0])
        else:
            messages.success(request, "The data point has been added.")
            return None
    return {"point_form": form}


# Everyone reads a measure; adding data to it is privileged.
@privileged(permissions.can_work_on_projects, methods=["POST"])
def measure_detail(request, org_slug, project_id, measure_id):
    project = project_or_404(request, project_id)
    measure = _measure(request, project, measure_id)
    editing = _editing(request, project)
    forms = {
        "point_form": PointForm(measure=measure),
        "paste_form": PasteForm(measure=measure),
        "paste_errors": [],
    }
    if request.method == "POST":
        if not editing["can_edit"]:
            raise PermissionDenied("Only the project team's members can add data.")
        add = _add_pasted_points if request.POST.get("action") == "paste" else _add_point
        sent_back = add(request, measure)
        if sent_back is None:
            return redirect(request.path)
        forms.update(sent_back)
    if editing["can_edit"]:
        forms["change_form"] = ChangePointForm(project=project)
    context = {"project": project, **editing, **forms, **selectors.measure_page(measure)}
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/measure_detail.html", context, status=status)


def _point(request, project, measure_id, point_id) -> MeasurePoint:
    return get_object_or_404(
        MeasurePoint.objects.select_related("measure"),
        organisation=request.organisation,
        measure__project=project,
        measure_id=measure_id,
        pk=point_id,
    )


@privileged(permissions.can_work_on_projects)
@require_http_methods(["GET", "POST"])
def point_remove(request, org_slug, project_id, measure_id, point_id):
    project = editable_project_or_403(request, project_id)
    point = _point(request, project, measure_id, point_id)
    if request.method == "POST":
        services.measure_point_remove(member=request.membership, point=point)
        messages.success(request, "The data point has been removed.")
        return redirect(_measure_url(org_slug, project, measure_id, "data"))
    return render(request, "projects/point_remove.html", {"project": project, "point": point})


@privileged(permissions.can_work_on_projects)
@require_http_methods(["GET", "POST"])
def point_note(request, org_slug, project_id, measure_id, point_id):
    """Add, change or remove the note on a data point."""
    project = editable_project_or_403(request, project_id)
    point = _point(request, project, measure_id, point_id)
    form = NoteForm(_posted(request), initial={"note": point.note})
    if request.method == "POST" and form.is_valid():
        try:
            saved = chart_services.point_note_set(
                member=request.membership, point=point, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            done = "saved" if saved.note else "removed"
            messages.success(
                request, f"The note on {point.date.day} {point.date:%B %Y} has been {done}."
            )
            return redirect(_measure_url(org_slug, project, measure_id, "data"))
    return render(
        request,
        "projects/point_note.html",
        {"form": form, "project": project, "point": point},
        status=400 if form.errors else 200,
    )


@privileged(permissions.can_work_on_projects)
@require_http_methods(["GET", "POST"])
def change_point_add(request, org_slug, project_id, measure_id):
    """Mark a change in the process: the limits are worked out again from its date."""
    project = editable_project_or_403(request, project_id)
    measure = _measure(request, project, measure_id)
    form = ChangePointForm(_posted(request), project=project)
    if request.method == "POST" and form.is_valid():
        try:
            chart_services.change_point_add(
                member=request.membership, measure=measure, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "The change has been marked: the limits start again there.")
            return redirect(_measure_url(org_slug, project, measure.pk, "phases"))
    return render(
        request,
        "projects/change_point_form.html",
        {"form": form, "project": project, "measure": measure},
        status=400 if form.errors else 200,
    )


@privileged(permissions.can_work_on_projects)
@require_http_methods(["GET", "POST"])
def change_point_remove(request, org_slug, project_id, measure_id, change_id):
    project = editable_project_or_403(request, project_id)
    change = get_object_or_404(
        ChangePoint.objects.select_related("measure"),
        organisation=request.organisation,
        measure__project=project,
        measure_id=measure_id,
        pk=change_id,
    )
    if request.method == "POST":
        chart_services.change_point_remove(member=request.membership, change=change)
        messages.success(request, "The change point has been removed.")
        return redirect(_measure_url(org_slug, project, measure_id, "phases"))
    return render(
        request, "projects/change_point_remove.html", {"project": project, "change": change}
    )
