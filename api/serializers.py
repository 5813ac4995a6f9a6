"""API representations; never include emails or other personal data."""

from __future__ import annotations

from rest_framework import serializers

from dialogues.models import Dialogue


class DialogueSerializer(serializers.ModelSerializer[Dialogue]):
    idea_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Dialogue
        fields = ["slug", "title", "question", "state", "opens_at", "closes_at", "idea_count"]
