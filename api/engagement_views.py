"""Engagement figures over the API: what the dashboards show, read from the fact tables
through the dashboards' own selectors, so that every figure comes out suppressed exactly
as on the pages (dashboards.suppression, dashboards.pulse). Only those who see the
dashboards on the web may read it, with two-factor authentication."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboards import pulse as pulse_figures
from dashboards import selectors
from dashboards.forms import DateRangeForm
from dashboards.models import ORGANISATION_SCOPE
from dashboards.tables import fewer_than
from organisations import permissions
from organisations.models import Site, Ward

from . import project_serializers as out
from .base import OrganisationViewMixin
from .views import form_errors

FILTERS = [
    OpenApiParameter(
        "start", str, description="First day (YYYY-MM-DD); the last 30 days by default"
    ),
    OpenApiParameter("end", str, description="Last day (YYYY-MM-DD); today by default"),
    OpenApiParameter("site", int, description="A site's figures and its wards"),
    OpenApiParameter("ward", int, description="A ward's figures and its staff groups"),
]


def _id(params, name):
    raw = params.get(name)
    if raw in (None, ""):
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise exceptions.ValidationError({name: [f"Choose a {name} by its id."]})
    return int(raw)


def _place(organisation, params):
    """The scope asked for: the organisation, one site or one ward (of this organisation)."""
    site_id, ward_id = _id(params, "site"), _id(params, "ward")
    if site_id is not None and ward_id is not None:
        raise exceptions.ValidationError({"ward": ["Choose a ward or a site, not both."]})
    for level, model, pk in (("ward", Ward, ward_id), ("site", Site, site_id)):
        if pk is not None:
            place = model.objects.filter(organisation=organisation, pk=pk).first()
            if place is None:
                raise exceptions.ValidationError(
                    {level: [f"Choose a {level} of this organisation."]}
                )
            return level, place
    return "organisation", None


def _figures(figures) -> dict:
    hidden = ["contributors_30d", "participation"] if figures.contributors_30d is None else []
    return {
        "ideas": figures.ideas,
        "implemented": figures.implemented,
        "responded": figures.responded,
        "overdue": figures.overdue,
        "answered_within_target": figures.answered_within_target,
        "participation": figures.participation,
        "contributors_30d": figures.contributors_30d,
        "active_members": figures.active_members,
        "suppressed": hidden,
    }


def _pulse(figure) -> dict | None:
    if figure is None:
        return None
    return {
        "month": figure.month,
        "count": figure.count,
        "mean": figure.mean,
        "suppressed": figure.suppressed,
    }


def _ward_row(row) -> dict:
    hidden = ["contributors_30d", "participation"] if row["contributors_30d"] is None else []
    return {
        "ward": row["ward"],
        "site": row["site"],
        "ideas": row["ideas"],
        "implemented": row["implemented"],
        "answered_within_target": row["answered"],
        "contributors_30d": row["contributors_30d"],
        "active_members": row["active_members"],
        "participation": row["participation"],
        "pulse": _pulse(row["pulse"]),
        "suppressed": hidden,
    }


def _staff_groups(organisation, level, place, start, end) -> list[dict]:
    if level == "ward":
        groups = selectors.ward_staff_groups(organisation, place, start, end)
    elif level == "organisation":
        groups = [
            (row["label"], row["ideas"])
            for row in selectors.who_takes_part(organisation, start, end)
        ]
    else:
        return []
    return [{"label": label, "ideas": n, "suppressed": n is None} for label, n in groups]


class Engagement(OrganisationViewMixin, APIView):
    privileged = staticmethod(permissions.can_view_dashboards)

    @extend_schema(
        operation_id="engagement_retrieve", parameters=FILTERS, responses=out.EngagementSerializer
    )
    def get(self, request, org):
        """The dashboard's figures for the organisation, a site or a ward over a period."""
        organisation = self.organisation
        form = DateRangeForm(request.query_params)
        if not form.is_valid():
            raise form_errors(form)
        start, end = form.range()
        level, place = _place(organisation, request.query_params)
        scope_key = ORGANISATION_SCOPE if place is None else f"{level}:{place.pk}"
        latest = pulse_figures.latest(organisation, start, end)
        tiles = selectors.tiles(organisation, scope_key, start, end, latest)
        wards = []
        if level != "ward":
            wards = selectors.ward_league(
                organisation, start, end, pulse=latest, site=place, sort="ward"
            )
        threshold = organisation.suppression_threshold
        data = {
            "scope": {
                "level": level,
                "id": None if place is None else place.pk,
                "name": organisation.name if place is None else place.name,
            },
            "start": start,
            "end": end,
            "suppression_threshold": threshold,
            "suppressed_as": fewer_than(threshold),
            "figures": _figures(tiles["now"]),
            "previous": _figures(tiles["before"]),
            "pulse": _pulse(tiles["pulse_now"]),
            "wards": [_ward_row(row) for row in wards],
            "staff_groups": _staff_groups(organisation, level, place, start, end),
        }
        return Response(out.EngagementSerializer(data).data)
