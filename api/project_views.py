"""QI projects and their driver diagrams over the API: thin views on the web's own
forms (projects/forms.py), selectors and services (projects/services.py).

Who may do what is the web's: every member reads a project, as on its page; changes are
for those `can_work_on_projects` allows (privileged: a QI lead or admin needs two-factor
authentication, as for the edit pages), and then only on projects `can_edit_project`
allows (the web's `editable_project_or_403`; the services refuse the rest too, as 403).
"""

import uuid

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from ideas.models import Idea
from organisations import permissions
from organisations.models import Ward
from projects import selectors, services
from projects.forms import DriverNodeForm, ProjectForm
from projects.models import DriverNode, Project, Stage
from projects.views import editable_project_or_403, project_or_404

from . import project_serializers as out
from .base import OrganisationViewMixin
from .views import form_errors, json_object

MAX_LINKED_IDEAS = 50  # as many as the web's form takes


class ProjectEndpoint(OrganisationViewMixin, APIView):
    """Reads for every member; changes privileged, as the web's project pages."""

    @property
    def privileged(self):
        method = self.request.method
        if method in SAFE_METHODS or not hasattr(self, method.lower()):
            return None  # a read, or a method the endpoint lacks (405)
        return permissions.can_work_on_projects

    def project(self, project_id) -> Project:
        return project_or_404(self.request, project_id)

    def editable_project(self, project_id) -> Project:
        """The project, or 403 for a member who may not change it (404 if not found)."""
        return editable_project_or_403(self.request, project_id)


def form_data(body: dict) -> dict:
    """JSON values as a web form reads posted ones: text, or lists of text; null is
    missing. An object where a value goes is a field error, never a 500."""
    data, errors = {}, {}
    for key, value in body.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, dict | list) for v in values):
            errors[key] = ["Send a value or a list of values, not an object."]
        elif isinstance(value, list):
            data[key] = [str(v) for v in value if v is not None]
        elif value is not None:
            data[key] = str(value)
    if errors:
        raise exceptions.ValidationError(errors)
    return data


def patch_data(body: dict, initial: dict, allowed) -> dict:
    """A PATCH body over the current values, so the web's form checks the whole result."""
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise exceptions.ValidationError({k: ["This field cannot be changed."] for k in unknown})
    return {**{k: v for k, v in initial.items() if v is not None}, **body}


def _ideas_of(organisation, body) -> list[Idea]:
    """The ideas a new project links, by id: all of this organisation's, or a field error.
    The service then refuses any that the member does not triage."""
    raw = body.get("ideas") or []
    if not isinstance(raw, list) or len(raw) > MAX_LINKED_IDEAS:
        raise exceptions.ValidationError(
            {"ideas": [f"Send a list of at most {MAX_LINKED_IDEAS} idea ids."]}
        )
    try:
        ids = {uuid.UUID(str(value)) for value in raw}
    except ValueError as exc:
        raise exceptions.ValidationError({"ideas": ["Send ideas by their ids."]}) from exc
    ideas = list(Idea.objects.filter(organisation=organisation, pk__in=ids))
    if len(ideas) != len(ids):
        raise exceptions.ValidationError({"ideas": ["Choose ideas of this organisation."]})
    return ideas


def _project_rows(queryset):
    return queryset.select_related("team").prefetch_related(
        Prefetch("wards", queryset=Ward.objects.order_by("name"))
    )


def project_data(organisation, project_id) -> dict:
    project = get_object_or_404(
        _project_rows(selectors.project_list(organisation)).prefetch_related(
            Prefetch("ideas", queryset=Idea.objects.order_by("-created_at"))
        ),
        pk=project_id,
    )
    return out.ProjectDetailSerializer(project).data


class ProjectCursor(CursorPagination):
    """Newest first, as the web's project list."""

    ordering = ("-created_at", "-id")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


STAGE_FILTER = OpenApiParameter(
    "stage", str, enum=Stage.values, description="Only projects at this stage"
)


