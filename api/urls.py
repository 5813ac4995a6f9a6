"""API URLs, mounted at /api/ on tenant hosts."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from api.views import DialogueViewSet

router = DefaultRouter()
router.register("dialogues", DialogueViewSet, basename="dialogue")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
