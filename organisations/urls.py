from django.urls import path

from . import staff_views, views

app_name = "organisations"

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("manage/staff/", staff_views.member_list, name="member_list"),
    path("manage/staff/change/", staff_views.member_bulk, name="member_bulk"),
    path("manage/staff/export.csv", staff_views.member_export, name="member_export"),
    path("manage/staff/<int:membership_id>/", views.member_edit, name="member_edit"),
    path(
        "manage/staff/<int:membership_id>/deactivate/",
        views.member_deactivate,
        name="member_deactivate",
    ),
    path(
        "manage/staff/<int:membership_id>/reactivate/",
        views.member_reactivate,
        name="member_reactivate",
    ),
    path("manage/concerns/", views.concern_settings, name="concern_settings"),
    path("manage/invitations/", views.invitation_list, name="invitation_list"),
    path(
        "manage/invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
