"""Reads for personal access tokens."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from api.models import ApiToken


def token_list(*, user: User) -> QuerySet[ApiToken]:
    """This person's tokens that still work, newest first (expired ones are gone)."""
    return ApiToken.objects.filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()), user=user
    ).order_by("-created")
