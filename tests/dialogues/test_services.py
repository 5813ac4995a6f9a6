"""Dialogue writes: the rules residents and staff meet when they post, rate and respond."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from dialogues.models import Dialogue, Idea
from dialogues.services import (
    NotAllowed,
    comment_create,
    dialogue_create,
    dialogues_apply_schedule,
    idea_create,
    idea_status_set,
    idea_update,
    idea_withdraw,
    rating_set,
    rating_withdraw,
)
from sitesettings.selectors import site_settings_get
from tenants.models import Tenant
from tests.factories import CommentFactory, DialogueFactory, IdeaFactory, UserFactory


@pytest.fixture
def in_tenant(db: None, tenant_a: Tenant) -> object:
    with tenant_context(tenant_a):
        yield tenant_a


pytestmark = pytest.mark.usefixtures("in_tenant")


def _staff(role: str = User.Role.ADMIN) -> User:
    return UserFactory.create(role=role)


def test_a_dialogue_must_close_after_it_opens() -> None:
    now = timezone.now()
    with pytest.raises(ValidationError, match="close after it opens"):
        dialogue_create(title="T", slug="t", question="Q?", opens_at=now, closes_at=now)
    assert not Dialogue.objects.filter(slug="t").exists()


def test_a_dialogue_description_is_sanitised_and_video_links_are_allow_listed() -> None:
    dialogue = dialogue_create(
        title="Safe",
        slug="safe",
        question="Q?",
        description=(
            '<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:x()">me</a></p>\n\n'
            "**now**"
        ),
        video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )
    assert "script" not in dialogue.description
    assert "onclick" not in dialogue.description
    assert "javascript" not in dialogue.description
    assert "<strong>now</strong>" in dialogue.description
    assert dialogue.video_embed == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    with pytest.raises(ValidationError, match="YouTube or Vimeo"):
        dialogue_create(title="V", slug="v", question="Q?", video_url="https://evil.example/x")


def test_posting_an_idea_twice_with_the_same_form_creates_one_idea() -> None:
    dialogue, author, key = DialogueFactory.create(), UserFactory.create(), uuid.uuid4()
    first = idea_create(dialogue=dialogue, author=author, title="T", body="B", submission_key=key)
    second = idea_create(dialogue=dialogue, author=author, title="T", body="B", submission_key=key)
    assert first.pk == second.pk
    assert Idea.objects.filter(dialogue=dialogue).count() == 1


@pytest.mark.parametrize("state", [Dialogue.State.DRAFT, Dialogue.State.CLOSED])
def test_ideas_comments_and_ratings_are_refused_unless_the_dialogue_is_open(state: str) -> None:
    dialogue = DialogueFactory.create(state=state)
    idea = IdeaFactory.create(dialogue=dialogue)
    resident = UserFactory.create()
    with pytest.raises(NotAllowed, match=r"not open yet|closed"):
        idea_create(dialogue=dialogue, author=resident, title="Late", body="Too late")
    with pytest.raises(NotAllowed):
        comment_create(idea=idea, author=resident, body="Late")
    with pytest.raises(NotAllowed):
        rating_set(idea=idea, user=resident, stars=4)
    assert dialogue.ideas.count() == 1


def test_an_unverified_email_stops_posting_while_the_tenant_requires_it() -> None:
    dialogue, newcomer = DialogueFactory.create(), UserFactory.create(verified=False)
    with pytest.raises(NotAllowed, match="confirm your email"):
        idea_create(dialogue=dialogue, author=newcomer, title="T", body="B")
    settings = site_settings_get()
    settings.require_verified_email = False
    settings.save()
    assert idea_create(dialogue=dialogue, author=newcomer, title="T", body="B").pk


def test_authors_edit_within_the_window_and_nobody_else_can() -> None:
    idea = IdeaFactory.create()
    assert idea.author is not None
    idea_update(idea=idea, editor=idea.author, title="Better title", body="Clearer")
    idea.refresh_from_db()
    assert idea.title == "Better title"
    assert idea.edited_at is not None
    with pytest.raises(NotAllowed, match="your own"):
        idea_update(idea=idea, editor=UserFactory.create(), title="Hijack", body="x")
    with pytest.raises(NotAllowed, match="your own"):
        idea_withdraw(idea=idea, by=UserFactory.create())
    Idea.objects.filter(pk=idea.pk).update(created_at=timezone.now() - timedelta(days=1))
    idea.refresh_from_db()
    with pytest.raises(NotAllowed, match="time for editing"):
        idea_update(idea=idea, editor=idea.author, title="Too late", body="x")


def test_a_withdrawn_idea_leaves_the_list_and_takes_no_comments() -> None:
    idea = IdeaFactory.create()
    assert idea.author is not None
    idea_withdraw(idea=idea, by=idea.author)
    assert idea.is_withdrawn
    with pytest.raises(NotAllowed, match="withdrawn"):
        comment_create(idea=idea, author=UserFactory.create(), body="Hello?")


def test_replies_stay_one_level_deep_and_count_on_the_idea() -> None:
    idea = IdeaFactory.create()
    top = comment_create(idea=idea, author=UserFactory.create(), body="Top")
    reply = comment_create(idea=idea, author=UserFactory.create(), body="Reply", parent=top)
    reply_to_reply = comment_create(
        idea=idea, author=UserFactory.create(), body="Deeper", parent=reply
    )
    assert reply.parent == top
    assert reply_to_reply.parent == top
    idea.refresh_from_db()
    assert idea.comment_count == 3
    other = CommentFactory.create()
    with pytest.raises(ValidationError, match="same idea"):
        comment_create(idea=idea, author=UserFactory.create(), body="x", parent=other)


def test_ratings_are_one_per_resident_changeable_and_withdrawable() -> None:
    idea = IdeaFactory.create()
    alex, blake = UserFactory.create(), UserFactory.create()
    rating_set(idea=idea, user=alex, stars=5)
    rating_set(idea=idea, user=blake, stars=2)
    rating_set(idea=idea, user=blake, stars=4)
    idea.refresh_from_db()
    assert (idea.rating_count, idea.rating_average) == (2, 4.5)
    rating_withdraw(idea=idea, user=alex)
    idea.refresh_from_db()
    assert (idea.rating_count, idea.rating_average) == (1, 4.0)
    for stars in (0, 6, -1):
        with pytest.raises(ValidationError, match="between 1 and 5"):
            rating_set(idea=idea, user=alex, stars=stars)
    assert idea.author is not None
    with pytest.raises(NotAllowed, match="own idea"):
        rating_set(idea=idea, user=idea.author, stars=5)


def test_staff_respond_officially_and_set_a_status_residents_cannot() -> None:
    idea, resident, admin = IdeaFactory.create(), UserFactory.create(), _staff()
    with pytest.raises(NotAllowed):
        comment_create(idea=idea, author=resident, body="I am the council", official=True)
    with pytest.raises(NotAllowed):
        comment_create(
            idea=idea, author=_staff(User.Role.ANALYST), body="Analysts do not", official=True
        )
    with pytest.raises(NotAllowed):
        idea_status_set(idea=idea, by=resident, status="accepted", explanation="Yes")
    response = comment_create(idea=idea, author=admin, body="We will fund this.", official=True)
    assert response.is_official
    idea_status_set(idea=idea, by=admin, status="accepted", explanation="Funded from April.")
    idea.refresh_from_db()
    assert idea.responded_at is not None
    assert idea.get_status_display() == "Accepted"
    assert list(idea.status_changes.values_list("status", flat=True)) == ["accepted"]
    with pytest.raises(ValidationError, match="Explain"):
        idea_status_set(idea=idea, by=admin, status="done", explanation="  ")


def test_the_schedule_opens_due_drafts_and_closes_expired_dialogues() -> None:
    now = timezone.now()
    due = DialogueFactory.create(state=Dialogue.State.DRAFT, opens_at=now - timedelta(minutes=5))
    later = DialogueFactory.create(state=Dialogue.State.DRAFT, opens_at=now + timedelta(days=1))
    expired = DialogueFactory.create(
        state=Dialogue.State.OPEN,
        opens_at=now - timedelta(days=2),
        closes_at=now - timedelta(minutes=1),
    )
    assert dialogues_apply_schedule(now=now) == (1, 1)
    for dialogue in (due, later, expired):
        dialogue.refresh_from_db()
    assert due.state == Dialogue.State.OPEN
    assert later.state == Dialogue.State.DRAFT
    assert expired.state == Dialogue.State.CLOSED
    assert dialogues_apply_schedule(now=now) == (0, 0)
