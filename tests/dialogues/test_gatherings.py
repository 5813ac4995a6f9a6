"""Contributions from in-person sessions: shown as the session, screened and moderated like
anyone's, counted like anyone's, and never attributed to the staff member who typed them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from dialogues.models import Dialogue, Gathering, Idea
from dialogues.selectors import queue
from dialogues.services import (
    NotAllowed,
    gathered_comment_create,
    gathered_idea_create,
    gathering_create,
    post_decide,
    post_report,
)
from moderation.models import PRE_MODERATION, Visibility
from notifications.models import Follow, Notification
from notifications.services import follow_set
from privacy.services import account_delete
from sitesettings.services import site_settings_update
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory

STAFF_NAME = "StaffTypist"


@pytest.fixture
def in_tenant(db: None, tenant_a: Tenant) -> Iterator[Tenant]:
    with tenant_context(tenant_a):
        yield tenant_a


@pytest.fixture
def staff(in_tenant: Tenant) -> User:
    return UserFactory.create(username=STAFF_NAME, role=User.Role.MODERATOR)


@pytest.fixture
def session(staff: User) -> Gathering:
    dialogue = DialogueFactory.create(slug="youth-voices", title="Youth voices")
    return gathering_create(
        dialogue=dialogue,
        by=staff,
        place="Kirkby youth club",
        held_on=date(2026, 3, 3),
        group_description="12 young people aged 13–17",
    )


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_gathered_idea_shows_the_session_and_never_the_staff_member(
    session: Gathering, staff: User, client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    idea = gathered_idea_create(
        gathering=session, by=staff, title="A late bus home", body="The 7pm bus is too early."
    )
    assert idea.is_published
    assert idea.author is None
    assert idea.entered_by == staff
    visitor = client_for(tenant_a)
    for url in (session.dialogue.get_absolute_url(), idea.get_absolute_url()):
        html = _page(visitor, url)
        assert "A late bus home" in html
        assert "Gathered at a session — Kirkby youth club" in html
        assert "3 March 2026" in html
        assert STAFF_NAME not in html
        assert "a former participant" not in html
    api = visitor.get(f"/api/v1/dialogues/{session.dialogue.slug}/")
    assert api.status_code == 200
    assert STAFF_NAME not in api.content.decode()


def test_a_gathered_comment_shows_the_session_on_the_page_and_in_the_live_update(
    session: Gathering, staff: User, client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    idea = IdeaFactory.create(dialogue=session.dialogue)
    comment = gathered_comment_create(
        gathering=session, by=staff, idea=idea, body="We would use it every week."
    )
    idea.refresh_from_db()
    assert comment.is_published
    assert idea.comment_count == 1
    visitor = client_for(tenant_a)
    signed_in = client_for(tenant_a)
    signed_in.force_login(UserFactory.create())
    live = f"/live/dialogues/{idea.dialogue_id}/ideas/{idea.pk}/?stamp=stale&after=0"
    for html in (
        _page(visitor, idea.get_absolute_url()),
        _page(signed_in, idea.get_absolute_url()),
        _page(visitor, live),
    ):
        assert "We would use it every week." in html
        assert "Gathered at a session — Kirkby youth club" in html
        assert STAFF_NAME not in html
    # The reply button names the session to screen readers, not the staff member.
    assert " to the session at Kirkby youth club</span>" in _page(
        signed_in, idea.get_absolute_url()
    )


def test_followers_hear_of_a_gathered_comment_without_the_staff_members_name(
    session: Gathering, staff: User
) -> None:
    idea = IdeaFactory.create(dialogue=session.dialogue)
    follower = UserFactory.create()
    follow_set(user=follower, idea=idea, following=True)
    gathered_comment_create(gathering=session, by=staff, idea=idea, body="Yes please.")
    notice = Notification.objects.get(recipient=follower)
    assert STAFF_NAME not in notice.message
    # The staff member does not start following ideas they type in for a group.
    assert not Follow.objects.filter(user=staff).exists()


@pytest.mark.parametrize(
    ("body", "reason"),
    [("Ring me on 07700 900123 about it", "phone"), ("A shank amnesty bin", "blocked word")],
)
def test_a_gathered_post_with_personal_details_or_a_blocked_word_is_held(
    session: Gathering,
    staff: User,
    body: str,
    reason: str,
    client_for: Callable[..., Client],
    tenant_a: Tenant,
) -> None:
    site_settings_update(blocked_words="shank")
    idea = gathered_idea_create(gathering=session, by=staff, title="An idea", body=body)
    target = IdeaFactory.create(dialogue=session.dialogue)
    comment = gathered_comment_create(gathering=session, by=staff, idea=target, body=body)
    target.refresh_from_db()
    assert idea.visibility == Visibility.HELD
    assert comment.visibility == Visibility.HELD
    assert reason in idea.hold_summary
    assert target.comment_count == 0
    waiting = {(entry.kind, entry.item.pk) for entry in queue()}
    assert {("idea", idea.pk), ("comment", comment.pk)} <= waiting
    assert body not in _page(client_for(tenant_a), target.get_absolute_url())


def test_a_pre_moderated_dialogue_holds_gathered_posts_until_a_moderator_approves(
    session: Gathering, staff: User
) -> None:
    Dialogue.objects.filter(pk=session.dialogue_id).update(moderation=Dialogue.Moderation.PRE)
    session.dialogue.refresh_from_db()
    target = IdeaFactory.create(dialogue=session.dialogue)
    idea = gathered_idea_create(gathering=session, by=staff, title="Youth hub", body="Open late.")
    comment = gathered_comment_create(gathering=session, by=staff, idea=target, body="Agreed.")
    assert [r["kind"] for r in idea.hold_reasons] == [PRE_MODERATION]
    assert comment.visibility == Visibility.HELD
    moderator = UserFactory.create(
        username=f"Staff{uuid.uuid4().hex[:8]}", role=User.Role.MODERATOR
    )
    assert post_decide(item=comment, by=moderator, approve=True)
    target.refresh_from_db()
    assert target.comment_count == 1


def test_a_group_with_under_18s_is_pre_moderated_when_the_site_holds_under_18s_posts(
    session: Gathering, staff: User
) -> None:
    site_settings_update(premoderate_under_18=True)
    young = gathering_create(
        dialogue=session.dialogue, by=staff, place="School council", held_on=date(2026, 3, 1),
        under_18=True,
    )  # fmt: skip
    held = gathered_idea_create(gathering=young, by=staff, title="More benches", body="Please.")
    shown = gathered_idea_create(gathering=session, by=staff, title="More bins", body="Please.")
    assert held.visibility == Visibility.HELD
    assert shown.visibility == Visibility.PUBLISHED


def test_reports_hide_a_gathered_post_like_any_other(session: Gathering, staff: User) -> None:
    site_settings_update(report_threshold=2)
    idea = gathered_idea_create(
        gathering=session, by=staff, title="Skate park", body="By the lake."
    )
    for _ in range(2):
        post_report(item=idea, reporter=UserFactory.create(), reason="spam")
    idea.refresh_from_db()
    assert idea.visibility == Visibility.HIDDEN


def test_the_same_form_sent_twice_adds_one_idea(session: Gathering, staff: User) -> None:
    key = uuid.uuid4()
    first = gathered_idea_create(
        gathering=session, by=staff, title="T", body="B", submission_key=key
    )
    again = gathered_idea_create(
        gathering=session, by=staff, title="T", body="B", submission_key=key
    )
    assert first.pk == again.pk
    assert Idea.objects.filter(gathering=session).count() == 1


def test_nothing_can_be_added_to_a_closed_dialogue(session: Gathering, staff: User) -> None:
    target = IdeaFactory.create(dialogue=session.dialogue)
    Dialogue.objects.filter(pk=session.dialogue_id).update(state=Dialogue.State.CLOSED)
    session.dialogue.refresh_from_db()
    with pytest.raises(NotAllowed, match="not open"):
        gathered_idea_create(gathering=session, by=staff, title="T", body="B")
    with pytest.raises(NotAllowed, match="not open"):
        gathered_comment_create(gathering=session, by=staff, idea=target, body="B")
    with pytest.raises(NotAllowed, match="not open"):
        gathering_create(
            dialogue=session.dialogue, by=staff, place="Library", held_on=date(2026, 1, 5)
        )
    assert not Idea.objects.filter(gathering=session).exists()


def test_a_session_cannot_be_dated_in_the_future(staff: User) -> None:
    dialogue = DialogueFactory.create()
    with pytest.raises(ValidationError, match="future"):
        gathering_create(
            dialogue=dialogue,
            by=staff,
            place="Library",
            held_on=timezone.localdate() + timedelta(days=1),
        )
    assert not Gathering.objects.filter(dialogue=dialogue).exists()


@pytest.mark.parametrize("role", ["", User.Role.ANALYST, User.Role.SAFEGUARDING])
def test_only_admins_and_moderators_enter_a_sessions_contributions(
    session: Gathering, role: str
) -> None:
    someone = UserFactory.create(username=f"Staff{uuid.uuid4().hex[:8]}", role=role)
    with pytest.raises(NotAllowed):
        gathering_create(
            dialogue=session.dialogue, by=someone, place="Library", held_on=date(2026, 1, 5)
        )
    with pytest.raises(NotAllowed):
        gathered_idea_create(gathering=session, by=someone, title="T", body="B")
    admin = UserFactory.create(username=f"Staff{uuid.uuid4().hex[:8]}", role=User.Role.ADMIN)
    assert gathered_idea_create(gathering=session, by=admin, title="T", body="B").pk


def test_a_comment_must_answer_a_public_idea_of_the_same_dialogue(
    session: Gathering, staff: User
) -> None:
    elsewhere = IdeaFactory.create()
    held = IdeaFactory.create(dialogue=session.dialogue, visibility=Visibility.HELD)
    with pytest.raises(ValidationError, match="another dialogue"):
        gathered_comment_create(gathering=session, by=staff, idea=elsewhere, body="B")
    with pytest.raises(NotAllowed, match="not public"):
        gathered_comment_create(gathering=session, by=staff, idea=held, body="B")


def test_deleting_the_staff_members_account_keeps_the_groups_words(
    session: Gathering, staff: User
) -> None:
    idea = gathered_idea_create(gathering=session, by=staff, title="Free wifi", body="In parks.")
    account_delete(user=staff, remove_content=True)
    idea.refresh_from_db()
    assert (idea.title, idea.body, idea.withdrawn_at) == ("Free wifi", "In parks.", None)
    assert idea.gathering == session
    assert idea.entered_by is None


def test_a_session_with_contributions_cannot_be_deleted_but_its_dialogue_can(
    session: Gathering, staff: User
) -> None:
    from django.db.models import RestrictedError

    gathered_idea_create(gathering=session, by=staff, title="T", body="B")
    with pytest.raises(RestrictedError):
        session.delete()
    session.dialogue.delete()
    assert not Gathering.objects.filter(pk=session.pk).exists()
