"""Taking part through the pages: posting, commenting, rating, responding, and bad input."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context
from pytest_django import DjangoAssertNumQueries

from accounts.models import User
from dialogues.models import Comment, Dialogue, Idea, Rating, Tag
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client_for: Callable[..., Client], tenant_a: Tenant) -> Callable[[User], Client]:
    """A client on tenant A signed in as the given user (session stored in A's schema)."""

    def sign_in(user: User) -> Client:
        client = client_for(tenant_a)
        with tenant_context(tenant_a):
            client.force_login(user)
        return client

    return sign_in


def _idea_form(**overrides: str) -> dict[str, str]:
    return {
        "title": "Free bus passes",
        "body": "For under-18s.",
        "submission_key": str(uuid.uuid4()),
    } | overrides


def test_reading_needs_no_login_and_writing_does(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        idea = IdeaFactory.create(title="Open to all readers")
    visitor = client_for(tenant_a)
    assert "Open to all readers" in visitor.get(idea.get_absolute_url()).content.decode()
    response = visitor.post(f"{idea.get_absolute_url()}comments/", {"body": "hi"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    with tenant_context(tenant_a):
        assert not Comment.objects.filter(idea=idea).exists()


def test_a_resident_posts_an_idea_once_however_often_the_form_is_sent(
    signed_in: Callable[[User], Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug="buses")
        resident = UserFactory.create()
    client = signed_in(resident)
    new_url = "/dialogues/buses/ideas/new/"
    assert "Share an idea" in client.get(new_url).content.decode()
    form = _idea_form()
    first = client.post(new_url, form)
    second = client.post(new_url, form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    page = client.get(first["Location"]).content.decode()
    assert "Free bus passes" in page
    assert f"By {resident.username}" in page
    with tenant_context(tenant_a):
        assert Idea.objects.filter(dialogue=dialogue).count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "This field is required"),
        ({"body": "   "}, "This field is required"),
        ({"title": "x" * 151}, "at most 150 characters"),
        ({"body": "x" * 5001}, "at most 5000 characters"),
        ({"submission_key": "not-a-key"}, "valid UUID"),
    ],
)
def test_bad_idea_input_gets_a_clear_error_and_changes_nothing(
    signed_in: Callable[[User], Client], tenant_a: Tenant, overrides: dict[str, str], message: str
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug="bad-input")
        client = signed_in(UserFactory.create())
    response = client.post("/dialogues/bad-input/ideas/new/", _idea_form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    with tenant_context(tenant_a):
        assert not Idea.objects.filter(dialogue=dialogue).exists()


def test_html_and_script_are_stored_as_text_and_rendered_escaped(
    signed_in: Callable[[User], Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        DialogueFactory.create(slug="escape")
        client = signed_in(UserFactory.create())
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = client.post("/dialogues/escape/ideas/new/", _idea_form(title=evil[:150], body=evil))
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


@pytest.mark.parametrize("state", [Dialogue.State.CLOSED, Dialogue.State.DRAFT])
def test_posting_to_a_closed_or_draft_dialogue_is_refused_with_a_message(
    signed_in: Callable[[User], Client], tenant_a: Tenant, state: str
) -> None:
    with tenant_context(tenant_a):
        DialogueFactory.create(slug="shut", state=state)
        client = signed_in(UserFactory.create())
    response = client.post("/dialogues/shut/ideas/new/", _idea_form(), follow=True)
    if state == Dialogue.State.DRAFT:
        assert response.status_code == 404  # a draft is not public at all
    else:
        assert "new posts are not being taken" in response.content.decode()
    with tenant_context(tenant_a):
        assert not Idea.objects.filter(dialogue__slug="shut").exists()


def test_another_resident_cannot_edit_or_withdraw_your_idea(
    signed_in: Callable[[User], Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        idea = IdeaFactory.create(title="Mine")
        intruder = signed_in(UserFactory.create())
    url = idea.get_absolute_url()
    assert intruder.get(f"{url}edit/").status_code == 404
    assert intruder.post(f"{url}edit/", {"title": "Yours", "body": "x"}).status_code == 404
    assert intruder.post(f"{url}withdraw/").status_code == 404
    with tenant_context(tenant_a):
        idea.refresh_from_db()
    assert idea.title == "Mine"
    assert not idea.is_withdrawn


def test_comments_replies_and_ratings_through_the_page(
    signed_in: Callable[[User], Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        idea = IdeaFactory.create()
        client = signed_in(UserFactory.create(username="Commenter1"))
    url = idea.get_absolute_url()
    client.post(f"{url}comments/", {"body": "Good point", "submission_key": str(uuid.uuid4())})
    with tenant_context(tenant_a):
        top = Comment.objects.get(idea=idea)
    client.post(f"{url}comments/", {"body": "Replying", "parent": str(top.pk)})
    client.post(f"{url}rating/", {"stars": "4"})
    page = client.get(url).content.decode()
    assert "Good point" in page
    assert "Replying" in page
    assert "Your rating: 4 out of 5" in page
    assert "Rated 4.0 out of 5 from 1 rating" in page
    for bad in ("0", "6", "five", ""):
        response = client.post(f"{url}rating/", {"stars": bad}, follow=True)
        assert "Choose between 1 and 5 stars" in response.content.decode()
    with tenant_context(tenant_a):
        assert Rating.objects.get(idea=idea).stars == 4
        assert Comment.objects.get(body="Replying").parent == top


def test_staff_respond_with_a_badge_and_residents_cannot(
    signed_in: Callable[[User], Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        idea = IdeaFactory.create()
        admin = signed_in(UserFactory.create(role=User.Role.ADMIN))
        resident = signed_in(UserFactory.create())
    url = idea.get_absolute_url()
    assert "Respond as" not in resident.get(url).content.decode()
    forged = {"body": "We are the council", "submission_key": str(uuid.uuid4())}
    assert resident.post(f"{url}response/", forged).status_code == 404
    admin.post(f"{url}response/", {"body": "We will fund it.", "submission_key": str(uuid.uuid4())})
    admin.post(f"{url}status/", {"status": "accepted", "explanation": "Funded from April."})
    page = resident.get(url).content.decode()
    badge = r'class="badge">(?:<svg.*?</svg>)?Official response</span>\s*<strong>Alpha'
    assert re.search(badge, page)
    assert "We will fund it." in page
    assert "Funded from April." in page
    assert "We are the council" not in page


def test_sorting_filtering_and_searching_ideas(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug="sorting")
        lighting = Tag.objects.create(name="Lighting", slug="lighting")
        old = IdeaFactory.create(dialogue=dialogue, title="Brighter streetlights", body="Lamps")
        old.tags.add(lighting)
        IdeaFactory.create(dialogue=dialogue, title="Youth club", body="Open late", comment_count=9)
        IdeaFactory.create(
            dialogue=dialogue, title="Mentors", body="People", rating_count=2, rating_total=10
        )
    client = client_for(tenant_a)

    def titles(query: str) -> list[str]:
        page = client.get(f"/dialogues/sorting/?{query}").content.decode()
        return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', page)

    assert titles("sort=newest") == ["Mentors", "Youth club", "Brighter streetlights"]
    assert titles("sort=most_discussed")[0] == "Youth club"
    assert titles("sort=top_rated")[0] == "Mentors"
    assert titles("tag=lighting") == ["Brighter streetlights"]
    assert titles("q=streetlight") == ["Brighter streetlights"]  # stemmed full-text match
    assert titles("q=lamp") == ["Brighter streetlights"]
    assert titles("q=nothing+like+this") == []
    assert titles("sort=<script>") == titles("sort=newest")


@pytest.mark.parametrize("idea_count", [10, 1000])
def test_the_dialogue_page_query_count_does_not_grow_with_ideas(
    signed_in: Callable[[User], Client],
    tenant_a: Tenant,
    idea_count: int,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    with tenant_context(tenant_a):
        dialogue = DialogueFactory.create(slug=f"busy-{idea_count}")
        tag = Tag.objects.create(name=f"Tag {idea_count}", slug=f"tag-{idea_count}")
        author = UserFactory.create()
        ideas = Idea.objects.bulk_create(
            Idea(dialogue=dialogue, author=author, title=f"Idea {n}", body="Body")
            for n in range(idea_count)
        )
        tag.ideas.add(*ideas)
        client = signed_in(UserFactory.create())
    client.get(f"/dialogues/busy-{idea_count}/")  # warm: host, settings and helplines memos
    for query in ("", "?sort=top_rated", f"?tag=tag-{idea_count}", "?q=idea&page=2"):
        with django_assert_max_num_queries(12):
            response = client.get(f"/dialogues/busy-{idea_count}/{query}")
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "This field is required"),
        ("   ", "This field is required"),
        ("x" * 3001, "at most 3000"),
    ],
)
def test_empty_or_oversized_comments_are_refused_with_a_message(
    signed_in: Callable[[User], Client], tenant_a: Tenant, body: str, message: str
) -> None:
    with tenant_context(tenant_a):
        idea = IdeaFactory.create()
        client = signed_in(UserFactory.create())
    response = client.post(f"{idea.get_absolute_url()}comments/", {"body": body}, follow=True)
    assert message in response.content.decode()
    with tenant_context(tenant_a):
        assert not Comment.objects.filter(idea=idea).exists()


def test_an_entirely_empty_form_gets_errors_not_a_blank_form(
    signed_in: Callable[[User], Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        DialogueFactory.create(slug="empty-post")
        client = signed_in(UserFactory.create())
    response = client.post("/dialogues/empty-post/ideas/new/", {})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert page.count("This field is required") >= 2
