"""URLs of the themes pages (included in insights.urls, so in its namespace)."""

from django.urls import path

from insights import theme_views

urlpatterns = [
    path("", theme_views.index, name="themes"),
]
