"""URLs of insights, mounted at /manage/insights/."""

from django.urls import include, path

from insights import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("themes/", include("insights.theme_urls")),
    path("exports/", include("insights.export_urls")),
    path("<slug:slug>/report/", views.report, name="report"),
    path("<slug:slug>/report.pdf", views.report_pdf, name="report_pdf"),
]
