from django.urls import path

from . import pages

app_name = "api_tokens"

urlpatterns = [
    path("", pages.token_list, name="list"),
    path("new/", pages.token_create, name="create"),
    path("<uuid:token_id>/revoke/", pages.token_revoke, name="revoke"),
]
