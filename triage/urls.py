from django.urls import path

from . import routing_views, views

app_name = "triage"

R = "manage/routing/<int:rule_id>/"

urlpatterns = [
    path("triage/", views.inbox, name="inbox"),
    path("triage/bulk/", views.inbox_bulk, name="inbox_bulk"),
    path("triage/<uuid:idea_id>/", views.idea_triage, name="idea_triage"),
    path("triage/<uuid:idea_id>/status/", views.idea_status, name="idea_status"),
    path("manage/routing/", routing_views.routing_rules, name="routing_rules"),
    path("manage/routing/new/", routing_views.routing_rule_add, name="routing_rule_add"),
    path(R, routing_views.routing_rule_edit, name="routing_rule_edit"),
    path(R + "move/", routing_views.routing_rule_move, name="routing_rule_move"),
    path(R + "switch-off/", routing_views.routing_rule_disable, name="routing_rule_disable"),
    path(R + "switch-on/", routing_views.routing_rule_enable, name="routing_rule_enable"),
    path(R + "delete/", routing_views.routing_rule_delete, name="routing_rule_delete"),
]
