from django.urls import path

from . import manage_views, views

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
    path("manage/concerns/", views.concern_settings, name="concern_settings"),
    path("manage/invitations/", views.invitation_list, name="invitation_list"),
    path(
        "manage/invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    # The organisation admin's home, sites and wards, and settings (manage_views).
    path("manage/", manage_views.manage, name="manage"),
    path("manage/sites/", manage_views.site_list, name="site_list"),
    path("manage/sites/<int:site_id>/", manage_views.site_edit, name="site_edit"),
    path("manage/wards/<int:ward_id>/", manage_views.ward_edit, name="ward_edit"),
    path("manage/wards/<int:ward_id>/archive/", manage_views.ward_archive, name="ward_archive"),
    path("manage/wards/<int:ward_id>/restore/", manage_views.ward_restore, name="ward_restore"),
    path("manage/wards/<int:ward_id>/merge/", manage_views.ward_merge, name="ward_merge"),
    path("manage/settings/", manage_views.organisation_settings, name="organisation_settings"),
    path(
        "manage/settings/domains/<int:domain_id>/remove/",
        manage_views.signup_domain_remove,
        name="signup_domain_remove",
    ),
]
