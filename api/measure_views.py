"""A project's measures, their data points and its PDSA cycles over the API: thin views
on the web's forms (projects/forms.py), selectors and services, with the same rules for
who may read and change them as api/project_views.py."""

from django.db.models import Count
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from projects import selectors, services
from projects.forms import MeasureForm, PDSAForm, PointForm
from projects.measure_charts import chartable
from projects.models import Measure, MeasurePoint, PDSACycle

from . import project_serializers as out
from .project_views import ProjectEndpoint, form_data, patch_data
from .views import form_errors, json_object

MAX_POINTS = 1000  # as many as the web's paste box takes


def _measure(view, project, measure_id) -> Measure:
    measure = get_object_or_404(
        Measure, organisation=view.organisation, project=project, pk=measure_id
    )
    measure.project = project
    return measure


def _chart(measure, points, page) -> dict | None:
    """The SPC chart's lines and signals (charts.spc), as the measure's page works them out."""
    control = page.get("control")
    if control is None:
        return None
    rows = chartable(measure, points)
    signals = [
        {"date": row.date, "rules": sorted(rules)}
        for row, rules in zip(rows, control.per_point, strict=True)
        if rules
    ]
    return {
        "chart_type": control.chart_type,
        "enough_points": control.enough_points,
        "mean": control.mean,
        "upper_limit": control.upper_limit,
        "lower_limit": control.lower_limit,
        "variation": control.variation,
        "assurance": control.assurance,
        "signals": signals,
    }


class MeasureList(ProjectEndpoint):
    @extend_schema(operation_id="measures_list", responses=out.MeasureSerializer(many=True))
    def get(self, request, org, project_id):
        project = self.project(project_id)
        measures = Measure.objects.filter(project=project).annotate(point_count=Count("points"))
        return Response(out.MeasureSerializer(measures, many=True).data)

    @extend_schema(
        operation_id="measures_create",
        request=out.MeasureInputSerializer,
        responses={201: out.MeasureSerializer},
    )
    def post(self, request, org, project_id):
        project = self.editable_project(project_id)
        form = MeasureForm(form_data(json_object(request)))
        if not form.is_valid():
            raise form_errors(form)
        fields = {k: form.cleaned_data[k] for k in MeasureForm.Meta.fields}
        measure = services.measure_save(member=self.membership, project=project, **fields)
        measure.point_count = 0
        return Response(out.MeasureSerializer(measure).data, status=status.HTTP_201_CREATED)


class MeasureDetail(ProjectEndpoint):
    @extend_schema(operation_id="measures_retrieve", responses=out.MeasureDetailSerializer)
    def get(self, request, org, project_id, measure_id):
        """The measure, its data points and its SPC chart's limits and signals."""
        measure = _measure(self, self.project(project_id), measure_id)
        page = selectors.measure_page(measure)
        measure.point_count = len(page["points"])
        data = {
            **out.MeasureSerializer(measure).data,
            "points": out.PointSerializer(page["points"], many=True).data,
            "charted": page["charted"],
            "chart": _chart(measure, page["points"], page),
        }
        return Response(data)


def _point_tuples(measure, body: dict) -> list[tuple]:
    """One point ({"date", "value"}) or several ({"points": [...]}), each checked by the
    web's point form; errors name the point (points.2.value)."""
    many = "points" in body
    raw = body["points"] if many else [body]
    if not isinstance(raw, list) or not raw or len(raw) > MAX_POINTS:
        raise exceptions.ValidationError(
            {"points": [f"Send a list of 1 to {MAX_POINTS} data points."]}
        )
    points, errors = [], {}
    for n, item in enumerate(raw):
        if not isinstance(item, dict):
            errors[f"points.{n}"] = ["Send each point as an object."]
            continue
        form = PointForm(form_data(item), measure=measure)
        if not form.is_valid():
            for field, messages in form_errors(form).detail.items():
                errors[f"points.{n}.{field}" if many else field] = messages
            continue
        points.append(form.numbers())
    if errors:
        raise exceptions.ValidationError(errors)
    return points


class MeasurePoints(ProjectEndpoint):
    @extend_schema(
        operation_id="measures_points_create",
        request=out.PointsInputSerializer,
        responses={201: out.PointsAddedSerializer},
    )
    def post(self, request, org, project_id, measure_id):
        """Add one point or several, all or none: a date the measure has is an error."""
        measure = _measure(self, self.editable_project(project_id), measure_id)
        points = _point_tuples(measure, json_object(request))
        added = services.measure_points_add(member=self.membership, measure=measure, points=points)
        saved = MeasurePoint.objects.filter(measure=measure, date__in=[p[0] for p in points])
        data = {"added": added, "points": out.PointSerializer(saved, many=True).data}
        return Response(data, status=status.HTTP_201_CREATED)


class MeasurePointDetail(ProjectEndpoint):
    @extend_schema(operation_id="measures_points_destroy", request=None, responses={204: None})
    def delete(self, request, org, project_id, measure_id, point_id):
        project = self.editable_project(project_id)
        point = get_object_or_404(
            MeasurePoint.objects.select_related("measure"),
            organisation=self.organisation,
            measure__project=project,
            measure_id=measure_id,
            pk=point_id,
        )
        point.measure.project = project
        services.measure_point_remove(member=self.membership, point=point)
        return Response(status=status.HTTP_204_NO_CONTENT)


PDSA_FIELDS = PDSAForm.Meta.fields


def _cycle_fields(form) -> dict:
    return {k: form.cleaned_data[k] for k in PDSA_FIELDS}


class PDSAList(ProjectEndpoint):
    @extend_schema(operation_id="pdsa_list", responses=out.PDSASerializer(many=True))
    def get(self, request, org, project_id):
        cycles = PDSACycle.objects.filter(project=self.project(project_id))
        return Response(out.PDSASerializer(cycles, many=True).data)

    @extend_schema(
        operation_id="pdsa_create",
        request=out.PDSAInputSerializer,
        responses={201: out.PDSASerializer},
    )
    def post(self, request, org, project_id):
        project = self.editable_project(project_id)
        form = PDSAForm(form_data(json_object(request)))
        if not form.is_valid():
            raise form_errors(form)
        cycle = services.pdsa_save(member=self.membership, project=project, **_cycle_fields(form))
        return Response(out.PDSASerializer(cycle).data, status=status.HTTP_201_CREATED)


class PDSADetail(ProjectEndpoint):
    def _cycle(self, project, cycle_id) -> PDSACycle:
        return get_object_or_404(
            PDSACycle, organisation=self.organisation, project=project, pk=cycle_id
        )

    @extend_schema(operation_id="pdsa_retrieve", responses=out.PDSASerializer)
    def get(self, request, org, project_id, cycle_id):
        return Response(out.PDSASerializer(self._cycle(self.project(project_id), cycle_id)).data)

    @extend_schema(
        operation_id="pdsa_partial_update",
        request=out.PDSAPatchSerializer,
        responses=out.PDSASerializer,
    )
    def patch(self, request, org, project_id, cycle_id):
        project = self.editable_project(project_id)
        cycle = self._cycle(project, cycle_id)
        current = {k: getattr(cycle, k) for k in PDSA_FIELDS}
        body = patch_data(json_object(request), current, PDSA_FIELDS)
        form = PDSAForm(form_data(body), instance=cycle)
        if not form.is_valid():
            raise form_errors(form)
        cycle = services.pdsa_save(
            member=self.membership, project=project, cycle=cycle, **_cycle_fields(form)
        )
        return Response(out.PDSASerializer(cycle).data)
