"""The user model: one table per schema, so an account exists in exactly one site."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


# The stubs cannot see the token model's manager: knox, its base, has no type hints.
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A resident or staff member of one tenant, or (in the public schema) platform staff.

    Residents are known publicly only by their username; emails are never shown.
    """

    class Role(models.TextChoices):
        RESIDENT = "", "Resident"
        ADMIN = "admin", "Admin"
        MODERATOR = "moderator", "Moderator"
        SAFEGUARDING = "safeguarding", "Safeguarding lead"
        ANALYST = "analyst", "Analyst"
        YOUTH_WORKER = "youth_worker", "Youth worker"

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.RESIDENT, blank=True)

    class AgeBand(models.TextChoices):
        UNKNOWN = "", "Prefer not to say"
        UNDER_16 = "under_16", "Under 16"
        AGE_16_17 = "16_17", "16 or 17"
        AGE_18_24 = "18_24", "18 to 24"
        AGE_25_PLUS = "25_plus", "25 or over"

    # Optional, never shown publicly; used for the under-18 moderation rule and, in
    # aggregates of at least five people, in insights. Purged by the retention task.
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, default="", blank=True)
    # Set for accounts made with a youth-work invite code: no email needed, pre-moderated.
    joined_with_code = models.ForeignKey(
        "accounts.InviteCode", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Banned residents can read but not post until then; a far-future date is permanent.
    banned_until = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]

    @property
    def is_under_18(self) -> bool:
        return self.age_band in {self.AgeBand.UNDER_16, self.AgeBand.AGE_16_17}

    @property
    def is_banned(self) -> bool:
        return self.banned_until is not None and self.banned_until > timezone.now()

    @property
    def is_tenant_staff(self) -> bool:
        """Speaks for the organisation on this site (any staff role)."""
        return bool(self.role) and self.is_active


class StaffInvitation(models.Model):
    """An emailed invitation to become staff with a role, accepted by signing in."""

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=User.Role.choices)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation as {self.get_role_display()}"


class InviteCode(models.Model):
    """Lets young people join during a session with a username and password only."""

    code = models.CharField(max_length=20, unique=True)
    label = models.CharField(max_length=100, help_text="e.g. Tuesday youth club, Kirkby")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    valid_until = models.DateTimeField()
    max_uses = models.PositiveIntegerField()
    uses = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uses__lte=models.F("max_uses")), name="code_uses_within_limit"
            )
        ]

    def __str__(self) -> str:
        return self.label


class DemographicQuestion(models.Model):
    """An optional question asked at sign-up (e.g. borough); answers are never public."""

    text = models.CharField(max_length=200)
    # One choice per line; residents may always skip the question.
    choices = models.TextField(help_text="One answer per line.")
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def choice_list(self) -> list[str]:
        return [line.strip()[:100] for line in self.choices.splitlines() if line.strip()]


class DemographicAnswer(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="demographic_answers")
    question = models.ForeignKey(
        DemographicQuestion, on_delete=models.CASCADE, related_name="answers"
    )
    answer = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"
