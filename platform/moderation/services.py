"""Writes for moderation: screening new posts, and moderators' decisions, each audited.

Moderation knows posts only as `Moderated` rows: each write returns the `Change` it made to
a post's visibility, and the dialogues layer reacts to it (counters, notifications).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Capability, user_can
from moderation.models import (
    PRE_MODERATION,
    REPORTS,
    SAFEGUARDING,
    WAITING,
    AuditEntry,
    Moderated,
    Report,
    SafeguardingConcern,
    Visibility,
)
from moderation.personal_details import blocked_words_parse, find_personal_details
from moderation.tasks import safeguarding_alert_leads
from sitesettings.selectors import site_settings_get
from townsquare.errors import NotAllowed


@dataclass(frozen=True)
class Change:
    """A post's visibility before and after a moderation write."""

    item: Moderated
    before: str
    after: str

    @property
    def published(self) -> bool:
        """Became public for the first time (it was held before)."""
        return self.before == Visibility.HELD and self.after == Visibility.PUBLISHED

    @property
    def restored(self) -> bool:
        """Public again after being hidden."""
        return self.before == Visibility.HIDDEN and self.after == Visibility.PUBLISHED

    @property
    def unpublished(self) -> bool:
        return self.before == Visibility.PUBLISHED and self.after != Visibility.PUBLISHED

    @property
    def rejected(self) -> bool:
        return self.before != Visibility.REJECTED and self.after == Visibility.REJECTED


def _target(item: Moderated) -> dict[str, Moderated]:
    """The report or concern field naming this post ("idea" or "comment")."""
    name = item._meta.model_name
    if name not in {"idea", "comment"}:
        raise TypeError(f"{name} cannot be moderated")
    return {name: item}


def screen(*, text: str, pre_moderated: bool) -> list[dict[str, str]]:
    """Why a new post must wait for a moderator; an empty list means publish it now."""
    blocked = blocked_words_parse(site_settings_get().blocked_words)
    reasons = [
        {"kind": finding.kind, "text": finding.text}
        for finding in find_personal_details(text, blocked_words=blocked)
    ]
    if pre_moderated:
        reasons.append({"kind": PRE_MODERATION, "text": ""})
    return reasons


def apply_screening(item: Moderated, reasons: list[dict[str, str]]) -> None:
    """Sets a new or edited post's visibility from its screening (before it is saved)."""
    if reasons:
        item.visibility = Visibility.HELD
        item.hold_reasons = reasons
        item.held_at = item.held_at or timezone.now()
    else:
        item.visibility = Visibility.PUBLISHED
        item.hold_reasons = []


def _snapshot(item: Moderated) -> dict[str, Any]:
    return {"visibility": item.visibility, "hold_reasons": item.hold_reasons}


def audit_record(
    *,
    actor: User | None,
    action: str,
    item: Moderated,
    reason: str = "",
    before: dict[str, Any] | None = None,
    outcome: str = "done",
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else "system",
        action=action,
        outcome=outcome,
        target_type=item._meta.model_name or "",
        target_id=item.pk,
        reason=reason,
        before=before or {},
        after=_snapshot(item),
    )


def report_create(
    *, item: Moderated, reporter: User | None, reason: str, details: str = ""
) -> tuple[Report, Change]:
    """Records a report; at the tenant's threshold the post is hidden for review."""
    if reason not in Report.Reason.values:
        raise ValidationError("Choose a reason.")
    if not item.is_published:
        raise NotAllowed("This post is already waiting for a moderator.")
    target = _target(item)
    model: Any = type(item)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=item.pk)
        open_reports = Report.objects.filter(resolved_at__isnull=True, **target)
        unchanged = Change(item=locked, before=locked.visibility, after=locked.visibility)
        if reporter is not None and open_reports.filter(reporter=reporter).exists():
            return open_reports.filter(reporter=reporter).get(), unchanged
        report = Report(reporter=reporter, reason=reason, details=details.strip(), **target)
        report.full_clean()
        report.save()
        count = open_reports.count()
        if locked.is_published and count >= site_settings_get().report_threshold:
            before = _snapshot(locked)
            locked.visibility = Visibility.HIDDEN
            locked.hold_reasons = [{"kind": REPORTS, "text": f"{count} reports"}]
            locked.held_at = timezone.now()
            locked.save(update_fields=["visibility", "hold_reasons", "held_at"])
            audit_record(
                actor=None, action="hide", item=locked, reason=f"{count} reports", before=before
            )
            return report, Change(item=locked, before=before["visibility"], after=locked.visibility)
    return report, unchanged


