"""The resident-facing similar-ideas check, mounted at the tenant root beside dialogues."""

from django.urls import path

from insights.suggest_views import similar_ideas

urlpatterns = [
    path("dialogues/<slug:slug>/ideas/similar/", similar_ideas, name="similar_ideas"),
]
