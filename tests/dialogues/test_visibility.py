"""One rule decides who sees a post, and every read path follows it: pages, the live poll,
search, follows, the API and the admin figures."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from dialogues.models import Comment, Idea
from moderation.models import SAFEGUARDING, Visibility
from tenants.models import Tenant
from tests.factories import CommentFactory, DialogueFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "Meet me behind the leisure centre at nine"


def _live(idea: Idea, after: int = 0) -> str:
    return f"/live/dialogues/{idea.dialogue_id}/ideas/{idea.pk}/?stamp=stale&after={after}"


def _hide(item: Idea | Comment, *, kind: str) -> None:
    type(item).objects.filter(pk=item.pk).update(
        visibility=Visibility.HIDDEN, hold_reasons=[{"kind": kind, "text": ""}]
    )


@pytest.mark.parametrize("kind", ["reports", SAFEGUARDING, "moderator"])
def test_the_live_poll_of_a_hidden_idea_answers_404_like_its_page(
    client_for: Callable[..., Client], tenant_a: Tenant, kind: str
) -> None:
    with tenant_context(tenant_a):
        idea = IdeaFactory.create()
        CommentFactory.create(idea=idea, body=SECRET)
        _hide(idea, kind=kind)
    visitor = client_for(tenant_a)
    assert visitor.get(idea.get_absolute_url()).status_code == 404
    poll = visitor.get(_live(idea))
    assert poll.status_code == 404
    assert SECRET not in poll.content.decode()


def test_the_live_poll_never_sends_a_hidden_reply_or_a_reply_under_a_hidden_comment(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        idea = IdeaFactory.create()
        shown = CommentFactory.create(idea=idea, body="A comment everyone sees")
        hidden_reply = CommentFactory.create(idea=idea, parent=shown, body=SECRET)
        _hide(hidden_reply, kind="moderator")
        hidden_top = CommentFactory.create(idea=idea, body="Hidden top comment")
        CommentFactory.create(idea=idea, parent=hidden_top, body="Reply under a hidden one")
        _hide(hidden_top, kind="reports")
    update = client_for(tenant_a).get(_live(idea)).content.decode()
    assert "A comment everyone sees" in update
    assert SECRET not in update
    assert "Hidden top comment" not in update
    assert "Reply under a hidden one" not in update


def test_a_held_idea_is_seen_by_its_author_and_moderators_but_safeguarding_only_by_leads(
    client_for: Callable[..., Client], client_as: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        author = UserFactory.create()
        moderator = UserFactory.create(role=User.Role.MODERATOR)
        lead = UserFactory.create(role=User.Role.SAFEGUARDING)
        held = IdeaFactory.create(
            author=author,
            title="Waiting idea",
            visibility=Visibility.HELD,
            hold_reasons=[{"kind": "pre-moderation", "text": ""}],
        )
        guarded = IdeaFactory.create(title="Guarded idea")
        _hide(guarded, kind=SAFEGUARDING)
    assert client_for(tenant_a).get(held.get_absolute_url()).status_code == 404
    assert client_as(tenant_a, author).get(held.get_absolute_url()).status_code == 200
    assert client_as(tenant_a, moderator).get(held.get_absolute_url()).status_code == 200
    assert client_as(tenant_a, moderator).get(guarded.get_absolute_url()).status_code == 404
    assert client_as(tenant_a, lead).get(guarded.get_absolute_url()).status_code == 200


def test_a_hidden_idea_cannot_be_followed_and_leaves_search_tags_and_the_api(
    client_for: Callable[..., Client], client_as: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        resident = UserFactory.create()
        dialogue = DialogueFactory.create(slug="visibility-search")
        idea = IdeaFactory.create(dialogue=dialogue, title="Floodlights by the canal path")
        idea.tags.create(name="Canal", slug="canal")
        _hide(idea, kind="reports")
    follow = client_as(tenant_a, resident).post(f"/notifications/follow/idea/{idea.pk}/")
    assert follow.status_code == 404
    visitor = client_for(tenant_a)
    page = visitor.get(f"{dialogue.get_absolute_url()}?q=floodlights").content.decode()
    assert "Floodlights" not in page
    assert 'value="canal"' not in visitor.get(dialogue.get_absolute_url()).content.decode()
    listed = visitor.get("/api/v1/dialogues/visibility-search/").json()
    assert listed["idea_count"] == 0


def test_rejected_held_and_withdrawn_ideas_are_not_counted_or_awaiting_a_response(
    client_as: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        admin = UserFactory.create(role=User.Role.ADMIN)
        dialogue = DialogueFactory.create(title="Counting dialogue")
        IdeaFactory.create(dialogue=dialogue, title="Counted idea")
        IdeaFactory.create(dialogue=dialogue, title="Rejected idea", visibility=Visibility.REJECTED)
        IdeaFactory.create(dialogue=dialogue, title="Held idea", visibility=Visibility.HELD)
        withdrawn = IdeaFactory.create(dialogue=dialogue, title="Withdrawn idea")
        Idea.objects.filter(pk=withdrawn.pk).update(withdrawn_at=withdrawn.created_at)
    staff = client_as(tenant_a, admin)
    awaiting = staff.get("/manage/responses/").content.decode()
    assert "Counted idea" in awaiting
    for title in ("Rejected idea", "Held idea", "Withdrawn idea"):
        assert title not in awaiting
    listing = staff.get("/manage/dialogues/").content.decode()
    row = listing[listing.index("Counting dialogue") :].split("</tr>")[0]
    numbers = re.findall(r'<td class="number">(\d+)</td>', row)
    assert numbers == ["1", "1"]