def reports_dismiss(*, item: Moderated, by: User, reason: str = "") -> int:
    """A moderator decides open reports on a public post need no action; audited."""
    _require_moderator(by, item)
    with transaction.atomic():
        dismissed = Report.objects.filter(resolved_at__isnull=True, **_target(item)).update(
            resolved_at=timezone.now()
        )
        if dismissed:
            audit_record(
                actor=by,
                action="dismiss reports",
                item=item,
                reason=reason.strip() or f"{dismissed} report{'s' if dismissed != 1 else ''}",
                before=_snapshot(item),
            )
    return dismissed


def decide(*, item: Moderated, by: User, approve: bool, reason: str = "") -> Change | None:
    """A moderator approves or rejects a held or hidden post.

    Returns None when someone else decided first: the attempt is still audited, and the
    caller shows the current state.
    """
    _require_moderator(by, item)
    if not approve and not reason.strip():
        raise NotAllowed("Tell the author why: a reason is needed to reject.")
    model: Any = type(item)
    action = "approve" if approve else "reject"
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=item.pk)
        before = _snapshot(locked)
        if locked.visibility not in WAITING:
            audit_record(
                actor=by, action=action, item=locked, reason=reason, before=before,
                outcome="superseded",
            )  # fmt: skip
            return None
        locked.visibility = Visibility.PUBLISHED if approve else Visibility.REJECTED
        locked.reviewed_at, locked.reviewed_by = timezone.now(), by
        locked.moderation_note = "" if approve else reason.strip()
        locked.save(update_fields=["visibility", "reviewed_at", "reviewed_by", "moderation_note"])
        audit_record(actor=by, action=action, item=locked, reason=reason, before=before)
        _resolve_reports(locked)
    return Change(item=locked, before=before["visibility"], after=locked.visibility)


def _resolve_reports(item: Moderated) -> None:
    Report.objects.filter(resolved_at__isnull=True, **_target(item)).update(
        resolved_at=timezone.now()
    )


def safeguarding_raise(
    *,
    category: str,
    raised_by: User | None,
    item: Moderated | None = None,
    message: str = "",
) -> SafeguardingConcern:
    """Hides the post at once (if any) and alerts every safeguarding lead by email.

    The caller reads the post's visibility under its own lock when it must react to the hide.
    """
    if category not in SafeguardingConcern.Category.values:
        raise ValidationError("Choose what you are worried about.")
    if item is None and not message.strip():
        raise ValidationError("Tell us what is worrying you.")
    with transaction.atomic():
        concern = SafeguardingConcern(
            category=category, raised_by=raised_by, message=message.strip()
        )
        if item is not None:
            for field, post in _target(item).items():
                setattr(concern, field, post)
            model: Any = type(item)
            locked = model.objects.select_for_update().get(pk=item.pk)
            if locked.visibility != Visibility.HIDDEN or not _is_safeguarding(locked):
                before = _snapshot(locked)
                locked.visibility = Visibility.HIDDEN
                locked.hold_reasons = [
                    {"kind": SAFEGUARDING, "text": concern.get_category_display()}
                ]
                locked.held_at = timezone.now()
                locked.save(update_fields=["visibility", "hold_reasons", "held_at"])
                audit_record(
                    actor=raised_by, action="safeguarding hide", item=locked, before=before
                )
        concern.full_clean()
        concern.save()
        transaction.on_commit(lambda: safeguarding_alert_leads.delay(concern_id=concern.pk))
    return concern


