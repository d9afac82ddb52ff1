from django.urls import path

from . import import_views, views

app_name = "organisations"

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("manage/staff/", views.member_list, name="member_list"),
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
    # Importing staff from a CSV (organisations/import_views.py).
    path("manage/staff/import/", import_views.staff_import, name="staff_import"),
    path(
        "manage/staff/import/<uuid:import_job_id>/",
        import_views.staff_import_job,
        name="staff_import_job",
    ),
    path(
        "manage/staff/import/<uuid:import_job_id>/problems.csv",
        import_views.staff_import_problems,
        name="staff_import_problems",
    ),
    path("manage/concerns/", views.concern_settings, name="concern_settings"),
    path("manage/invitations/", views.invitation_list, name="invitation_list"),
    path(
        "manage/invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
