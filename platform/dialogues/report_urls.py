"""Report and safeguarding URLs on tenant hosts (their names keep the moderation namespace)."""

from django.urls import path

from dialogues import report_views as views

app_name = "moderation"

urlpatterns = [
    path("report/<str:kind>/<int:item_id>/", views.report, name="report"),
    path("worried/<str:kind>/<int:item_id>/", views.concern, name="concern"),
    path("tell-us-privately/", views.concern, name="tell_us"),
]
