"""URLs of the resident-facing dialogue pages."""

from django.urls import path

from dialogues import views

app_name = "dialogues"

urlpatterns = [
    path("", views.home, name="home"),
    path("dialogues/<slug:slug>/", views.dialogue_detail, name="detail"),
]
