from django.urls import path

from . import views

app_name = "projects"

P = "projects/<int:project_id>/"

urlpatterns = [
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
