"""Reads for webhooks: endpoints and deliveries for the pages, and what a payload may say.

A payload describes a post only as its public page shows it, and only while the public can
see it (the visibility rules of dialogues.selectors, read as an anonymous visitor): never
an email, an address, a demographic answer, a hold reason or a moderation note.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from api.webhooks.models import Delivery, Endpoint, EventType
from billing.entitlements import Feature, PlanLimitError, entitlement_check
from dialogues.models import Comment, Gathering, Idea, StatusChange
from dialogues.selectors import comments_visible, ideas_visible
from tenants.models import Tenant
from tenants.selectors import current_base_url

# Deliveries listed on an endpoint's page, newest first.
RECENT_DELIVERIES = 50
# A worker that died mid-send frees its claim by then (longer than the task's time limit).
CLAIM = timedelta(minutes=2)
# A pending delivery this far past due lost its task message; beat sends it again.
OVERDUE = timedelta(minutes=2)
# A retry may arrive a moment before its recorded due time (clocks, rounding).
SKEW = timedelta(seconds=5)


def plan_refusal() -> PlanLimitError | None:
    """Why this site's plan sends no webhooks, or None when it includes the API."""
    try:
        entitlement_check(Feature.API_ACCESS)
    except PlanLimitError as refusal:
        return refusal
    return None


# The pages


def endpoint_list() -> QuerySet[Endpoint]:
    return Endpoint.objects.all()


def endpoint_get(*, endpoint_id: int) -> Endpoint | None:
    return Endpoint.objects.filter(pk=endpoint_id).first()


def deliveries_recent(*, endpoint: Endpoint, limit: int = RECENT_DELIVERIES) -> list[Delivery]:
    return list(
        Delivery.objects.filter(endpoint=endpoint)
        .defer("payload")
        .order_by("-created_at", "-pk")[:limit]
    )


def delivery_get(*, endpoint: Endpoint, delivery_id: int) -> Delivery | None:
    return Delivery.objects.filter(endpoint=endpoint, pk=delivery_id).first()


def _subscribed(event_type: str) -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(is_active=True, event_types__contains=[event_type])


def endpoints_subscribed(*, event_type: str) -> list[Endpoint]:
    """Active endpoints that chose this event."""
    return list(_subscribed(event_type))


def endpoints_subscribed_exist(*, event_type: str) -> bool:
    return _subscribed(event_type).exists()


# The worker


def due(now: datetime) -> Q:
    return Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def deliveries_overdue() -> list[int]:
    """Pending deliveries to active endpoints well past due: their task message was lost."""
    now = timezone.now()
    return list(
        Delivery.objects.filter(
            due(now), next_attempt_at__lt=now - OVERDUE, endpoint__is_active=True
        ).values_list("pk", flat=True)[:1000]
    )


# Payloads


def site() -> dict[str, str]:
    tenant = connection.tenant  # type: ignore[attr-defined]
    if not isinstance(tenant, Tenant):
        tenant = Tenant.objects.filter(schema_name=connection.schema_name).first()  # type: ignore[attr-defined]
    return {"name": tenant.name if tenant is not None else "", "url": current_base_url()}


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _gathering(gathering: Gathering) -> dict[str, Any]:
    """Who a post is from when staff entered it for a group: the session, never the staff."""
    return {"type": "session", "place": gathering.place, "held_on": gathering.held_on.isoformat()}


def _author_of(item: Idea | Comment, *, site_name: str) -> dict[str, Any]:
    if isinstance(item, Comment) and item.is_official:
        return {"type": "organisation", "name": site_name}
    if item.gathering is not None:
        return _gathering(item.gathering)
    if item.author is not None:
        return {"type": "resident", "username": item.author.get_username()}
    return {"type": "former_participant"}


def _idea_public(idea: Idea, *, base: str, site_name: str) -> dict[str, Any]:
    dialogue = idea.dialogue
    return {
        "id": idea.pk,
        "url": f"{base}{idea.get_absolute_url()}",
        "title": idea.title,
        "body": idea.body,
        "author": _author_of(idea, site_name=site_name),
        "tags": sorted(tag.name for tag in idea.tags.all()),
        "status": {
            "code": idea.status or None,
            "label": idea.get_status_display() if idea.status else None,
            "explanation": idea.status_explanation or None,
        },
        "withdrawn": idea.is_withdrawn,
        "created_at": _when(idea.created_at),
        "dialogue": {
            "slug": dialogue.slug,
            "title": dialogue.title,
            "url": f"{base}{dialogue.get_absolute_url()}",
        },
    }


def _comment_public(comment: Comment, *, base: str, site_name: str) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "url": f"{base}{comment.idea.get_absolute_url()}#comment-{comment.pk}",
        "body": comment.body,
        "author": _author_of(comment, site_name=site_name),
        "official": comment.is_official,
        "reply_to": comment.parent_id,
        "created_at": _when(comment.created_at),
    }


def _envelope(event_type: str, data: dict[str, Any], *, site_of: dict[str, str]) -> dict[str, Any]:
    return {
        "type": event_type,
        "timestamp": _when(timezone.now()),
        "site": site_of,
        "data": data,
    }


def _idea_public_get(idea_id: int) -> Idea | None:
    return (
        ideas_visible()
        .select_related("dialogue", "author", "gathering")
        .prefetch_related("tags")
        .filter(pk=idea_id)
        .first()
    )


def payload_for_post(*, item: Idea | Comment) -> dict[str, Any] | None:
    """The payload of a post that became public; None unless anyone may see it on its page
    now."""
    site_of = site()
    base, name = site_of["url"], site_of["name"]
    if isinstance(item, Idea):
        idea = _idea_public_get(item.pk)
        if idea is None:
            return None
        data = {"idea": _idea_public(idea, base=base, site_name=name)}
        return _envelope(EventType.IDEA_PUBLISHED, data, site_of=site_of)
    comment = comments_visible().select_related("author", "gathering").filter(pk=item.pk).first()
    idea = _idea_public_get(item.idea_id) if comment is not None else None
    if comment is None or idea is None:
        return None
    comment.idea = idea
    event_type = (
        EventType.RESPONSE_PUBLISHED if comment.is_official else EventType.COMMENT_PUBLISHED
    )
    data = {
        "comment": _comment_public(comment, base=base, site_name=name),
        "idea": _idea_public(idea, base=base, site_name=name),
    }
    return _envelope(event_type, data, site_of=site_of)


def payload_for_status(*, change: StatusChange) -> dict[str, Any] | None:
    site_of = site()
    idea = _idea_public_get(change.idea_id)
    if idea is None:
        return None
    data = {
        "status_change": {
            "status": change.status,
            "label": change.get_status_display(),
            "explanation": change.explanation,
            "changed_at": _when(change.created_at),
        },
        "idea": _idea_public(idea, base=site_of["url"], site_name=site_of["name"]),
    }
    return _envelope(EventType.STATUS_CHANGED, data, site_of=site_of)


def payload_for_ping() -> dict[str, Any]:
    return _envelope(
        EventType.PING, {"message": "A test event sent from the admin area."}, site_of=site()
    )


def subject_still_public(*, payload: dict[str, Any]) -> bool:
    """Whether what a payload describes is still public now (checked before each attempt:
    a post hidden, withdrawn from view or whose dialogue went back to draft is not sent)."""
    data = payload.get("data") or {}
    comment = data.get("comment")
    if comment is not None:
        return comments_visible().filter(pk=comment.get("id")).exists()
    idea = data.get("idea")
    if idea is not None:
        return ideas_visible().filter(pk=idea.get("id")).exists()
    return True
