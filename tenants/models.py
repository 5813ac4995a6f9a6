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


class DemoRequest(models.Model):
    """An organisation asking for a demo; contact details are purged after it is closed."""

    class Stage(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        DEMO_BOOKED = "demo_booked", "Demo booked"
        TRIAL = "trial", "Trial"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    name = models.CharField(max_length=120)
    organisation = models.CharField(max_length=200)
    role = models.CharField(max_length=120)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    message = models.TextField(max_length=3000, blank=True)
    consent = models.BooleanField()
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.NEW)
    owner = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_stage_display()})"

    def save(self, *args: object, **kwargs: object) -> None:
        from django.utils import timezone

        closed = self.stage in {self.Stage.WON, self.Stage.LOST}
        if closed and self.closed_at is None:
            self.closed_at = timezone.now()
        elif not closed:
            self.closed_at = None
        super().save(*args, **kwargs)  # type: ignore[arg-type]
