"""One row per tenant schema holding the organisation's choices for its site."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def https_only(value: str) -> None:
    if not value.startswith("https://"):
        raise ValidationError("Use an https:// address.")


class SiteSettings(models.Model):
    singleton = models.BooleanField(default=True, unique=True, editable=False)
    require_verified_email = models.BooleanField(
        default=True, help_text="Residents must confirm their email address before posting."
    )
    quick_exit_url = models.URLField(
        default="https://www.bbc.co.uk/weather",
        validators=[https_only],
        help_text="Where the “Emergency exit this page” button takes people: a neutral site.",
    )
    premoderate_under_18 = models.BooleanField(
        default=True,
        help_text="Hold posts by residents who said they are under 18 until a moderator approves.",
    )
    retention_days = models.PositiveIntegerField(
        default=365,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
        help_text=(
            "Days after the last dialogue a resident took part in closes before their email "
            "address and age are deleted. Their posts stay, under their username."
        ),
    )
    blocked_words = models.TextField(
        blank=True,
        help_text=(
            "Posts containing any of these words or phrases (one per line) are held for review."
        ),
    )
    report_threshold = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="After this many reports a post is hidden until a moderator reviews it.",
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


class Signpost(models.Model):
    """A helpline or service shown beside every dialogue, for people who need support."""

    name = models.CharField(max_length=100)
    description = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    url = models.URLField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_link(self) -> str:
        return "tel:" + "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
