"""Privacy's periodic work, run by beat in every tenant's schema."""

from __future__ import annotations

from dialogues.services import gathering_uploads_forget
from privacy.services import retention_purge
from townsquare.celery import app


@app.task(acks_late=True, soft_time_limit=600, time_limit=660)
def privacy_retention_purge() -> int:
    """Daily, in every tenant: data minimisation once dialogues are long closed, and uploads
    left staged for two weeks forgotten."""
    gathering_uploads_forget()
    return retention_purge()
