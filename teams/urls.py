from django.urls import path

from . import views

app_name = "teams"

P = "projects/<int:project_id>/"

urlpatterns = [
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_edit, name="team_create"),
    path("teams/<int:team_id>/", views.team_detail, name="team_detail"),
    path("teams/<int:team_id>/edit/", views.team_edit, name="team_edit"),
    path("triage/", views.inbox, name="inbox"),
    path("triage/bulk/", views.inbox_bulk, name="inbox_bulk"),
    path("triage/<uuid:idea_id>/", views.idea_triage, name="idea_triage"),
    path("triage/<uuid:idea_id>/status/", views.idea_status, name="idea_status"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path(P, views.project_detail, name="project_detail"),
    path(P + "edit/", views.project_edit, name="project_edit"),
    path(P + "updates/", views.project_update_post, name="project_update_post"),
    path(P + "drivers/", views.driver_add, name="driver_add"),
    path(P + "drivers/<int:node_id>/remove/", views.driver_remove, name="driver_remove"),
    path(P + "measures/new/", views.measure_edit, name="measure_create"),
    path(P + "measures/<int:measure_id>/", views.measure_detail, name="measure_detail"),
    path(P + "measures/<int:measure_id>/edit/", views.measure_edit, name="measure_edit"),
    path(
        P + "measures/<int:measure_id>/points/<int:point_id>/remove/",
        views.point_remove,
        name="point_remove",
    ),
    path(P + "pdsa/new/", views.pdsa_edit, name="pdsa_create"),
    path(P + "pdsa/<int:cycle_id>/", views.pdsa_edit, name="pdsa_edit"),
]
