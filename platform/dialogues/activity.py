"""A per-dialogue activity stamp in the cache, so live polls that find nothing new cost
no database query however many people are watching."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction


def _key(dialogue_id: int) -> str:
    # The cache key function adds the tenant's schema, so stamps never cross tenants.
    return f"dialogue-activity:{dialogue_id}"


def activity_touch(*, dialogue_id: int) -> None:
    """Marks the dialogue as changed once the current transaction commits."""
    transaction.on_commit(lambda: cache.set(_key(dialogue_id), repr(time.time()), timeout=None))


def activity_stamp(*, dialogue_id: int) -> str:
    """The stamp of the last change, creating one when the cache has none."""
    stamp = cache.get(_key(dialogue_id))
    if stamp is None:
        stamp = repr(time.time())
        cache.add(_key(dialogue_id), stamp, timeout=None)
        stamp = cache.get(_key(dialogue_id), stamp)
    return str(stamp)
