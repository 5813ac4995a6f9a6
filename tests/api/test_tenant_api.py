"""Contract tests for the tenant API: each endpoint does what its page does, through the same
rules (holds, pre-moderation, bans, edit windows, roles), and shows nothing private."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import DemographicAnswer, DemographicQuestion, User
from dialogues.models import Comment, Dialogue, Idea, Tag
from moderation.models import AuditEntry, Report, Visibility
from notifications.models import Follow, Notification
from tenants.models import Tenant
from tests.api.conftest import ApiClient
from tests.factories import PASSWORD, CommentFactory, DialogueFactory, IdeaFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

Api = Callable[..., ApiClient]


@pytest.fixture
def alpha(tenant_a: Tenant) -> Iterator[Tenant]:
    with tenant_context(tenant_a):
        yield tenant_a


@pytest.fixture
def resident(alpha: Tenant) -> User:
    return UserFactory.create(username="ApiResident", email="api.resident@example.org")


@pytest.fixture
def open_dialogue(alpha: Tenant) -> Dialogue:
    dialogue = DialogueFactory.create(slug="api-open", title="Open for the API")
    dialogue.tags.add(Tag.objects.create(name="Lighting", slug="lighting"))
    return dialogue


def _private_words(body: object) -> list[str]:
    text = json.dumps(body)
    return [
        word for word in ("@example.org", "age_band", "127.0.0.1", "hold_reasons") if word in text
    ]


# Dialogues and tags


def test_dialogues_list_and_detail_show_what_the_pages_show(
    api_for: Api, alpha: Tenant, open_dialogue: Dialogue
) -> None:
    IdeaFactory.create(dialogue=open_dialogue)
    IdeaFactory.create(dialogue=open_dialogue, visibility=Visibility.HELD)
    DialogueFactory.create(slug="api-draft", state=Dialogue.State.DRAFT)
    unlisted = DialogueFactory.create(slug="api-unlisted", listed=False)
    client = api_for(alpha)
    listed = client.get("/api/v1/dialogues/").json()
    slugs = [item["slug"] for item in listed["results"]]
    assert "api-open" in slugs
    assert "api-draft" not in slugs
    assert "api-unlisted" not in slugs
    detail = client.get("/api/v1/dialogues/api-open/")
    assert detail.status_code == 200
    body = detail.json()
    assert body["idea_count"] == 1
    assert body["tags"] == [{"slug": "lighting", "name": "Lighting"}]
    assert body["url"] == "http://alpha.localhost/dialogues/api-open/"
    assert client.get(f"/api/v1/dialogues/{unlisted.slug}/").status_code == 200
    assert client.get("/api/v1/dialogues/api-draft/").status_code == 404


def test_tags_of_a_dialogue_and_of_the_site(
    api_for: Api, alpha: Tenant, open_dialogue: Dialogue
) -> None:
    idea = IdeaFactory.create(dialogue=open_dialogue)
    idea.tags.add(Tag.objects.get(slug="lighting"))
    secret = Tag.objects.create(name="Draft topic", slug="draft-topic")
    DialogueFactory.create(state=Dialogue.State.DRAFT).tags.add(secret)
    client = api_for(alpha)
    assert client.get("/api/v1/dialogues/api-open/tags/").json() == [
        {"slug": "lighting", "name": "Lighting"}
    ]
    site_tags = [tag["slug"] for tag in client.get("/api/v1/tags/").json()]
    assert "lighting" in site_tags
    assert "draft-topic" not in site_tags


# Ideas


def test_ideas_list_filters_sorts_and_searches_like_the_page(
    api_for: Api, alpha: Tenant, open_dialogue: Dialogue
) -> None:
    lighting = Tag.objects.get(slug="lighting")
    lamp = IdeaFactory.create(dialogue=open_dialogue, title="Lamps by the canal", body="dark")
    lamp.tags.add(lighting)
    talk = IdeaFactory.create(dialogue=open_dialogue, title="Youth club", body="somewhere warm")
    Idea.objects.filter(pk=talk.pk).update(comment_count=5, rating_count=2, rating_total=10)
    Idea.objects.filter(pk=lamp.pk).update(rating_count=1, rating_total=3)
    IdeaFactory.create(dialogue=open_dialogue, title="Withdrawn", withdrawn_at=timezone.now())
    client = api_for(alpha)

    def titles(query: str) -> list[str]:
        response = client.get(f"/api/v1/dialogues/api-open/ideas/{query}")
        assert response.status_code == 200, response.content
        return [idea["title"] for idea in response.json()["results"]]

    assert titles("") == ["Youth club", "Lamps by the canal"]
    assert titles("?tag=lighting") == ["Lamps by the canal"]
    assert titles("?q=canals") == ["Lamps by the canal"]
    assert titles("?sort=most_discussed")[0] == "Youth club"
    assert titles("?sort=top_rated") == ["Youth club", "Lamps by the canal"]
    bad = client.get("/api/v1/dialogues/api-open/ideas/?sort=loudest")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "sort"


def test_posting_an_idea_through_the_api_is_screened_like_the_page(
    api_for: Api, alpha: Tenant, open_dialogue: Dialogue, resident: User
) -> None:
    client = api_for(alpha, resident)
    key = str(uuid.uuid4())
    posted = client.post(
        "/api/v1/dialogues/api-open/ideas/",
        {"title": "Benches", "body": "More benches", "tags": ["lighting"], "submission_key": key},
    )
    assert posted.status_code == 201, posted.content
    body = posted.json()
    assert body["visibility"] == "published"
    assert body["author"] == {"username": "ApiResident"}
    assert body["tags"] == [{"slug": "lighting", "name": "Lighting"}]
    again = client.post(
        "/api/v1/dialogues/api-open/ideas/",
        {"title": "Benches", "body": "More benches", "submission_key": key},
    )
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    held = client.post(
        "/api/v1/dialogues/api-open/ideas/",
        {"title": "Call me", "body": "Ring 07700 900123 tonight"},
    )
    assert held.status_code == 201
    assert held.json()["visibility"] == "held"
    assert "waiting for a moderator" in held.json()["notice"]
    public = [
        i["title"]
        for i in api_for(alpha).get("/api/v1/dialogues/api-open/ideas/").json()["results"]
    ]
    assert "Benches" in public
    assert "Call me" not in public
    assert Idea.objects.filter(author=resident).count() == 2


def test_pre_moderation_bans_and_closed_dialogues_apply_to_the_api(
    api_for: Api, alpha: Tenant, resident: User
) -> None:
    DialogueFactory.create(slug="api-pre", moderation=Dialogue.Moderation.PRE)
    DialogueFactory.create(slug="api-closed", state=Dialogue.State.CLOSED)
    client = api_for(alpha, resident)
    pre = client.post("/api/v1/dialogues/api-pre/ideas/", {"title": "T", "body": "B"})
    assert pre.json()["visibility"] == "held"
    closed = client.post("/api/v1/dialogues/api-closed/ideas/", {"title": "T", "body": "B"})
    assert closed.status_code == 403
    assert closed.json()["detail"] == "This dialogue is closed, so new posts are not being taken."
    User.objects.filter(pk=resident.pk).update(banned_until=timezone.now() + timedelta(days=1))
    banned = client.post("/api/v1/dialogues/api-pre/ideas/", {"title": "T2", "body": "B2"})
    assert banned.status_code == 403
    assert "paused your posting" in banned.json()["detail"]
    assert Idea.objects.filter(author=resident).count() == 1


def test_an_unconfirmed_email_cannot_post_through_the_api_either(
    api_for: Api, alpha: Tenant, open_dialogue: Dialogue
) -> None:
    unconfirmed = UserFactory.create(username="NotConfirmed", verified=False)
    refused = api_for(alpha, unconfirmed).post(
        "/api/v1/dialogues/api-open/ideas/", {"title": "T", "body": "B"}
    )
    assert refused.status_code == 403
    assert "confirm your email" in refused.json()["detail"]


def test_the_author_edits_within_the_window_and_withdraws(
    api_for: Api, alpha: Tenant, open_dialogue: Dialogue, resident: User
) -> None:
    idea = IdeaFactory.create(dialogue=open_dialogue, author=resident, title="Old")
    client = api_for(alpha, resident)
    edited = client.patch(f"/api/v1/ideas/{idea.pk}/", {"title": "New title"})
    assert edited.status_code == 200
    assert edited.json()["title"] == "New title"
    assert edited.json()["edited_at"]
    other = api_for(alpha, UserFactory.create())
    assert other.patch(f"/api/v1/ideas/{idea.pk}/", {"title": "Hijack"}).status_code == 404
    Idea.objects.filter(pk=idea.pk).update(created_at=timezone.now() - timedelta(days=1))
    late = client.patch(f"/api/v1/ideas/{idea.pk}/", {"title": "Too late"})
    assert late.status_code == 403
    assert "time for editing" in late.json()["detail"]
    withdrawn = client.post(f"/api/v1/ideas/{idea.pk}/withdraw/")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["withdrawn"] is True
    assert Idea.objects.get(pk=idea.pk).title == "New title"


def test_an_idea_detail_shows_its_status_history_and_hides_held_ideas_from_others(
    api_for: Api, alpha: Tenant, open_dialogue: Dialogue, resident: User
) -> None:
    held = IdeaFactory.create(dialogue=open_dialogue, author=resident, visibility=Visibility.HELD)
    assert api_for(alpha).get(f"/api/v1/ideas/{held.pk}/").status_code == 404
    assert api_for(alpha, resident).get(f"/api/v1/ideas/{held.pk}/").json()["visibility"] == "held"
    moderator = UserFactory.create(role=User.Role.MODERATOR)
    assert api_for(alpha, moderator).get(f"/api/v1/ideas/{held.pk}/").status_code == 200


# Comments, responses, statuses, ratings


def test_comments_and_replies(
    api_for: Api, alpha: Tenant, open_dialogue: Dialogue, resident: User
) -> None:
    idea = IdeaFactory.create(dialogue=open_dialogue)
    client = api_for(alpha, resident)
    top = client.post(f"/api/v1/ideas/{idea.pk}/comments/", {"body": "Yes"})
    assert top.status_code == 201, top.content
    reply = client.post(
        f"/api/v1/ideas/{idea.pk}/comments/", {"body": "And more", "parent": top.json()["id"]}
    )
    assert reply.json()["parent"] == top.json()["id"]
    nested = client.post(
        f"/api/v1/ideas/{idea.pk}/comments/", {"body": "Deeper", "parent": reply.json()["id"]}
    )
    assert nested.json()["parent"] == top.json()["id"]  # one level, as on the site
    listed = api_for(alpha).get(f"/api/v1/ideas/{idea.pk}/comments/").json()["results"]
    assert [c["body"] for c in listed] == ["Yes", "And more", "Deeper"]
    tops = api_for(alpha).get(f"/api/v1/ideas/{idea.pk}/comments/?parent=none").json()
    assert [c["body"] for c in tops["results"]] == ["Yes"]
    assert Idea.objects.get(pk=idea.pk).comment_count == 3
    detail = api_for(alpha).get(f"/api/v1/comments/{top.json()['id']}/")
    assert detail.json()["author"] == {"username": "ApiResident"}
    stranger = CommentFactory.create()
    bad_parent = client.post(
        f"/api/v1/ideas/{idea.pk}/comments/", {"body": "x", "parent": stranger.pk}
    )
    assert bad_parent.status_code == 400
    assert bad_parent.json()["errors"][0]["field"] == "parent"


def test_held_comments_are_seen_by_their_author_only(
    api_for: Api, alpha: Tenant, open_dialogue: Dialogue, resident: User
) -> None:
    idea = IdeaFactory.create(dialogue=open_dialogue)
    held = api_for(alpha, resident).post(
        f"/api/v1/ideas/{idea.pk}/comments/", {"body": "Email me at someone@example.com"}
    )
    assert held.json()["visibility"] == "held"
    assert api_for(alpha).get(f"/api/v1/comments/{held.json()['id']}/").status_code == 404
    assert api_for(alpha).get(f"/api/v1/ideas/{idea.pk}/comments/").json()["results"] == []


def test_official_responses_and_statuses_are_for_responding_staff_only(
    api_for: Api, alpha: Tenant, open_dialogue: Dialogue, resident: User
) -> None:
    idea = IdeaFactory.create(dialogue=open_dialogue, author=resident)
    admin = UserFactory.create(role=User.Role.ADMIN)
    moderator = UserFactory.create(role=User.Role.MODERATOR)
    for outsider in (resident, moderator):
        client = api_for(alpha, outsider)
        assert client.post(f"/api/v1/ideas/{idea.pk}/responses/", {"body": "x"}).status_code == 403
        assert (
            client.put(
                f"/api/v1/ideas/{idea.pk}/status/", {"status": "done", "explanation": "x"}
            ).status_code
            == 403
        )
    staff = api_for(alpha, admin)
    response = staff.post(f"/api/v1/ideas/{idea.pk}/responses/", {"body": "We hear you"})
    assert response.status_code == 201
    assert response.json()["official"] is True
    status = staff.put(
        f"/api/v1/ideas/{idea.pk}/status/", {"status": "accepted", "explanation": "Next spring"}
    )
    assert status.status_code == 200
    assert status.json()["status"] == "accepted"
    assert status.json()["status_history"][0]["explanation"] == "Next spring"
    empty = staff.put(f"/api/v1/ideas/{idea.pk}/status/", {"status": "done", "explanation": " "})
    assert empty.status_code == 400
    assert Notification.objects.filter(recipient=resident, kind="response").exists()


def test_rating_an_idea(
    api_for: Api, alpha: Tenant, open_dialogue: Dialogue, resident: User
) -> None:
    idea = IdeaFactory.create(dialogue=open_dialogue)
    client = api_for(alpha, resident)
    assert client.get(f"/api/v1/ideas/{idea.pk}/rating/").json() == {
        "stars": None, "average": None, "count": 0
    }  # fmt: skip
    assert client.post(f"/api/v1/ideas/{idea.pk}/rating/", {"stars": 4}).json() == {
        "stars": 4, "average": 4.0, "count": 1
    }  # fmt: skip
    assert client.post(f"/api/v1/ideas/{idea.pk}/rating/", {"stars": 2}).json()["average"] == 2.0
    assert client.post(f"/api/v1/ideas/{idea.pk}/rating/", {"stars": 6}).status_code == 400
    assert client.post(f"/api/v1/ideas/{idea.pk}/rating/", {"stars": "4"}).status_code in {200, 400}
    assert client.delete(f"/api/v1/ideas/{idea.pk}/rating/").status_code == 204
    assert Idea.objects.get(pk=idea.pk).rating_count == 0
    own = IdeaFactory.create(dialogue=open_dialogue, author=resident)
    refused = client.post(f"/api/v1/ideas/{own.pk}/rating/", {"stars": 5})
    assert refused.status_code == 403
    assert api_for(alpha).post(f"/api/v1/ideas/{idea.pk}/rating/", {"stars": 5}).status_code == 401


# Follows and notifications


def test_following_and_notifications(
    api_for: Api, alpha: Tenant, open_dialogue: Dialogue, resident: User
) -> None:
    idea = IdeaFactory.create(dialogue=open_dialogue)
    client = api_for(alpha, resident)
    followed = client.post("/api/v1/follows/", {"idea": idea.pk})
    assert followed.status_code == 201
    assert client.post("/api/v1/follows/", {"dialogue": "api-open"}).status_code == 201
    both = client.post("/api/v1/follows/", {"dialogue": "api-open", "idea": idea.pk})
    assert both.status_code == 400
    assert len(client.get("/api/v1/follows/").json()["results"]) == 2
    CommentFactory.create(idea=idea)
    Notification.objects.create(
        recipient=resident,
        kind="new_comment",
        message="New comment",
        url=idea.get_absolute_url(),
        idea=idea,
    )
    notes = client.get("/api/v1/notifications/").json()["results"]
    assert notes[0]["read"] is False
    assert notes[0]["url"].startswith("http://alpha.localhost/")
    assert client.post("/api/v1/notifications/read/", {}).json() == {"marked": 1}
    assert client.get("/api/v1/notifications/").json()["results"][0]["read"] is True
    stop = client.delete(f"/api/v1/follows/{followed.json()['id']}/")
    assert stop.status_code == 204
    assert not Follow.objects.filter(user=resident, idea=idea).exists()
    other = api_for(alpha, UserFactory.create())
    follow_of_resident = Follow.objects.get(user=resident, dialogue__slug="api-open")
    assert other.delete(f"/api/v1/follows/{follow_of_resident.pk}/").status_code == 404


# Me


def test_me_shows_the_owner_their_private_details_and_nobody_else(
    api_for: Api, alpha: Tenant, resident: User
) -> None:
    question = DemographicQuestion.objects.create(text="Borough?", choices="Sefton\nWirral")
    DemographicAnswer.objects.create(user=resident, question=question, answer="Sefton")
    User.objects.filter(pk=resident.pk).update(age_band="18_24")
    me = api_for(alpha, resident).get("/api/v1/me/").json()
    assert me["email"] == "api.resident@example.org"
    assert me["age_band"] == "18_24"
    assert me["demographic_answers"] == [{"question": "Borough?", "answer": "Sefton"}]
    assert api_for(alpha).get("/api/v1/me/").status_code == 401
    changed = api_for(alpha, resident).patch("/api/v1/me/", {"email_notifications": "daily"})
    assert changed.json()["email_notifications"] == "daily"
    unknown = api_for(alpha, resident).patch("/api/v1/me/", {"username": "NewName", "admin": True})
    assert unknown.status_code == 400
    data = api_for(alpha, resident).get("/api/v1/me/data/")
    assert data.json()["account"]["username"] == "ApiResident"
    assert data["Cache-Control"] == "no-store"


def test_deleting_the_account_needs_the_password_and_can_remove_posts(
    api_for: Api, alpha: Tenant, open_dialogue: Dialogue, resident: User
) -> None:
    idea = IdeaFactory.create(dialogue=open_dialogue, author=resident, title="Mine")
    client = api_for(alpha, resident)
    wrong = client.delete("/api/v1/me/", {"password": "nope", "content": "remove"})
    assert wrong.status_code == 400
    assert User.objects.filter(pk=resident.pk).exists()
    assert (
        client.delete("/api/v1/me/", {"password": PASSWORD, "content": "remove"}).status_code == 204
    )
    assert not User.objects.filter(pk=resident.pk).exists()
    assert Idea.objects.get(pk=idea.pk).withdrawn_at is not None


# Reports and moderation


def test_anyone_reports_and_enough_reports_hide_a_post(
    api_for: Api, alpha: Tenant, open_dialogue: Dialogue
) -> None:
    idea = IdeaFactory.create(dialogue=open_dialogue)
    report = api_for(alpha).post(
        "/api/v1/reports/", {"kind": "idea", "id": idea.pk, "reason": "spam"}
    )
    assert report.status_code == 201
    assert Report.objects.filter(idea=idea).count() == 1
    unknown = api_for(alpha).post(
        "/api/v1/reports/", {"kind": "idea", "id": 99999999, "reason": "spam"}
    )
    assert unknown.status_code == 400


def test_moderators_see_the_queue_and_decide_with_an_audit_entry(
    api_for: Api, alpha: Tenant, resident: User
) -> None:
    dialogue = DialogueFactory.create(slug="api-queue", moderation=Dialogue.Moderation.PRE)
    posted = api_for(alpha, resident).post(
        "/api/v1/dialogues/api-queue/ideas/", {"title": "Waiting", "body": "For a moderator"}
    )
    idea_id = posted.json()["id"]
    moderator = UserFactory.create(role=User.Role.MODERATOR)
    mod = api_for(alpha, moderator)
    queue = mod.get("/api/v1/moderation/queue/?dialogue=api-queue").json()
    assert [(item["kind"], item["id"]) for item in queue] == [("idea", idea_id)]
    assert queue[0]["hold_reasons"][0]["kind"] == "pre-moderation"
    assert api_for(alpha, resident).get("/api/v1/moderation/queue/").status_code == 403
    decided = mod.post(
        "/api/v1/moderation/decisions/", {"kind": "idea", "id": idea_id, "decision": "approve"}
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["visibility"] == "published"
    assert AuditEntry.objects.filter(
        target_type="idea", target_id=idea_id, actor=moderator
    ).exists()
    again = mod.post(
        "/api/v1/moderation/decisions/",
        {"kind": "idea", "id": idea_id, "decision": "reject", "reason": "late"},
    )
    assert again.status_code == 409
    hide_without_reason = mod.post(
        "/api/v1/moderation/decisions/", {"kind": "idea", "id": idea_id, "decision": "hide"}
    )
    assert hide_without_reason.status_code == 400
    hidden = mod.post(
        "/api/v1/moderation/decisions/",
        {"kind": "idea", "id": idea_id, "decision": "hide", "reason": "Check it"},
    )
    assert hidden.json()["visibility"] == Visibility.HIDDEN
    assert dialogue.ideas.get(pk=idea_id).visibility == Visibility.HIDDEN


def test_posts_held_for_safeguarding_stay_out_of_the_moderators_api(
    api_for: Api, alpha: Tenant, open_dialogue: Dialogue
) -> None:
    idea = IdeaFactory.create(
        dialogue=open_dialogue,
        visibility=Visibility.HIDDEN,
        hold_reasons=[{"kind": "safeguarding", "text": ""}],
        held_at=timezone.now(),
    )
    mod = api_for(alpha, UserFactory.create(role=User.Role.MODERATOR))
    assert idea.pk not in [item["id"] for item in mod.get("/api/v1/moderation/queue/").json()]
    decide = mod.post(
        "/api/v1/moderation/decisions/", {"kind": "idea", "id": idea.pk, "decision": "approve"}
    )
    assert decide.status_code == 403
    assert Idea.objects.get(pk=idea.pk).visibility == Visibility.HIDDEN


# Privacy of every public answer


def test_no_public_answer_carries_an_email_an_age_or_a_hold_reason(
    api_for: Api, alpha: Tenant, open_dialogue: Dialogue, resident: User
) -> None:
    User.objects.filter(pk=resident.pk).update(age_band="16_17")
    idea = IdeaFactory.create(dialogue=open_dialogue, author=resident)
    comment = CommentFactory.create(idea=idea, author=resident)
    anonymous = api_for(alpha)
    other = api_for(alpha, UserFactory.create())
    for client in (anonymous, other):
        for path in (
            "/api/v1/dialogues/",
            "/api/v1/dialogues/api-open/",
            "/api/v1/dialogues/api-open/ideas/",
            f"/api/v1/ideas/{idea.pk}/",
            f"/api/v1/ideas/{idea.pk}/comments/",
            f"/api/v1/comments/{comment.pk}/",
        ):
            response = client.get(path)
            assert response.status_code == 200, path
            assert _private_words(response.json()) == [], path
    assert Comment.objects.filter(pk=comment.pk).exists()
