from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import engagement_views, measure_views, member_views, project_views, triage_views, views
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
    path("v1/<slug:org>/pulse/tags/", member_views.PulseTags.as_view(), name="pulse_tags"),
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

# QI projects (api/project_views.py, api/measure_views.py) and engagement figures
# (api/engagement_views.py), on the web's own forms, selectors and services.
P = "v1/<slug:org>/projects/<int:project_id>/"
M = P + "measures/<int:measure_id>/"
urlpatterns += [
    path("v1/<slug:org>/projects/", project_views.ProjectList.as_view(), name="project_list"),
    path(P, project_views.ProjectDetail.as_view(), name="project_detail"),
    path(P + "driver-diagram/", project_views.DriverDiagram.as_view(), name="driver_diagram"),
    path(P + "driver-diagram/nodes/", project_views.DriverNodes.as_view(), name="driver_nodes"),
    path(
        P + "driver-diagram/nodes/<int:node_id>/",
        project_views.DriverNodeDetail.as_view(),
        name="driver_node",
    ),
    path(P + "measures/", measure_views.MeasureList.as_view(), name="measure_list"),
    path(M, measure_views.MeasureDetail.as_view(), name="measure_detail"),
    path(M + "points/", measure_views.MeasurePoints.as_view(), name="measure_points"),
    path(
        M + "points/<int:point_id>/",
        measure_views.MeasurePointDetail.as_view(),
        name="measure_point",
    ),
    path(P + "pdsa/", measure_views.PDSAList.as_view(), name="pdsa_list"),
    path(P + "pdsa/<int:cycle_id>/", measure_views.PDSADetail.as_view(), name="pdsa_detail"),
    path("v1/<slug:org>/engagement/", engagement_views.Engagement.as_view(), name="engagement"),
]

# Last: any other address under /api/ is a JSON 404 (api.views.NoSuchEndpoint).
urlpatterns += [re_path(r"^", views.NoSuchEndpoint.as_view(), name="no_such_endpoint")]
