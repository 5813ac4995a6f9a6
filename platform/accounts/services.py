"""Writes for staff accounts: inviting staff by email with a role, accepting, removing."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import DemographicAnswer, InviteCode, StaffInvitation, User
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


def account_export(*, user: User) -> dict[str, Any]:
    """Everything this site holds about a resident, for them to download."""
    from allauth.account.models import EmailAddress

    from dialogues.models import Comment, Idea, Rating
    from moderation.models import Report, SafeguardingConcern
    from notifications.models import EmailPreference, Follow, Notification

    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    preference = EmailPreference.objects.filter(user=user).first()
    return {
        "account": {
            "username": user.username,
            "date_joined": when(user.date_joined),
            "last_login": when(user.last_login),
            "role": user.role or "resident",
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user)
        ],
        "email_notifications": preference.mode if preference else "immediate",
        "age_band": user.age_band,
        "demographic_answers": [
            {"question": a.question.text, "answer": a.answer}
            for a in DemographicAnswer.objects.filter(user=user).select_related("question")
        ],
        "ideas": [
            {
                "dialogue": i.dialogue.title,
                "title": i.title,
                "body": i.body,
                "created_at": when(i.created_at),
                "visibility": i.visibility,
                "withdrawn": i.is_withdrawn,
            }
            for i in Idea.objects.filter(author=user).select_related("dialogue")
        ],
        "comments": [
            {"idea": c.idea.title, "body": c.body, "created_at": when(c.created_at)}
            for c in Comment.objects.filter(author=user).select_related("idea")
        ],
        "ratings": [
            {"idea": r.idea.title, "stars": r.stars}
            for r in Rating.objects.filter(user=user).select_related("idea")
        ],
        "following": [
            {"idea": f.idea.title}
            if f.idea
            else {"dialogue": f.dialogue.title if f.dialogue else ""}
            for f in Follow.objects.filter(user=user).select_related("idea", "dialogue")
        ],
        "notifications": [
            {"message": n.message, "created_at": when(n.created_at)}
            for n in Notification.objects.filter(recipient=user)
        ],
        "reports_made": [
            {"reason": r.reason, "details": r.details, "created_at": when(r.created_at)}
            for r in Report.objects.filter(reporter=user)
        ],
        "safeguarding_concerns_raised": [
            {"category": s.category, "message": s.message, "created_at": when(s.created_at)}
            for s in SafeguardingConcern.objects.filter(raised_by=user)
        ],
    }


REMOVED = "[removed by its author]"


@transaction.atomic
def account_delete(*, user: User, remove_content: bool) -> None:
    """Deletes the account. Posts stay as a former participant's, or are removed.

    Removing keeps other people's replies: the resident's ideas are withdrawn and
    emptied, their comments deleted; counters follow.
    """
    from django.db.models import F
    from django.db.models.functions import Greatest

    from dialogues.models import Comment, Idea, Rating
    from moderation.models import AuditEntry, Visibility

    for rating in Rating.objects.filter(user=user).select_related("idea"):
        Idea.objects.filter(pk=rating.idea_id).update(
            rating_count=Greatest(F("rating_count") - 1, 0),
            rating_total=Greatest(F("rating_total") - rating.stars, 0),
        )
    if remove_content:
        published = Comment.objects.filter(author=user, visibility=Visibility.PUBLISHED)
        for comment in published:
            Idea.objects.filter(pk=comment.idea_id).update(
                comment_count=Greatest(F("comment_count") - 1, 0)
            )
        Comment.objects.filter(author=user).delete()
        Idea.objects.filter(author=user).update(
            title=REMOVED, body=REMOVED, withdrawn_at=timezone.now()
        )
    AuditEntry.objects.create(
        actor=None,
        actor_name="system",
        action="account deleted",
        target_type="user",
        target_id=user.pk,
        reason="content removed" if remove_content else "content kept as a former participant's",
    )
    user.delete()


def retention_purge(*, now: datetime | None = None) -> int:
    """Deletes residents' emails and ages once their dialogues are long closed.

    A resident's clock starts when the last dialogue they posted, commented or rated in
    closed (or, if they never took part, when they last signed in or joined). Posts stay,
    under their username. Returns how many residents were purged.
    """
    from allauth.account.models import EmailAddress

    from dialogues.models import Dialogue
    from sitesettings.selectors import site_settings_get

    now = now or timezone.now()
    cutoff = now - timedelta(days=site_settings_get().retention_days)
    closed = {Dialogue.State.CLOSED, Dialogue.State.ARCHIVED}
    purged = 0
    candidates = User.objects.filter(
        Q(role=""), ~Q(email="") | ~Q(age_band="") | Q(demographic_answers__isnull=False)
    ).distinct()
    for user in candidates.iterator():
        dialogues = list(
            Dialogue.objects.filter(
                Q(ideas__author=user)
                | Q(ideas__comments__author=user)
                | Q(ideas__ratings__user=user)
            )
            .distinct()
            .values_list("state", "closes_at", "updated_at")
        )
        if any(state not in closed for state, _, _ in dialogues):
            continue
        if dialogues:
            last = max((closes_at or updated_at) for _, closes_at, updated_at in dialogues)
        else:
            last = user.last_login or user.date_joined
        if last > cutoff:
            continue
        with transaction.atomic():
            EmailAddress.objects.filter(user=user).delete()
            DemographicAnswer.objects.filter(user=user).delete()
            User.objects.filter(pk=user.pk).update(email="", age_band="")
        purged += 1
    return purged


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
    from django.contrib.auth.password_validation import validate_password

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
