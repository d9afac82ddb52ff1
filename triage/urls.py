from django.urls import path

from . import views

app_name = "triage"

urlpatterns = [
    path("triage/", views.inbox, name="inbox"),
    path("triage/bulk/", views.inbox_bulk, name="inbox_bulk"),
    path("triage/<uuid:idea_id>/", views.idea_triage, name="idea_triage"),
    path("triage/<uuid:idea_id>/status/", views.idea_status, name="idea_status"),
]
