"""One row per tenant schema holding the organisation's choices for its site."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class SiteSettings(models.Model):
    singleton = models.BooleanField(default=True, unique=True, editable=False)
    require_verified_email = models.BooleanField(
        default=True, help_text="Residents must confirm their email address before posting."
    )
    idea_edit_window_minutes = models.PositiveIntegerField(
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(60 * 24 * 7)],
        help_text="How long after posting an author may still edit an idea.",
    )

    class Meta:
        verbose_name_plural = "site settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(singleton=True), name="sitesettings_one_row")
        ]

    def __str__(self) -> str:
        return "Site settings"
