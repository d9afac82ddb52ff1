"""Thin endpoints over the same selectors, forms and services as the web pages."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from ideas import selectors, services
from ideas.filters import IdeaFilterSet
from ideas.forms import CommentForm, IdeaForm
from ideas.models import Category
from improvewell import versions
from organisations.models import Site, Ward
from organisations.selectors import memberships_of_user

from . import serializers
from .base import ApiViewMixin, OrganisationViewMixin, token_of
from .problems import problem


def form_errors(form) -> exceptions.ValidationError:
    """A web form's errors, field by field, as the API's 400."""
    errors = {
        ("non_field_errors" if field == "__all__" else field): [e["message"] for e in messages]
        for field, messages in form.errors.get_json_data().items()
    }
    return exceptions.ValidationError(errors)


def json_object(request) -> dict:
    if not isinstance(request.data, dict):
        raise exceptions.ValidationError({"non_field_errors": ["Send a JSON object."]})
    return request.data


class BoardCursor(CursorPagination):
    """Cursor pages in the order the board's sort chose (ideas/filters.py)."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_ordering(self, request, queryset, view):
        return (*queryset.query.order_by, "-id")


class MeView(ApiViewMixin, APIView):
    """The organisations you belong to (a token: only its own organisation)."""

    @extend_schema(responses=serializers.MembershipSerializer(many=True))
    def get(self, request):
        memberships = memberships_of_user(request.user)
        token = token_of(request)
        if token is not None:
            memberships = [m for m in memberships if m.organisation_id == token.organisation_id]
        return Response(serializers.MembershipSerializer(memberships, many=True).data)


BOARD_FILTERS = [
    OpenApiParameter(name, str, description=description)
    for name, description in (
        ("q", "Search titles and descriptions"),
        ("site", "A site id"),
        ("ward", "A ward id"),
        ("category", "A category id"),
        ("kind", "idea, concern or praise"),
        ("status", "A status"),
        ("sort", "The order of the board (its `ordering`): newest (the default) or supported"),
    )
]