def _is_safeguarding(item: Moderated) -> bool:
    return any(reason["kind"] == SAFEGUARDING for reason in item.hold_reasons)


def safeguarding_handle(
    *, concern: SafeguardingConcern, by: User, note: str
) -> SafeguardingConcern:
    """A lead records what they did; the post stays hidden (restoring it is a decision)."""
    if not user_can(by, Capability.SAFEGUARD):
        raise NotAllowed("Only safeguarding leads can do this.")
    if not note.strip():
        raise ValidationError("Record what you did, for the next lead.")
    with transaction.atomic():
        locked = SafeguardingConcern.objects.select_for_update().get(pk=concern.pk)
        if locked.handled_at is not None:
            raise NotAllowed(f"Already handled by another lead: {locked.handling_note}")
        locked.handled_at, locked.handled_by, locked.handling_note = (
            timezone.now(),
            by,
            note.strip(),
        )
        locked.save(update_fields=["handled_at", "handled_by", "handling_note"])
    return locked


REDACTED = "[removed by a moderator]"


def _require_moderator(user: User, item: Moderated | None = None) -> None:
    if not user_can(user, Capability.MODERATE):
        raise NotAllowed("Only moderators can do this.")
    if item is not None and _is_safeguarding(item) and not user_can(user, Capability.SAFEGUARD):
        raise NotAllowed("Only safeguarding leads can decide on this post.")


def hide(*, item: Moderated, by: User, reason: str) -> Change | None:
    """A moderator takes a published post out of view pending review."""
    _require_moderator(by, item)
    if not reason.strip():
        raise ValidationError("Give a reason for hiding it.")
    model: Any = type(item)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=item.pk)
        before = _snapshot(locked)
        if not locked.is_published:
            audit_record(actor=by, action="hide", item=locked, reason=reason, before=before,
                         outcome="superseded")  # fmt: skip
            return None
        locked.visibility = Visibility.HIDDEN
        locked.hold_reasons = [{"kind": "moderator", "text": reason.strip()}]
        locked.held_at = timezone.now()
        locked.save(update_fields=["visibility", "hold_reasons", "held_at"])
        audit_record(actor=by, action="hide", item=locked, reason=reason, before=before)
    return Change(item=locked, before=before["visibility"], after=locked.visibility)


def redact(*, item: Moderated, by: User, text: str, reason: str) -> None:
    """Removes one passage from a post's body, keeping the rest; the audit keeps both."""
    _require_moderator(by, item)
    if not text.strip():
        raise ValidationError("Choose the words to remove.")
    model: Any = type(item)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=item.pk)
        if text not in locked.body:
            raise ValidationError("Those words are not in the post (it may have changed).")
        before = {"body": locked.body}
        locked.body = locked.body.replace(text, REDACTED)
        locked.save(update_fields=["body"])
        AuditEntry.objects.create(
            actor=by,
            actor_name=by.get_username(),
            action="redact",
            target_type=locked._meta.model_name or "",
            target_id=locked.pk,
            reason=reason,
            before=before,
            after={"body": locked.body},
        )


def ban(*, user: User, by: User, days: int | None, reason: str) -> None:
    """Stops a resident posting for some days, or for good (days None)."""
    _require_moderator(by)
    if user.is_tenant_staff:
        raise NotAllowed("Staff cannot be banned; an admin can remove their role.")
    if not reason.strip():
        raise ValidationError("Give a reason for the ban.")
    until = (
        timezone.now() + timedelta(days=days)
        if days
        else timezone.now() + timedelta(days=365 * 100)
    )
    with transaction.atomic():
        before = {"banned_until": user.banned_until.isoformat() if user.banned_until else None}
        user.banned_until = until
        user.save(update_fields=["banned_until"])
        AuditEntry.objects.create(
            actor=by,
            actor_name=by.get_username(),
            action="ban",
            target_type="user",
            target_id=user.pk,
            reason=reason,
            before=before,
            after={"banned_until": until.isoformat()},
        )
