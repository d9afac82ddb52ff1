from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import member_views, triage_views, views
from .docs import SwaggerDocs

app_name = "api"

# Every organisation endpoint is under /api/v1/<org>/ and built on
# api.base.OrganisationViewMixin (tests/isolation walks these patterns).
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerDocs.as_view(url_name="api:schema"), name="docs"),
    path("v1/me/", views.MeView.as_view(), name="me"),
    path("v1/<slug:org>/ideas/", views.IdeaList.as_view(), name="idea_list"),
    path("v1/<slug:org>/ideas/<uuid:idea_id>/", views.IdeaDetail.as_view(), name="idea_detail"),
    path(
        "v1/<slug:org>/ideas/<uuid:idea_id>/support/",
        views.IdeaSupport.as_view(),
        name="idea_support",
    ),
    path(
        "v1/<slug:org>/ideas/<uuid:idea_id>/comments/",
        views.IdeaComments.as_view(),
        name="idea_comments",
    ),
    path("v1/<slug:org>/categories/", views.CategoryList.as_view(), name="category_list"),
    path("v1/<slug:org>/sites/", views.SiteList.as_view(), name="site_list"),
    path("v1/<slug:org>/wards/", views.WardList.as_view(), name="ward_list"),
    # Triage, My ideas, notifications, the pulse check-in and teams: the same selectors,
    # forms and services as their web pages (api/member_views.py, api/triage_views.py).
    path(
        "v1/<slug:org>/ideas/<uuid:idea_id>/status/",
        triage_views.IdeaTriageStatus.as_view(),
        name="idea_triage_status",
    ),
    path(
        "v1/<slug:org>/ideas/<uuid:idea_id>/team/",
        triage_views.IdeaTriageTeam.as_view(),
        name="idea_triage_team",
    ),
    path("v1/<slug:org>/my-ideas/", member_views.MyIdeas.as_view(), name="my_ideas"),
    path(
        "v1/<slug:org>/notifications/",
        member_views.Notifications.as_view(),
        name="notification_list",
    ),
    path(
        "v1/<slug:org>/notifications/<int:notification_id>/read/",
        member_views.NotificationRead.as_view(),
        name="notification_read",
    ),
    path(
        "v1/<slug:org>/notifications/read-all/",
        member_views.NotificationsReadAll.as_view(),
        name="notification_read_all",
    ),
    path("v1/<slug:org>/pulse/", member_views.PulseCheckIn.as_view(), name="pulse_check_in"),
    path(
        "v1/<slug:org>/pulse/summary/",
        member_views.PulseSummary.as_view(),
        name="pulse_summary",
    ),
    path("v1/<slug:org>/teams/", member_views.TeamList.as_view(), name="team_list"),
    path(
        "v1/<slug:org>/teams/<int:team_id>/", member_views.TeamDetail.as_view(), name="team_detail"
    ),
]
