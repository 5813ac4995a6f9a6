"""Celery tasks for dialogues; each runs in the schema of the tenant it was sent from."""

from __future__ import annotations

import logging

from django.db import connection

from dialogues.services import dialogues_apply_schedule as apply_schedule
from townsquare.celery import app

logger = logging.getLogger(__name__)


@app.task(acks_late=True, soft_time_limit=30, time_limit=60)
def dialogues_apply_schedule() -> dict[str, int]:
    opened, closed = apply_schedule()
    logger.info(
        "schedule applied in %s: %d opened, %d closed",
        getattr(connection, "schema_name", "?"),
        opened,
        closed,
    )
    return {"opened": opened, "closed": closed}
