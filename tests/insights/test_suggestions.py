"""Similar ideas while writing: the near-duplicate comes first, only public ideas of this
dialogue and this site are offered, and the text never travels in an address."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from dialogues.models import Dialogue, Idea
from insights.models import Embedding
from insights.selectors import contributions_for_grouping
from insights.services import SUGGEST_LAZY_CAP, suggestions_find, vectors_ensure
from insights.tasks import insights_idea_embed
from moderation.models import Visibility
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory
from tests.insights.data import dialogue_with_known_ideas, probes

pytestmark = pytest.mark.django_db

URL = "/dialogues/known-topics/ideas/similar/"


@pytest.fixture
def known(tenant_a: Tenant) -> Dialogue:
    """The known ideas with their vectors stored, as the receiver's tasks leave them (the
    fixture's bulk insert sends no signals)."""
    with tenant_context(tenant_a):
        dialogue = dialogue_with_known_ideas(slug="known-topics")
        vectors_ensure(dialogue_id=dialogue.pk, items=contributions_for_grouping(dialogue=dialogue))
        return dialogue


@pytest.fixture
def resident(tenant_a: Tenant, client_as: Callable[..., Client]) -> Client:
    with tenant_context(tenant_a):
        return client_as(tenant_a, UserFactory.create())


def test_a_paraphrase_finds_the_idea_it_repeats_in_the_top_three(
    tenant_a: Tenant, known: Dialogue
) -> None:
    cases = probes()
    assert len(cases) >= 20
    with tenant_context(tenant_a):
        hits = []
        for probe in cases:
            found = suggestions_find(dialogue=known, text=f"{probe.title}\n{probe.body}", limit=3)
            hits.append(probe.expected_title in [idea.title for idea in found])
    assert sum(hits) / len(hits) >= 0.8, f"{sum(hits)} of {len(hits)}"


