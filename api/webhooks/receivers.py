"""Webhooks react to what becomes public in dialogues (connected in WebhooksConfig.ready)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from api.webhooks import selectors, services, tasks
from api.webhooks.models import EventType
from dialogues import signals
from dialogues.models import Comment, Idea, StatusChange

logger = logging.getLogger(__name__)


def _record(event_type: str, payload_of: Callable[[], dict[str, Any] | None]) -> None:
    # One query when no endpoint wants the event. In a savepoint and never raising: a
    # resident's post must not fail because an integration could not be told of it.
    try:
        if not selectors.endpoints_subscribed_exist(event_type=event_type):
            return
        with transaction.atomic():
            payload = payload_of()
            if payload is None:
                return
            ids = services.event_record(event_type=event_type, payload=payload)
    except Exception:
        logger.exception("Webhook event %s not recorded", event_type)
        return
    tasks.deliveries_queue(ids)


@receiver(signals.post_published)
def _post_published(sender: type, *, item: Idea | Comment, **kwargs: Any) -> None:
    if isinstance(item, Idea):
        event_type = EventType.IDEA_PUBLISHED
    elif item.is_official:
        event_type = EventType.RESPONSE_PUBLISHED
    else:
        event_type = EventType.COMMENT_PUBLISHED
    _record(event_type, lambda: selectors.payload_for_post(item=item))


@receiver(signals.status_changed)
def _status_changed(sender: type[StatusChange], *, change: StatusChange, **kwargs: Any) -> None:
    _record(EventType.STATUS_CHANGED, lambda: selectors.payload_for_status(change=change))
