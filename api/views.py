"""API views on a tenant's host."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets

from api.serializers import DialogueSerializer
from dialogues import selectors
from dialogues.models import Dialogue


class DialogueViewSet(viewsets.ReadOnlyModelViewSet[Dialogue]):
    """Listed open and closed dialogues of this organisation."""

    serializer_class = DialogueSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Dialogue]:
        return selectors.dialogue_list_public()