def test_missing_vectors_are_made_on_request_a_few_at_a_time(tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        dialogue = dialogue_with_known_ideas(slug="no-vectors-yet")
        text = "Bring back bobbies on the beat"
        suggestions_find(dialogue=dialogue, text=text)
        stored = Embedding.objects.filter(idea__dialogue=dialogue).count()
        assert stored == SUGGEST_LAZY_CAP
        suggestions_find(dialogue=dialogue, text=text)
        assert Embedding.objects.filter(idea__dialogue=dialogue).count() == 2 * SUGGEST_LAZY_CAP


def test_unrelated_or_too_short_text_suggests_nothing(tenant_a: Tenant, known: Dialogue) -> None:
    with tenant_context(tenant_a):
        assert suggestions_find(dialogue=known, text="Lamps") == []
        assert suggestions_find(dialogue=known, text="My favourite recipe for lemon cake") == []


def test_hidden_held_and_withdrawn_ideas_are_never_suggested(tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create()
        text = "Fix the broken street lights on Mill Lane, it is dark by five o'clock."
        for visibility in (Visibility.HELD, Visibility.HIDDEN, Visibility.REJECTED):
            IdeaFactory.create(
                dialogue=dialogue, title="Mill Lane lights", body=text, visibility=visibility
            )
        withdrawn = IdeaFactory.create(dialogue=dialogue, title="Mill Lane lamps", body=text)
        Idea.objects.filter(pk=withdrawn.pk).update(withdrawn_at="2026-01-01T00:00Z")
        assert suggestions_find(dialogue=dialogue, text=text) == []
        public = IdeaFactory.create(dialogue=dialogue, title="Mill Lane street lamps", body=text)
        assert suggestions_find(dialogue=dialogue, text=text) == [public]


def test_only_ideas_of_the_same_dialogue_are_suggested(tenant_a: Tenant, known: Dialogue) -> None:
    with tenant_context(tenant_a):
        other = DialogueFactory.create()
        IdeaFactory.create(dialogue=other, title="Fix the broken lamps on Mill Lane", body="Dark.")
        found = suggestions_find(dialogue=other, text="Broken street lamps on Mill Lane")
        assert [idea.dialogue_id for idea in found] == [other.pk]


def test_htmx_gets_a_fragment_of_links(resident: Client, known: Dialogue) -> None:
    response = resident.post(
        URL,
        {"title": "Bring back bobbies on the beat", "body": "Police should walk round here."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "Similar ideas already shared" in html
    assert "More police on foot patrol" in html
    assert "/dialogues/known-topics/ideas/" in html


def test_htmx_with_nothing_similar_adds_nothing_to_announce(
    resident: Client, known: Dialogue
) -> None:
    response = resident.post(URL, {"title": "Hi", "body": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_without_javascript_the_form_comes_back_filled_with_suggestions(
    resident: Client, known: Dialogue
) -> None:
    key = "8a4b5a8e-2c59-4a53-9c8d-8f1f3f4b2a10"
    typed = {
        "title": "Toilets needed in the park",
        "body": "There are no toilets in the park so families can't stay long.",
        "submission_key": key,
    }
    response = resident.post(URL, typed)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Share an idea</h1>" in html
    assert 'value="Toilets needed in the park"' in html
    assert "families can&#x27;t stay long.</textarea>" in html
    assert f'value="{key}"' in html
    assert "Public toilets in the park" in html
    # Posting from this page posts the idea (not another check).
    assert 'action="/dialogues/known-topics/ideas/new/"' in html


def test_without_javascript_nothing_similar_is_said_plainly(
    resident: Client, known: Dialogue
) -> None:
    response = resident.post(URL, {"title": "Lemon cake", "body": "A recipe for lemon cake."})
    assert "We found no similar ideas" in response.content.decode()


def test_text_travels_only_in_a_post_with_a_csrf_token(
    tenant_a: Tenant, client_for: Callable[..., Client], known: Dialogue
) -> None:
    with tenant_context(tenant_a):
        user = UserFactory.create()
    strict = client_for(tenant_a, enforce_csrf_checks=True)
    with tenant_context(tenant_a):
        strict.force_login(user)
    assert strict.get(URL, {"title": "Lights"}).status_code == 405
    assert strict.post(URL, {"title": "Street lights broken"}).status_code == 403
    anonymous = client_for(tenant_a)
    response = anonymous.post(URL, {"title": "Street lights broken"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.usefixtures("fresh_rate_limits")
def test_checks_are_rate_limited(resident: Client, known: Dialogue) -> None:
    for _ in range(120):
        assert resident.post(URL, {"title": "x"}, headers={"HX-Request": "true"}).status_code == 200
    refused = resident.post(URL, {"title": "x"}, headers={"HX-Request": "true"})
    assert refused.status_code == 429
    assert "Suggestions are paused" in refused.content.decode()


def test_another_site_suggests_only_its_own_ideas(
    tenant_a: Tenant, tenant_b: Tenant, client_as: Callable[..., Client], known: Dialogue
) -> None:
    with tenant_context(tenant_b):
        DialogueFactory.create(slug="known-topics")
        user = UserFactory.create()
    client = client_as(tenant_b, user)
    response = client.post(
        URL,
        {"title": "Public toilets in the park", "body": "Families need toilets in the park."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Public toilets in the park" not in response.content.decode()
    # And a dialogue only tenant_a has is not found on tenant_b at all.
    with tenant_context(tenant_a):
        DialogueFactory.create(slug="only-on-alpha")
    missing = client.post("/dialogues/only-on-alpha/ideas/similar/", {"title": "Lights"})
    assert missing.status_code == 404


def test_the_embedding_task_stores_a_public_ideas_vector(tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        idea = IdeaFactory.create(title="Benches by the river", body="Somewhere to sit.")
        # The receiver queues it after commit (see the worker test); here it runs in-process.
        assert insights_idea_embed(idea_id=idea.pk)
        assert Embedding.objects.filter(idea=idea).exists()
