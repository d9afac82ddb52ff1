from django.urls import path

from . import measure_views, views

app_name = "projects"

P = "projects/<int:project_id>/"
M = P + "measures/<int:measure_id>/"

urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path(P, views.project_detail, name="project_detail"),
    path(P + "edit/", views.project_edit, name="project_edit"),
    path(P + "updates/", views.project_update_post, name="project_update_post"),
    path(P + "drivers/", views.driver_add, name="driver_add"),
    path(P + "drivers/<int:node_id>/remove/", views.driver_remove, name="driver_remove"),
    path(P + "drivers/<int:node_id>/edit/", views.driver_edit, name="driver_edit"),
    path(P + "measures/new/", measure_views.measure_edit, name="measure_create"),
    path(M, measure_views.measure_detail, name="measure_detail"),
    path(M + "edit/", measure_views.measure_edit, name="measure_edit"),
    path(M + "points/<int:point_id>/remove/", measure_views.point_remove, name="point_remove"),
    path(M + "points/<int:point_id>/note/", measure_views.point_note, name="point_note"),
    path(M + "changes/", measure_views.change_point_add, name="change_point_add"),
    path(
        M + "changes/<int:change_id>/remove/",
        measure_views.change_point_remove,
        name="change_point_remove",
    ),
    path(P + "pdsa/new/", views.pdsa_edit, name="pdsa_create"),
    path(P + "pdsa/<int:cycle_id>/", views.pdsa_edit, name="pdsa_edit"),
]
