"""The numpy all-MiniLM-L6-v2: the model's own published similarities, and a cache that
re-embeds only what changed."""

from __future__ import annotations

import numpy as np
import pytest
from django_tenants.utils import tenant_context

from dialogues.models import Idea
from insights import embedding
from insights.models import Embedding
from insights.selectors import IDEA, Contribution, idea_text
from insights.services import idea_embed, vectors_ensure
from moderation.models import Visibility
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory


def test_similarities_match_the_models_published_example() -> None:
    # sentence-transformers' quick start, with this model: 0.6660, 0.1046, 0.1411.
    vectors = embedding.embed(
        ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    )
    similarity = vectors @ vectors.T
    assert similarity[0, 1] == pytest.approx(0.6660, abs=2e-3)
    assert similarity[0, 2] == pytest.approx(0.1046, abs=2e-3)
    assert similarity[1, 2] == pytest.approx(0.1411, abs=2e-3)


def test_paraphrases_are_far_closer_than_unrelated_sentences() -> None:
    a, b, c = embedding.embed(
        [
            "The street lights on our road have been broken for months.",
            "Our road's lamps stopped working ages ago and nobody has fixed them.",
            "Young people need cheaper bus fares to get to college.",
        ]
    )
    assert float(a @ b) > 0.6
    assert float(a @ b) - float(a @ c) > 0.4


def test_vectors_are_unit_float32_and_do_not_depend_on_the_batch() -> None:
    texts = [
        "Short one.",
        "A much longer text about parks, litter, benches and the broken swings "
        "that families have complained about all summer long in the park.",
    ] + [f"Filler sentence number {i} about buses and trains." for i in range(200)]
    together = embedding.embed(texts)
    alone = np.vstack([embedding.embed([text]) for text in texts[:2]])
    assert together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # Padding in a batch (and the threads that run batches side by side) change nothing.
    assert np.allclose(together[:2], alone, atol=1e-5)


def test_text_past_the_models_limit_is_truncated_not_refused() -> None:
    long_text = "lighting " * 2000
    vector = embedding.embed([long_text])[0]
    same_start = embedding.embed(["lighting " * 400])[0]
    assert float(vector @ same_start) > 0.999


@pytest.mark.django_db
def test_stored_vectors_are_reused_until_the_text_changes(tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create()
        idea = IdeaFactory.create(dialogue=dialogue, title="Lights", body="Fix the lamps.")
        assert idea_embed(idea_id=idea.pk)
        row = Embedding.objects.get(idea=idea)
        assert row.text_digest == embedding.text_digest(
            idea_text(title="Lights", body="Fix the lamps.")
        )
        assert row.model_name == embedding.MODEL_NAME
        # Unchanged text: nothing to do.
        assert not idea_embed(idea_id=idea.pk)

        Idea.objects.filter(pk=idea.pk).update(body="Fix the lamps on Mill Lane.")
        assert idea_embed(idea_id=idea.pk)
        fresh = Embedding.objects.get(idea=idea)
        assert fresh.pk == row.pk
        assert fresh.text_digest != row.text_digest
        stored = embedding.vector_from_bytes(fresh.vector)
        expected = embedding.embed([idea_text(title="Lights", body="Fix the lamps on Mill Lane.")])
        assert np.allclose(stored, expected[0], atol=1e-6)


@pytest.mark.django_db
def test_progress_counts_stored_vectors_then_new_ones(tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create()
        ideas = [
            IdeaFactory.create(dialogue=dialogue, title=f"Idea {i}", body=f"About topic {i}.")
            for i in range(5)
        ]
        idea_embed(idea_id=ideas[0].pk)
        items = [
            Contribution(IDEA, idea.pk, idea_text(title=idea.title, body=idea.body))
            for idea in ideas
        ]
        heard: list[int] = []
        vectors, ready = vectors_ensure(dialogue_id=dialogue.pk, items=items, progress=heard.append)
        assert heard[0] == 1
        assert heard[-1] == 5
        assert ready == [0, 1, 2, 3, 4]
        assert Embedding.objects.filter(idea__in=ideas).count() == 5
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.django_db
def test_hidden_and_held_ideas_are_never_embedded(tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create()
        held = IdeaFactory.create(dialogue=dialogue, visibility=Visibility.HELD)
        hidden = IdeaFactory.create(dialogue=dialogue, visibility=Visibility.HIDDEN)
        assert not idea_embed(idea_id=held.pk)
        assert not idea_embed(idea_id=hidden.pk)
        assert not Embedding.objects.filter(idea__in=[held, hidden]).exists()
