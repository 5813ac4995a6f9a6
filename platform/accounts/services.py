"""Writes for staff accounts: inviting staff by email with a role, accepting, removing."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.models import StaffInvitation, User
from accounts.roles import Capability, user_can
from townsquare.errors import NotAllowed

INVITATION_DAYS = 7


@transaction.atomic
def staff_invite(*, by: User, email: str, role: str) -> StaffInvitation:
    if not user_can(by, Capability.INVITE_STAFF):
        raise NotAllowed("Only admins can invite staff.")
    if role not in User.Role.values or role == User.Role.RESIDENT:
        raise ValidationError("Choose a staff role.")
    email = email.strip().lower()
    validate_email(email)
    StaffInvitation.objects.filter(email=email, accepted_at__isnull=True).delete()
    invitation = StaffInvitation.objects.create(
        email=email,
        role=role,
        token=secrets.token_urlsafe(32),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    from accounts.tasks import staff_invitation_send

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
