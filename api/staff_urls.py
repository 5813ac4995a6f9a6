"""Staff API URLs, mounted at /api/ on the root domain only (urls_public): version 1 at
/api/staff/v1/ and its OpenAPI description at /api/staff/schema/. Tenant hosts never route
here, so on them these addresses are 404."""

from django.urls import include, path, register_converter

from api import staff_views as views
from api.urls import IdConverter

register_converter(IdConverter, "staff_id")

v1 = [
    path("", views.StaffRoot.as_view(), name="root"),
    path("tenants/", views.TenantList.as_view(), name="tenants"),
    path("tenants/<slug:slug>/", views.TenantDetail.as_view(), name="tenant"),
    path("tenants/<slug:slug>/suspend/", views.TenantSuspend.as_view(), name="tenant-suspend"),
    path(
        "tenants/<slug:slug>/reactivate/",
        views.TenantReactivate.as_view(),
        name="tenant-reactivate",
    ),
    path("tenants/<slug:slug>/plan/", views.TenantPlan.as_view(), name="tenant-plan"),
    path("demo-requests/", views.DemoRequestList.as_view(), name="demo-requests"),
    path(
        "demo-requests/<staff_id:demo_id>/",
        views.DemoRequestDetail.as_view(),
        name="demo-request",
    ),
    path(
        "demo-requests/<staff_id:demo_id>/trial/",
        views.DemoRequestTrial.as_view(),
        name="demo-request-trial",
    ),
]
STAFF_V1 = (v1, "staff_api")

urlpatterns = [
    path("staff/v1/", include(STAFF_V1)),
    path(
        "staff/schema/",
        # Only the staff operations, at their full addresses: nothing of the tenant API.
        views.StaffSchemaView.as_view(patterns=[path("api/staff/v1/", include(STAFF_V1))]),
        name="staff-api-schema",
    ),
]
