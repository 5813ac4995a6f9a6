"""Writes for staff accounts: inviting staff by email with a role, accepting, removing."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import DemographicQuestion, InviteCode, StaffInvitation, User
from accounts.roles import Capability, user_can
from accounts.selectors import staff_emails, staff_seats_in_use
from accounts.tasks import staff_invitation_send
from billing.entitlements import Feature, entitlement_check
from townsquare.errors import NotAllowed
from townsquare.lib.locks import schema_lock

INVITATION_DAYS = 7


def _staff_seat_check(*, invitation_email: str) -> None:
    """Raises PlanLimitError unless the plan has a seat for the person invited with this
    address (see staff_seats_in_use). Holds the site's seat lock until the transaction
    ends, so two invitations at once cannot both take the last seat."""
    schema_lock("staff_seats")
    if invitation_email in staff_emails():
        return  # an invitation to someone already staff changes their role: no new seat
    entitlement_check(Feature.STAFF_SEATS, in_use=staff_seats_in_use(besides=invitation_email))


@transaction.atomic
def staff_invite(*, by: User, email: str, role: str) -> StaffInvitation:
    if not user_can(by, Capability.INVITE_STAFF):
        raise NotAllowed("Only admins can invite staff.")
    if role not in User.Role.values or role == User.Role.RESIDENT:
        raise ValidationError("Choose a staff role.")
    email = email.strip().lower()
    validate_email(email)
    _staff_seat_check(invitation_email=email)
    StaffInvitation.objects.filter(email=email, accepted_at__isnull=True).delete()
    invitation = StaffInvitation.objects.create(
        email=email,
        role=role,
        token=secrets.token_urlsafe(32),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    transaction.on_commit(lambda: staff_invitation_send.delay(invitation_id=invitation.pk))
    return invitation


@transaction.atomic
def staff_invitation_accept(*, token: str, user: User) -> StaffInvitation:
    invitation = (
        StaffInvitation.objects.select_for_update().filter(token=token).first() if token else None
    )
    if invitation is None or invitation.accepted_at is not None:
        raise NotAllowed("This invitation has been used or withdrawn.")
    if invitation.expires_at <= timezone.now():
        raise NotAllowed("This invitation has expired. Ask for a new one.")
    if user.email.strip().lower() != invitation.email:
        raise NotAllowed(
            "This invitation was sent to a different email address. Sign in with the "
            "account that uses it."
        )
    # Counted when it was sent; checked again in case the plan has changed since.
    _staff_seat_check(invitation_email=invitation.email)
    user.role = invitation.role
    user.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return invitation


@transaction.atomic
def staff_role_remove(*, by: User, user: User) -> None:
    if not user_can(by, Capability.INVITE_STAFF):
        raise NotAllowed("Only admins can change staff roles.")
    if user.pk == by.pk:
        raise NotAllowed("You cannot remove your own role; ask another admin.")
    user.role = User.Role.RESIDENT
    user.save(update_fields=["role"])


@transaction.atomic
def staff_invitation_withdraw(*, by: User, invitation_id: int) -> StaffInvitation | None:
    """Withdraws an invitation not yet accepted: its link stops working and its seat is free."""
    if not user_can(by, Capability.INVITE_STAFF):
        raise NotAllowed("Only admins can withdraw invitations.")
    invitation = StaffInvitation.objects.filter(pk=invitation_id, accepted_at__isnull=True).first()
    if invitation is not None:
        invitation.delete()
    return invitation


@transaction.atomic
def demographic_question_add(*, text: str, choices: str) -> DemographicQuestion:
    """An optional sign-up question with fixed answers (one per line)."""
    question = DemographicQuestion(text=text, choices=choices)
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def demographic_question_toggle(*, question_id: int) -> DemographicQuestion | None:
    """Asks the question at sign-up, or stops asking it; answers already given are kept."""
    question = DemographicQuestion.objects.select_for_update().filter(pk=question_id).first()
    if question is not None:
        question.active = not question.active
        question.save(update_fields=["active"])
    return question


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


@transaction.atomic
def invite_code_create(*, by: User, label: str, valid_hours: int, max_uses: int) -> InviteCode:
    if not user_can(by, Capability.ISSUE_CODES):
        raise NotAllowed("Your role cannot issue join codes.")
    if not 1 <= valid_hours <= 24 * 14 or not 1 <= max_uses <= 200:
        raise ValidationError("A code lasts 1 hour to 14 days, for 1 to 200 people.")
    code = "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(2))
    return InviteCode.objects.create(
        code=code,
        label=label.strip()[:100] or "Youth session",
        created_by=by,
        valid_until=timezone.now() + timedelta(hours=valid_hours),
        max_uses=max_uses,
    )


@transaction.atomic
def invite_code_revoke(*, code: InviteCode, by: User) -> None:
    if not user_can(by, Capability.ISSUE_CODES):
        raise NotAllowed("Your role cannot revoke join codes.")
    InviteCode.objects.filter(pk=code.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def join_with_code(*, code: str, username: str, password: str) -> User:
    """Creates a resident with no email from a valid code, counting one use."""
    invite = (
        InviteCode.objects.select_for_update()
        .filter(code=code.strip().upper(), revoked_at__isnull=True)
        .first()
    )
    if invite is None or invite.valid_until <= timezone.now() or invite.uses >= invite.max_uses:
        raise ValidationError(
            "That code is not valid any more. Ask the person running the session."
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError("That username is taken. Pick another.")
    user = User(username=username, joined_with_code=invite)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password", "email"])
    user.save()
    InviteCode.objects.filter(pk=invite.pk).update(uses=F("uses") + 1)
    return user
