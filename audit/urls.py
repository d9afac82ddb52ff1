from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("manage/audit/", views.audit_log, name="log"),
    path("manage/audit/export/", views.audit_export, name="export"),
]
