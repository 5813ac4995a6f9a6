"""URLs of the resident-facing dialogue pages."""

from django.urls import path

from dialogues import views

app_name = "dialogues"

urlpatterns = [
    path("", views.home, name="home"),
    path("dialogues/<slug:slug>/", views.dialogue_detail, name="detail"),
    path("dialogues/<slug:slug>/ideas/new/", views.idea_new, name="idea_new"),
    path("dialogues/<slug:slug>/ideas/<int:idea_id>/", views.idea_detail, name="idea"),
    path("dialogues/<slug:slug>/ideas/<int:idea_id>/edit/", views.idea_edit, name="idea_edit"),
    path(
        "dialogues/<slug:slug>/ideas/<int:idea_id>/withdraw/",
        views.idea_withdraw,
        name="idea_withdraw",
    ),
    path(
        "dialogues/<slug:slug>/ideas/<int:idea_id>/comments/",
        views.comment_new,
        name="comment_new",
    ),
    path("dialogues/<slug:slug>/ideas/<int:idea_id>/rating/", views.rating_set, name="rating"),
    path(
        "dialogues/<slug:slug>/ideas/<int:idea_id>/response/",
        views.response_new,
        name="response_new",
    ),
    path("dialogues/<slug:slug>/ideas/<int:idea_id>/status/", views.status_set, name="status"),
    # Live polling addresses use ids, so a poll that finds nothing new needs no lookup.
    path("live/dialogues/<int:dialogue_id>/", views.dialogue_live, name="dialogue_live"),
    path(
        "live/dialogues/<int:dialogue_id>/ideas/<int:idea_id>/",
        views.idea_live,
        name="idea_live",
    ),
]
