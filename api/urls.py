"""API URLs, mounted at /api/ on tenant hosts."""

from django.urls import include, path

from api.views import DialogueViewSet, Router, SchemaView

router = Router()
router.register("dialogues", DialogueViewSet, basename="dialogue")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SchemaView.as_view(), name="api-schema"),
]