class IdeaList(OrganisationViewMixin, generics.GenericAPIView):
    pagination_class = BoardCursor
    serializer_class = serializers.IdeaSerializer

    @extend_schema(
        operation_id="ideas_list",
        parameters=BOARD_FILTERS,
        responses=serializers.IdeaSerializer(many=True),
    )
    def get(self, request, org):
        params = request.query_params

        def filtered():
            filters = IdeaFilterSet(params or None, request=request)
            if filters.is_bound and not filters.is_valid():
                raise exceptions.ValidationError(filters.errors)
            return filters

        if set(params) - set(IdeaFilterSet.base_filters) or params.get("q"):
            data = self._page(filtered())  # a search or a later page: not worth keeping
        else:
            # The first page is the same for every member: kept until the content changes
            # (filters with a bad value are refused while building it, and never kept).
            varies_on = [request.build_absolute_uri("/"), sorted(params.lists())]
            # Shared in the process too: nothing below changes it (each answer is a new dict).
            data = versions.cached(
                self.organisation,
                "api-ideas",
                varies_on,
                lambda: self._page(filtered()),
                shared=True,
            )
        marks = selectors.viewer_marks(self.membership, [idea["id"] for idea in data["results"]])
        results = [
            idea | {"supported": marks.get(idea["id"], (False,))[0]} for idea in data["results"]
        ]
        return Response(data | {"results": results})

    def _page(self, filters) -> dict:
        """A page of ideas, with nothing about the person asking (`supported` is false)."""
        page = self.paginate_queryset(selectors.idea_board(filters.qs))
        data = serializers.IdeaSerializer(page, many=True, context={"supported": set()}).data
        answer = dict(self.get_paginated_response(data).data)
        return answer | {"results": [dict(idea) for idea in answer["results"]]}

    @extend_schema(
        request=serializers.IdeaInputSerializer,
        responses={201: serializers.IdeaSerializer, 200: serializers.IdeaSerializer},
    )
    def post(self, request, org):
        form = IdeaForm(json_object(request), organisation=self.organisation)
        if not form.is_valid():
            raise form_errors(form)
        data = form.cleaned_data
        try:
            idea, created = services.idea_submit(
                member=self.membership,
                **{k: data[k] for k in ("submission_id", "kind", "title", "description")},
                **{k: data[k] for k in ("category", "ward", "site", "anonymous", "urgent")},
            )
        except services.RateLimited as exc:
            return problem(status.HTTP_429_TOO_MANY_REQUESTS, str(exc))
        return Response(
            _idea_data(self.membership, idea.pk),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def _idea_or_404(membership, idea_id):
    idea = selectors.idea_for_member(membership, idea_id)
    if idea is None:
        raise exceptions.NotFound("Not found.")
    return idea


def _idea_data(membership, idea_id) -> dict:
    idea = _idea_or_404(membership, idea_id)
    supported = selectors.supported_idea_ids(membership, [idea])
    return serializers.IdeaSerializer(idea, context={"supported": supported}).data


class IdeaDetail(OrganisationViewMixin, APIView):
    @extend_schema(operation_id="ideas_retrieve", responses=serializers.IdeaSerializer)
    def get(self, request, org, idea_id):
        return Response(_idea_data(self.membership, idea_id))


class IdeaSupport(OrganisationViewMixin, APIView):
    """Support an idea (POST) or withdraw your support (DELETE)."""

    def _answer(self, idea_id):
        idea = _idea_or_404(self.membership, idea_id)
        supported = idea.pk in selectors.supported_idea_ids(self.membership, [idea])
        return Response({"supported": supported, "support_count": idea.support_count})

    @extend_schema(request=None, responses=serializers.SupportSerializer)
    def post(self, request, org, idea_id):
        services.idea_support(member=self.membership, idea=_idea_or_404(self.membership, idea_id))
        return self._answer(idea_id)

    @extend_schema(request=None, responses={200: serializers.SupportSerializer})
    def delete(self, request, org, idea_id):
        idea = _idea_or_404(self.membership, idea_id)
        services.idea_unsupport(member=self.membership, idea=idea)
        return self._answer(idea_id)


class IdeaComments(OrganisationViewMixin, APIView):
    @extend_schema(responses=serializers.CommentSerializer(many=True))
    def get(self, request, org, idea_id):
        comments = selectors.idea_comments(_idea_or_404(self.membership, idea_id))
        return Response(serializers.CommentSerializer(comments, many=True).data)

    @extend_schema(
        request=serializers.CommentInputSerializer,
        responses={201: serializers.CommentSerializer},
    )
    def post(self, request, org, idea_id):
        idea = _idea_or_404(self.membership, idea_id)
        form = CommentForm(json_object(request))
        if not form.is_valid():
            raise form_errors(form)
        comment = services.comment_add(
            member=self.membership, idea=idea, body=form.cleaned_data["body"]
        )
        data = serializers.CommentSerializer(comment).data
        return Response(data, status=status.HTTP_201_CREATED)


class OrganisationList(OrganisationViewMixin, generics.ListAPIView):
    """A read-only list of one kind of the organisation's rows."""

    pagination_class = None
    ordering_fields = ("name",)

    def get_queryset(self) -> QuerySet:
        return self.model.objects.filter(organisation=self.organisation).select_related(
            *self.related
        )


class CategoryList(OrganisationList):
    model, related = Category, ()
    serializer_class = serializers.CategorySerializer


class SiteList(OrganisationList):
    model, related = Site, ()
    serializer_class = serializers.SiteSerializer


class WardList(OrganisationList):
    model, related = Ward, ("site",)
    serializer_class = serializers.WardSerializer


class NoSuchEndpoint(ApiViewMixin, APIView):
    """Any other address under /api/: a problem-details 404, not Django's HTML page, so
    that a client always gets JSON (after the same sign-in and rate limits)."""

    schema = None  # not an operation of the API

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound("Not found.")
