"""URLs of the themes pages (included in insights.urls, so in its namespace)."""

from django.urls import path

from insights import theme_views

urlpatterns = [
    path("", theme_views.index, name="themes"),
    path("<slug:slug>/run/", theme_views.run_request, name="themes_run"),
    path("<slug:slug>/progress/", theme_views.progress, name="themes_progress"),
    path("<slug:slug>/<int:theme_id>/", theme_views.theme_detail, name="theme"),
    path("<slug:slug>/<int:theme_id>/rename/", theme_views.theme_rename, name="theme_rename"),
    path("<slug:slug>/<int:theme_id>/merge/", theme_views.theme_merge, name="theme_merge"),
    path("<slug:slug>/<int:theme_id>/split/", theme_views.theme_split, name="theme_split"),
]
