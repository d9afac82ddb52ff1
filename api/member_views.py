"""A member's own things over the API: My ideas, notifications, the pulse check-in and
the teams pages, each through the selector, form and service of its web page."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboards import pulse as pulse_figures
from dashboards.forms import PulseForm
from ideas import selectors, services
from ideas.pulse_tags import pulse_tags_offered
from teams import selectors as team_selectors
from teams.models import Team

from . import member_serializers as out
from .base import OrganisationViewMixin
from .views import form_errors, json_object


class NewestFirst(CursorPagination):
    """Cursor pages, newest first, as the web lists them."""

    ordering = ("-created_at", "-id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class MyIdeas(OrganisationViewMixin, generics.GenericAPIView):
    """What you shared, named or anonymously: the web's "My ideas", seen only by you."""

    pagination_class = NewestFirst
    serializer_class = out.MyIdeaSerializer

    @extend_schema(operation_id="my_ideas_list", responses=out.MyIdeaSerializer(many=True))
    def get(self, request, org):
        page = self.paginate_queryset(selectors.ideas_of_member(self.membership))
        return self.get_paginated_response(out.MyIdeaSerializer(page, many=True).data)


class Notifications(OrganisationViewMixin, generics.GenericAPIView):
    """Your notifications, read or unread: addressed to you or to your anonymity token."""

    pagination_class = NewestFirst
    serializer_class = out.NotificationSerializer

    @extend_schema(
        operation_id="notifications_list", responses=out.NotificationSerializer(many=True)
    )
    def get(self, request, org):
        page = self.paginate_queryset(selectors.notifications_for(self.membership))
        return self.get_paginated_response(out.NotificationSerializer(page, many=True).data)


class NotificationRead(OrganisationViewMixin, APIView):
    """Mark one of your notifications as read (another's is not found)."""

    @extend_schema(
        operation_id="notifications_read", request=None, responses=out.NotificationSerializer
    )
    def post(self, request, org, notification_id):
        mine = selectors.notifications_for(self.membership).filter(pk=notification_id)
        if not mine.exists():
            raise exceptions.NotFound("Not found.")
        services.notifications_mark_read(member=self.membership, notification_ids=[notification_id])
        return Response(out.NotificationSerializer(mine.get()).data)


class NotificationsReadAll(OrganisationViewMixin, APIView):
    """Mark all your notifications as read, as the notifications page's button does."""

    @extend_schema(
        operation_id="notifications_read_all", request=None, responses=out.MarkedReadSerializer
    )
    def post(self, request, org):
        count = services.notifications_mark_read(member=self.membership)
        return Response({"marked_read": count})


class PulseCheckIn(OrganisationViewMixin, APIView):
    """ "How was your shift?": a second check-in on the same day replaces the first."""

    @extend_schema(
        operation_id="pulse_check_in",
        request=out.PulseInputSerializer,
        responses={201: out.PulseCheckInSerializer},
    )
    def post(self, request, org):
        pulse_figures.require_enabled(self.organisation)
        form = PulseForm(json_object(request), organisation=self.organisation)
        if not form.is_valid():
            raise form_errors(form)
        check_in = services.pulse_check_in(
            member=self.membership,
            score=form.cleaned_data["score"],
            tags=form.cleaned_data["tags"],
        )
        data = out.PulseCheckInSerializer(check_in).data
        return Response(data, status=status.HTTP_201_CREATED)


class PulseTags(OrganisationViewMixin, APIView):
    """The tags a check-in offers now, in the order the web shows them; send their keys."""

    @extend_schema(operation_id="pulse_tags_list", responses=out.PulseTagSerializer(many=True))
    def get(self, request, org):
        pulse_figures.require_enabled(self.organisation)
        tags = pulse_tags_offered(self.organisation)
        return Response(out.PulseTagSerializer(tags, many=True).data)


class PulseSummary(OrganisationViewMixin, APIView):
    """Your home ward's pulse in its latest published month, as the web shows every member
    after a check-in: suppressed below the threshold (dashboards.pulse), never a check-in."""

    @extend_schema(operation_id="pulse_summary", responses=out.PulseSummarySerializer)
    def get(self, request, org):
        pulse_figures.require_enabled(self.organisation)
        ward = self.membership.home_ward
        summary = pulse_figures.ward_summary(self.organisation, ward)
        return Response(
            out.PulseSummarySerializer(
                {
                    "ward": ward,
                    "month": summary["month"],
                    "count": summary["count"] if summary["enough"] else None,
                    "mean": summary["mean"] if summary["enough"] else None,
                    "suppressed": not summary["enough"],
                    "threshold": summary["threshold"],
                }
            ).data
        )


class TeamList(OrganisationViewMixin, APIView):
    """Every team, with its member and open idea counts, as the teams page lists them."""

    @extend_schema(operation_id="teams_list", responses=out.TeamSerializer(many=True))
    def get(self, request, org):
        teams = team_selectors.teams_with_counts(self.organisation)
        return Response(out.TeamSerializer(teams, many=True).data)


class TeamDetail(OrganisationViewMixin, APIView):
    """A team as its page shows it: members by staff group, wards covered, projects."""

    @extend_schema(operation_id="teams_retrieve", responses=out.TeamDetailSerializer)
    def get(self, request, org, team_id):
        team = Team.objects.filter(organisation=self.organisation, pk=team_id).first()
        if team is None:
            raise exceptions.NotFound("Not found.")
        groups = team_selectors.members_by_staff_group(team)
        data = {
            "id": team.pk,
            "name": team.name,
            "purpose": team.purpose,
            "staff_groups": [{"staff_group": g, "members": m} for g, m in groups],
            "wards": team.wards.select_related("site"),
            "projects": team.projects.all(),
        }
        return Response(out.TeamDetailSerializer(data).data)
