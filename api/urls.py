from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views
from .docs import SwaggerDocs

app_name = "api"

# Every organisation endpoint is under /api/v1/<org>/ and built on
# api.base.OrganisationViewMixin (tests/isolation walks these patterns).
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerDocs.as_view(url_name="api:schema"), name="docs"),
    path("v1/me/", views.MeView.as_view(), name="me"),
    path("v1/<slug:org>/ideas/", views.IdeaList.as_view(), name="idea_list"),
    path("v1/<slug:org>/ideas/<uuid:idea_id>/", views.IdeaDetail.as_view(), name="idea_detail"),
    path(
        "v1/<slug:org>/ideas/<uuid:idea_id>/support/",
        views.IdeaSupport.as_view(),
        name="idea_support",
    ),
    path(
        "v1/<slug:org>/ideas/<uuid:idea_id>/comments/",
        views.IdeaComments.as_view(),
        name="idea_comments",
    ),
    path("v1/<slug:org>/categories/", views.CategoryList.as_view(), name="category_list"),
    path("v1/<slug:org>/sites/", views.SiteList.as_view(), name="site_list"),
    path("v1/<slug:org>/wards/", views.WardList.as_view(), name="ward_list"),
]
