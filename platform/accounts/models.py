"""The user model: one table per schema, so an account exists in exactly one site."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A resident or staff member of one tenant, or (in the public schema) platform staff.

    Residents are known publicly only by their username; emails are never shown.
    """

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
