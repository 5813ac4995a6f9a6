"""Personal access tokens: hashed at rest by knox, with a name, a scope and when last used."""

from __future__ import annotations

from django.db import models
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """One person's key to the API on one site (each schema has its own table, so a token
    made on one site means nothing on another). Only its digest is kept; the token itself
    is shown once, when it is made."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read_write", "Read and write"

    name = models.CharField(max_length=80)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Token {self.name!r} ({self.token_key})"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE
