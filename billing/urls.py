"""Billing pages of a tenant's admin area, mounted at /manage/billing/."""

from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("plan/", views.choose_plan, name="choose_plan"),
    path("portal/", views.portal, name="portal"),
]
