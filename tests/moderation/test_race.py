"""Two moderators decide the same post at the same moment: one wins, both attempts audited."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from accounts.models import User
from dialogues.models import Dialogue, Idea
from dialogues.services import idea_create, post_decide
from moderation.models import AuditEntry, Visibility
from tenants.models import Tenant
from tests.factories import DialogueFactory, UserFactory


@pytest.mark.usefixtures("committed_db")
def test_concurrent_decisions_on_one_post(tenant_a: Tenant) -> None:
    stamp = time.monotonic_ns() % 10**8
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug=f"race-{stamp}", moderation=Dialogue.Moderation.PRE)
        idea = idea_create(dialogue=dialogue, author=UserFactory.create(), title="Race", body="B")
        first = UserFactory.create(username=f"RaceA{stamp}", role=User.Role.MODERATOR)
        second = UserFactory.create(username=f"RaceB{stamp}", role=User.Role.MODERATOR)
    start = threading.Barrier(2)
    results: dict[str, bool] = {}

    def act(moderator: User, approve: bool) -> None:
        try:
            with tenant_context(tenant_a):
                start.wait(timeout=10)
                results[moderator.username] = post_decide(
                    item=Idea.objects.get(pk=idea.pk), by=moderator, approve=approve, reason="No"
                )
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(first, True)),
        threading.Thread(target=act, args=(second, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert sorted(results.values()) == [False, True]
        winner = next(name for name, won in results.items() if won)
        with tenant_context(tenant_a):
            final = Idea.objects.get(pk=idea.pk).visibility
            assert final == (
                Visibility.PUBLISHED if winner == first.username else Visibility.REJECTED
            )
            outcomes = dict(
                AuditEntry.objects.filter(target_type="idea", target_id=idea.pk).values_list(
                    "actor_name", "outcome"
                )
            )
            assert outcomes == {
                first.username: "done" if winner == first.username else "superseded",
                second.username: "done" if winner == second.username else "superseded",
            }
    finally:
        with tenant_context(tenant_a):
            Dialogue.objects.filter(pk=dialogue.pk).delete()
