from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from improvewell import views
from organisations import sso_views
from organisations import views as organisation_views

# The admin signs in through allauth, so its rate limits and MFA apply.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "ImproveWell platform admin"
admin.site.site_title = "ImproveWell admin"

# A database outage answers 503 with its own page; anything else the 500 page.
handler500 = views.server_error
# A refusal (403) is recorded in the organisation's audit log.
handler403 = views.permission_denied

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("account/", views.account_settings, name="account_settings"),
    path("admin/", admin.site.urls),
    # Sign-in with NHSmail (Microsoft): finds the organisation's app, then allauth's flow.
    path("accounts/sso/", sso_views.sso_choose, name="sso_choose"),
    path("accounts/sso/<slug:organisation_slug>/", sso_views.sso_start, name="sso_start"),
    path("accounts/", include("allauth.urls")),
    path("account/tokens/", include("api.token_urls")),
    path("account/data/", include("privacy.account_urls")),
    # The REST API (docs/api.md): its own tenancy in api/base.py.
    path("api/", include("api.urls")),
    path(
        "invitations/<str:token>/",
        organisation_views.invitation_open,
        name="invitation_open",
    ),
    # Everything of one organisation lives under its slug; the tenant middleware
    # turns away anyone who is not an active member with a 404.
    path("<slug:org_slug>/", include("organisations.urls")),
    path("<slug:org_slug>/", include("ideas.urls")),
    path("<slug:org_slug>/", include("teams.urls")),
    path("<slug:org_slug>/", include("triage.urls")),
    path("<slug:org_slug>/", include("projects.urls")),
    path("<slug:org_slug>/", include("dashboards.urls")),
    path("<slug:org_slug>/", include("webhooks.urls")),
    path("<slug:org_slug>/", include("audit.urls")),
    path("<slug:org_slug>/", include("privacy.urls")),
]
