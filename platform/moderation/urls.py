"""Report URLs, mounted at /report/ on tenant hosts."""

from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("<str:kind>/<int:item_id>/", views.report, name="report"),
]
