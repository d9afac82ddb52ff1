from django.urls import path

from . import views

app_name = "your_data"

urlpatterns = [
    path("", views.your_data, name="page"),
    path(
        "improvewell-your-data.json",
        views.your_data_download,
        {"file_format": "json"},
        name="json",
    ),
    path(
        "improvewell-your-data.zip",
        views.your_data_download,
        {"file_format": "zip"},
        name="zip",
    ),
]
