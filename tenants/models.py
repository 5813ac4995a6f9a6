"""An organisation's site (one PostgreSQL schema) and the host names that reach it."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import get_public_schema_name

from billing.plans import PLAN_CHOICES, TRIAL

# A DNS label: lowercase letters, digits and inner hyphens; the schema swaps hyphens for
# underscores, which DNS labels cannot contain, so two slugs never share a schema.
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def schema_name_for(slug: str) -> str:
    return slug.replace("-", "_")


class Tenant(TenantMixin):
    class Status(models.TextChoices):
        PROVISIONING = "provisioning", "Provisioning"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    name = models.CharField(max_length=200)
    slug = models.CharField(max_length=63, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    plan = models.CharField(max_length=30, choices=PLAN_CHOICES, default=TRIAL.key)
    created_at = models.DateTimeField(auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return bool(self.schema_name == get_public_schema_name())

    def clean(self) -> None:
        if not self.is_public and not SLUG_RE.match(self.slug or ""):
            raise ValidationError(
                {
                    "slug": "Use 1–63 lowercase letters, digits or hyphens, not starting or ending "
                    "with a hyphen."
                }
            )


class Domain(DomainMixin):
    def __str__(self) -> str:
        return str(self.domain)
