from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("dashboards/", views.overview, name="overview"),
    path("dashboards/wards/<int:ward_id>/", views.ward, name="ward"),
    path("dashboards/sites/<int:site_id>/", views.site, name="site"),
    path("dashboards/who-takes-part/", views.people, name="people"),
    path("dashboards/spc/", views.engagement_spc, name="spc"),
    path("pulse/", views.pulse, name="pulse"),
    path("pulse/thanks/", views.pulse_done, name="pulse_done"),
]
