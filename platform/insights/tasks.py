"""Celery tasks for insights; each runs in the schema of the tenant it was sent from."""

from __future__ import annotations

from insights import services
from townsquare.celery import app


# Embedding 5,000 contributions takes about a minute on two cores; the limits leave room.
@app.task(acks_late=True, soft_time_limit=900, time_limit=960)
def insights_theme_run(*, run_id: int) -> str:
    run = services.theme_run_execute(run_id=run_id)
    return run.state if run is not None else "gone"


@app.task(acks_late=True, soft_time_limit=60, time_limit=90)
def insights_idea_embed(*, idea_id: int) -> bool:
    return services.idea_embed(idea_id=idea_id)


@app.task(acks_late=True, soft_time_limit=120, time_limit=150)
def insights_themes_redescribe(*, dialogue_id: int) -> None:
    services.themes_redescribe(dialogue_id=dialogue_id)