class ProjectList(ProjectEndpoint, generics.GenericAPIView):
    pagination_class = ProjectCursor
    serializer_class = out.ProjectSerializer

    @extend_schema(
        operation_id="projects_list",
        parameters=[STAGE_FILTER],
        responses=out.ProjectSerializer(many=True),
    )
    def get(self, request, org):
        stage = request.query_params.get("stage", "")
        if stage and stage not in Stage.values:
            raise exceptions.ValidationError({"stage": ["Choose one of the stages."]})
        projects = _project_rows(selectors.project_list(self.organisation, stage=stage))
        page = self.paginate_queryset(projects)
        return self.get_paginated_response(out.ProjectSerializer(page, many=True).data)

    @extend_schema(
        operation_id="projects_create",
        request=out.ProjectInputSerializer,
        responses={201: out.ProjectDetailSerializer},
    )
    def post(self, request, org):
        body = json_object(request)
        form = ProjectForm(form_data(body), member=self.membership)
        if not form.is_valid():
            raise form_errors(form)
        data = form.cleaned_data
        project = services.project_create(
            member=self.membership,
            title=data["title"],
            aim=data["aim"],
            team=data["team"],
            wards=list(data["wards"]),
            ideas=_ideas_of(self.organisation, body),
            start_date=data["start_date"],
            target_date=data["target_date"],
        )
        return Response(project_data(self.organisation, project.pk), status=status.HTTP_201_CREATED)


PROJECT_FIELDS = ("title", "aim", "stage", "team", "wards", "start_date", "target_date")


class ProjectDetail(ProjectEndpoint):
    @extend_schema(operation_id="projects_retrieve", responses=out.ProjectDetailSerializer)
    def get(self, request, org, project_id):
        return Response(project_data(self.organisation, self.project(project_id).pk))

    @extend_schema(
        operation_id="projects_partial_update",
        request=out.ProjectPatchSerializer,
        responses=out.ProjectDetailSerializer,
    )
    def patch(self, request, org, project_id):
        """Change a project, its stage included: the submitters of its ideas are told."""
        project = self.editable_project(project_id)
        current = ProjectForm.for_project(project, member=self.membership).initial
        body = patch_data(json_object(request), current, PROJECT_FIELDS)
        form = ProjectForm.for_project(project, form_data(body), member=self.membership)
        if not form.is_valid():
            raise form_errors(form)
        data = form.cleaned_data
        services.project_update(
            member=self.membership,
            project=project,
            title=data["title"],
            aim=data["aim"],
            stage=data["stage"],
            team=data["team"],
            wards=list(data["wards"]),
            start_date=data["start_date"],
            target_date=data["target_date"],
        )
        return Response(project_data(self.organisation, project.pk))


class DriverDiagram(ProjectEndpoint):
    @extend_schema(
        operation_id="projects_driver_diagram", responses=out.DriverTreeSerializer(many=True)
    )
    def get(self, request, org, project_id):
        tree = selectors.driver_tree(self.project(project_id))
        return Response(out.DriverTreeSerializer(tree, many=True).data)


class DriverNodes(ProjectEndpoint):
    @extend_schema(
        operation_id="projects_driver_nodes_create",
        request=out.DriverNodeInputSerializer,
        responses={201: out.DriverNodeSerializer},
    )
    def post(self, request, org, project_id):
        project = self.editable_project(project_id)
        form = DriverNodeForm(form_data(json_object(request)), project=project)
        if not form.is_valid():
            raise form_errors(form)
        node = services.driver_node_add(
            member=self.membership, project=project, **form.cleaned_data
        )
        return Response(out.DriverNodeSerializer(node).data, status=status.HTTP_201_CREATED)


class DriverNodeDetail(ProjectEndpoint):
    @extend_schema(
        operation_id="projects_driver_nodes_destroy", request=None, responses={204: None}
    )
    def delete(self, request, org, project_id, node_id):
        """Remove a box of the driver diagram, with the boxes that hang from it."""
        project = self.editable_project(project_id)
        node = get_object_or_404(
            DriverNode, organisation=self.organisation, project=project, pk=node_id
        )
        node.project = project
        services.driver_node_remove(member=self.membership, node=node)
        return Response(status=status.HTTP_204_NO_CONTENT)
