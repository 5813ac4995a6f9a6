"""URLs of the exports pages (included in insights.urls, so in its namespace)."""

from django.urls import path

from insights import export_views

urlpatterns = [
    path("", export_views.index, name="exports"),
]
