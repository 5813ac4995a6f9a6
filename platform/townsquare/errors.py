"""The error services raise when a rule stops someone; views show its message as it is."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class NotAllowed(PermissionDenied):
    """A rule stops this person doing this; the message says why, in plain words."""
