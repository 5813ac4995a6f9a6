"""Report and safeguarding URLs on tenant hosts."""

from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("report/<str:kind>/<int:item_id>/", views.report, name="report"),
    path("worried/<str:kind>/<int:item_id>/", views.concern, name="concern"),
    path("tell-us-privately/", views.concern, name="tell_us"),
]
