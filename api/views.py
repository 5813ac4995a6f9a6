"""API views on a tenant's host; every one needs a plan that includes the API."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.views import SpectacularAPIView
from rest_framework import routers, viewsets
from rest_framework.permissions import IsAuthenticatedOrReadOnly

from api.permissions import PlanIncludesApi
from api.serializers import DialogueSerializer
from dialogues import selectors
from dialogues.models import Dialogue


class DialogueViewSet(viewsets.ReadOnlyModelViewSet[Dialogue]):
    """Listed open and closed dialogues of this organisation."""

    permission_classes = [PlanIncludesApi, IsAuthenticatedOrReadOnly]
    serializer_class = DialogueSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Dialogue]:
        return selectors.dialogue_list_public()


class ApiRootView(routers.APIRootView):
    """The list of endpoints at /api/v1/."""

    permission_classes = [PlanIncludesApi, IsAuthenticatedOrReadOnly]


class Router(routers.DefaultRouter):
    APIRootView = ApiRootView


class SchemaView(SpectacularAPIView):
    """The OpenAPI description, public on sites whose plan includes the API."""

    permission_classes = [PlanIncludesApi]
