"""Reads about residents: demographics only ever shown in aggregate, and their own account."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db.models import Count
from django.utils import timezone

from accounts.models import DemographicAnswer, DemographicQuestion, StaffInvitation, User

MIN_GROUP = 5


@dataclass(frozen=True)
class Tally:
    question: str
    rows: list[tuple[str, str]]  # (answer, count or "fewer than 5")


def demographic_tallies() -> list[Tally]:
    """Counts per answer, with any group smaller than five shown only as "fewer than 5"."""

    def shown(count: int) -> str:
        return str(count) if count >= MIN_GROUP else f"fewer than {MIN_GROUP}"

    tallies = []
    ages = dict(
        User.objects.filter(role="")
        .values_list("age_band")
        .annotate(n=Count("pk"))
        .values_list("age_band", "n")
    )
    tallies.append(
        Tally(
            "Age",
            [
                (str(label), shown(ages.get(value, 0)))
                for value, label in User.AgeBand.choices
                if value
            ],
        )
    )
    for question in DemographicQuestion.objects.all():
        counts = dict(
            DemographicAnswer.objects.filter(question=question)
            .values_list("answer")
            .annotate(n=Count("pk"))
            .values_list("answer", "n")
        )
        tallies.append(
            Tally(
                question.text,
                [(choice, shown(counts.get(choice, 0))) for choice in question.choice_list],
            )
        )
    return tallies


def unconfirmed_email(*, user: User) -> str:
    """The address this person has not confirmed yet (their primary one first), or ""."""
    found = (
        EmailAddress.objects.filter(user=user, verified=False)
        .order_by("-primary", "pk")
        .values_list("email", flat=True)
        .first()
    )
    return found or ""


def staff_emails() -> set[str]:
    """The addresses of the site's active staff, lower-cased."""
    return {
        address.strip().lower()
        for address in User.objects.filter(is_active=True)
        .exclude(role=User.Role.RESIDENT)
        .values_list("email", flat=True)
    }


def staff_seats_in_use(*, besides: str = "") -> int:
    """Staff seats taken: active staff, and unexpired invitations not yet accepted to
    someone who is not staff already (besides: an address whose invitation is being
    replaced or accepted, so not counted)."""
    staff = staff_emails()
    pending = StaffInvitation.objects.filter(
        accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).values_list("email", flat=True)
    invited = {address for address in pending if address != besides} - staff
    active = User.objects.filter(is_active=True).exclude(role=User.Role.RESIDENT).count()
    return active + len(invited)
