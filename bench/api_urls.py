"""The tenant URLs as served, plus two bare DRF views to compare the ideas API with: one
that only answers, and one listing the same ideas the way DRF's tutorial would."""

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dialogues.models import Idea
from townsquare.urls_tenant import handler400, handler403, handler404, handler500, urlpatterns


class Bare(APIView):
    """DRF's request handling and JSON rendering alone: no authentication, permission,
    throttle, query or serializer."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes: list[Any] = []

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class _BareIdea(serializers.ModelSerializer[Idea]):
    author = serializers.CharField(source="author.username", default=None)
    tags = serializers.ManyRelatedField(
        child_relation=serializers.SlugRelatedField[Any](read_only=True, slug_field="slug"),
        read_only=True,
    )

    class Meta:
        model = Idea
        fields = [
            "id", "title", "body", "tags", "author", "status", "rating_count", "rating_total",
            "comment_count", "responded_at", "created_at",
        ]  # fmt: skip


class _Pages(PageNumberPagination):
    page_size = 20


class BareIdeas(generics.ListAPIView[Idea]):
    """The same 20 ideas with plain DRF: a ModelSerializer, page numbers, nothing checked."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes: list[Any] = []
    serializer_class = _BareIdea
    pagination_class = _Pages

    def get_queryset(self) -> QuerySet[Idea]:
        return (
            Idea.objects.filter(dialogue__slug=self.kwargs["slug"], visibility="published")
            .select_related("author")
            .prefetch_related("tags")
            .order_by("-created_at")
        )


urlpatterns = [
    *urlpatterns,
    path("bench/bare/", Bare.as_view()),
    path("bench/bare-ideas/<slug:slug>/", BareIdeas.as_view()),
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
