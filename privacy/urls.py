from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path(
        "manage/staff/<int:membership_id>/erase/",
        views.member_erase,
        name="member_erase",
    ),
]
