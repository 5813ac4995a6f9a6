"""Reads for moderation records: the audit log and the safeguarding leads' queue."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.roles import Capability, user_can
from moderation.models import SAFEGUARDING, AuditEntry, SafeguardingConcern


def safeguarding_entries() -> Q:
    """Audit entries about safeguarding: who raised a concern, what the leads decided."""
    # Containment on the whole column: never NULL, so exclude() drops only these entries.
    held = {"hold_reasons": [{"kind": SAFEGUARDING}]}
    return Q(action__startswith="safeguarding") | Q(before__contains=held) | Q(after__contains=held)


def audit_log(*, viewer: object, limit: int = 100) -> QuerySet[AuditEntry]:
    """The newest entries this viewer may read: safeguarding ones are for leads alone."""
    entries = AuditEntry.objects.all()
    if not user_can(viewer, Capability.SAFEGUARD):
        entries = entries.exclude(safeguarding_entries())
    return entries[:limit]


def safeguarding_queue() -> list[SafeguardingConcern]:
    """Open concerns first (newest first), then the last 50 handled ones."""
    related = ("idea__dialogue", "comment__idea__dialogue", "raised_by", "handled_by")
    open_concerns = (
        SafeguardingConcern.objects.filter(handled_at__isnull=True)
        .select_related(*related)
        .order_by("-created_at")
    )
    handled = (
        SafeguardingConcern.objects.filter(handled_at__isnull=False)
        .select_related(*related)
        .order_by("-handled_at")[:50]
    )
    return [*open_concerns, *handled]


def safeguarding_open_count() -> int:
    """Concerns no lead has handled yet."""
    return SafeguardingConcern.objects.filter(handled_at__isnull=True).count()
