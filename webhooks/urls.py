from django.urls import path

from . import views

app_name = "webhooks"

E = "manage/webhooks/<uuid:endpoint_id>/"

urlpatterns = [
    path("manage/webhooks/", views.webhook_list, name="webhook_list"),
    path("manage/webhooks/new/", views.webhook_add, name="webhook_add"),
    path(E, views.webhook_detail, name="webhook_detail"),
    path(E + "edit/", views.webhook_edit, name="webhook_edit"),
    path(E + "switch-off/", views.webhook_disable, name="webhook_disable"),
    path(E + "switch-on/", views.webhook_enable, name="webhook_enable"),
    path(E + "test/", views.webhook_test, name="webhook_test"),
    path(E + "delete/", views.webhook_delete, name="webhook_delete"),
]
