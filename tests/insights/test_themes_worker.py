"""A real worker groups a dialogue: progress goes queued, running, done; the topics are found;
and a newly posted idea gets its vector from the receiver's task."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context
from sklearn.metrics import adjusted_rand_score

from accounts.models import User
from dialogues.models import Dialogue, Idea
from insights import services
from insights.models import Embedding, ThemeMember, ThemeRun
from tenants.models import Tenant
from tests.factories import IdeaFactory
from tests.harness.worker import Worker, worker_wait
from tests.insights.data import dialogue_with_known_ideas, known_ideas

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("committed_db")]


@pytest.fixture
def committed_known(tenant_a: Tenant) -> Iterator[Dialogue]:
    slug = f"worker-themes-{time.monotonic_ns() % 10**8}"
    with tenant_context(tenant_a):
        dialogue = dialogue_with_known_ideas(slug=slug)
    yield dialogue
    with tenant_context(tenant_a):
        authors = set(Idea.objects.filter(dialogue=dialogue).values_list("author_id", flat=True))
        Dialogue.objects.filter(pk=dialogue.pk).delete()
        User.objects.filter(pk__in=authors).delete()


def test_the_worker_groups_the_known_topics_reporting_progress(
    celery_worker: Worker, tenant_a: Tenant, committed_known: Dialogue
) -> None:
    with tenant_context(tenant_a):
        run = services.theme_run_request(dialogue=committed_known, by=None)
        seen = [run.state]
        progress = []
        deadline = time.monotonic() + 180
        while seen[-1] not in {ThemeRun.State.DONE, ThemeRun.State.FAILED}:
            assert time.monotonic() < deadline, celery_worker.log()[-4000:]
            run.refresh_from_db()
            if run.state != seen[-1]:
                seen.append(run.state)
            if run.state == ThemeRun.State.RUNNING:
                progress.append(run.done_count)
            time.sleep(0.05)
        assert seen == ["queued", "running", "done"], (seen, run.error)
        assert run.total_count == len(known_ideas())
        assert run.done_count == run.total_count
        # Progress only goes up (the idea vectors are made during the run here).
        assert progress == sorted(progress)
        placed = dict(
            ThemeMember.objects.filter(theme__dialogue=committed_known).values_list(
                "idea__title", "theme_id"
            )
        )
        ideas = known_ideas()
        score = adjusted_rand_score([i.topic for i in ideas], [placed[i.title] for i in ideas])
        assert score >= 0.5, score


def test_a_posted_idea_gets_its_vector_from_the_worker(
    celery_worker: Worker, tenant_a: Tenant, committed_known: Dialogue
) -> None:
    with tenant_context(tenant_a):
        # Committed at once (no test transaction): the receiver's on_commit queues the task.
        idea = IdeaFactory.create(
            dialogue=committed_known, title="Lights by the chip shop", body="It is so dark."
        )
        worker_wait(lambda: Embedding.objects.filter(idea=idea).exists(), celery_worker)
