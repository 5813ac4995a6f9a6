"""The site's addresses in the admin area, mounted at /manage/domains/."""

from django.urls import path

from tenants import manage_views

app_name = "domains"

urlpatterns = [
    path("", manage_views.domains, name="list"),
    path("add/", manage_views.domain_add, name="add"),
    path("<int:domain_id>/check/", manage_views.domain_check, name="check"),
    path("<int:domain_id>/remove/", manage_views.domain_remove, name="remove"),
]
