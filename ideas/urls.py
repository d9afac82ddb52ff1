from django.urls import path

from . import pulse_tag_views, views

app_name = "ideas"

urlpatterns = [
    path("ideas/", views.board, name="board"),
    path("ideas/new/", views.submit, name="submit"),
    path("ideas/new/similar/", views.similar, name="similar"),
    path("ideas/<uuid:idea_id>/", views.detail, name="detail"),
    path("ideas/<uuid:idea_id>/support/", views.support, name="support"),
    path("ideas/<uuid:idea_id>/comments/", views.comment, name="comment"),
    path("my-ideas/", views.my_ideas, name="my_ideas"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/email/", views.email_preferences, name="email_preferences"),
    path("you-said-we-did/", views.you_said_we_did, name="you_said_we_did"),
    path("you-said-we-did/<int:ward_id>/", views.you_said_we_did, name="you_said_we_did_ward"),
    path(
        "you-said-we-did/<int:ward_id>/poster/",
        views.you_said_we_did,
        {"poster": True},
        name="poster",
    ),
    path("manage/categories/", views.category_list, name="category_list"),
    path("manage/categories/<int:category_id>/", views.category_edit, name="category_edit"),
    path("manage/pulse-tags/", pulse_tag_views.pulse_tag_list, name="pulse_tag_list"),
    path("manage/pulse-tags/<int:tag_id>/", pulse_tag_views.pulse_tag_edit, name="pulse_tag_edit"),
]
