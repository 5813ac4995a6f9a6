"""In-person sessions in the admin area: who may record them, the upload's preview, a
crafted import that must change nothing, and one tenant's sessions kept from another."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from dialogues.gathering_upload import MAX_BYTES
from dialogues.models import Dialogue, Gathering, GatheringUpload, Idea
from dialogues.services import gathered_idea_create, gathering_create
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


def _user(tenant: Tenant, role: str) -> User:
    with tenant_context(tenant):
        return UserFactory.create(username=f"U{uuid.uuid4().hex[:10]}", role=role)


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def dialogue(tenant_a: Tenant) -> Dialogue:
    with tenant_context(tenant_a):
        return DialogueFactory.create(title="Safer streets", slug=f"s-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def session(tenant_a: Tenant, dialogue: Dialogue) -> Gathering:
    with tenant_context(tenant_a):
        admin = UserFactory.create(username=f"A{uuid.uuid4().hex[:8]}", role=User.Role.ADMIN)
        return gathering_create(
            dialogue=dialogue, by=admin, place="Huyton library", held_on=date(2026, 4, 1)
        )


@pytest.fixture
def moderator(client_as: Callable[..., Client], tenant_a: Tenant) -> Client:
    return client_as(tenant_a, _user(tenant_a, User.Role.MODERATOR))


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("", 403),
        (User.Role.ANALYST, 403),
        (User.Role.SAFEGUARDING, 403),
        (User.Role.YOUTH_WORKER, 403),
        (User.Role.MODERATOR, 200),
        (User.Role.ADMIN, 200),
    ],
)
def test_only_admins_and_moderators_reach_the_session_pages(
    client_as: Callable[..., Client],
    tenant_a: Tenant,
    dialogue: Dialogue,
    session: Gathering,
    role: str,
    status: int,
) -> None:
    client = client_as(tenant_a, _user(tenant_a, role))
    for path in (
        "/manage/sessions/",
        f"/manage/dialogues/{dialogue.slug}/sessions/",
        f"/manage/sessions/{session.pk}/",
    ):
        assert client.get(path).status_code == status, path
    posted = client.post(
        f"/manage/dialogues/{dialogue.slug}/sessions/",
        {"place": "Youth club", "held_on": "2026-04-02"},
    )
    assert posted.status_code == (302 if status == 200 else 403)
    with tenant_context(tenant_a):
        made = Gathering.objects.filter(dialogue=dialogue, place="Youth club").exists()
    assert made == (status == 200)


def test_a_visitor_is_sent_to_sign_in(
    client_for: Callable[..., Client], tenant_a: Tenant, session: Gathering
) -> None:
    response = client_for(tenant_a).get(f"/manage/sessions/{session.pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_another_tenants_admin_cannot_see_or_use_a_session(
    client_as: Callable[..., Client],
    tenant_a: Tenant,
    tenant_b: Tenant,
    session: Gathering,
    dialogue: Dialogue,
) -> None:
    with tenant_context(tenant_a):
        admin = UserFactory.create(username=f"A{uuid.uuid4().hex[:8]}", role=User.Role.ADMIN)
        idea = gathered_idea_create(
            gathering=session, by=admin, title="Only alpha's idea", body="Street lights."
        )
    other = client_as(tenant_b, _user(tenant_b, User.Role.ADMIN))
    assert other.get(f"/manage/sessions/{session.pk}/").status_code == 404
    assert other.get(f"/manage/dialogues/{dialogue.slug}/sessions/").status_code == 404
    index = other.get("/manage/sessions/").content.decode()
    assert "Safer streets" not in index
    refused = other.post(
        f"/manage/sessions/{session.pk}/ideas/",
        {"idea-title": "Sneaky", "idea-body": "Sneaky", "idea-submission_key": str(uuid.uuid4())},
    )
    assert refused.status_code == 404
    assert other.get(idea.get_absolute_url()).status_code == 404
    with tenant_context(tenant_a):
        assert not Idea.objects.filter(title="Sneaky").exists()


def test_recording_a_session_and_adding_an_idea_and_a_comment_through_the_pages(
    moderator: Client, tenant_a: Tenant, dialogue: Dialogue
) -> None:
    with tenant_context(tenant_a):
        target = IdeaFactory.create(dialogue=dialogue, title="More youth clubs")
    made = moderator.post(
        f"/manage/dialogues/{dialogue.slug}/sessions/",
        {
            "place": "Kirkby youth club",
            "held_on": "2026-03-03",
            "group_description": "12 young people aged 13–17",
        },
    )
    assert made.status_code == 302
    page = made["Location"]
    key = str(uuid.uuid4())
    idea_form = {"idea-title": "Later buses", "idea-body": "Till 11pm.", "idea-submission_key": key}
    assert moderator.post(f"{page}ideas/", idea_form).status_code == 302
    assert moderator.post(f"{page}ideas/", idea_form).status_code == 302  # sent twice
    comment = {
        "comment-idea": str(target.pk),
        "comment-body": "Open at weekends too.",
        "comment-submission_key": str(uuid.uuid4()),
    }
    assert moderator.post(f"{page}comments/", comment).status_code == 302
    detail = moderator.get(page).content.decode()
    assert "Later buses" in detail
    assert "Open at weekends too." in detail
    with tenant_context(tenant_a):
        assert Idea.objects.filter(title="Later buses").count() == 1
        target.refresh_from_db()
        assert target.comment_count == 1


def test_a_session_in_the_future_or_without_a_place_is_refused_with_its_reason(
    moderator: Client, dialogue: Dialogue
) -> None:
    response = moderator.post(
        f"/manage/dialogues/{dialogue.slug}/sessions/", {"place": "", "held_on": "2999-01-01"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be in the future" in html
    assert "This field is required" in html


def test_a_closed_dialogue_says_why_nothing_can_be_added(
    moderator: Client, tenant_a: Tenant, session: Gathering, dialogue: Dialogue
) -> None:
    with tenant_context(tenant_a):
        Dialogue.objects.filter(pk=dialogue.pk).update(state=Dialogue.State.CLOSED)
    page = moderator.get(f"/manage/sessions/{session.pk}/").content.decode()
    assert "so nothing more can be added" in page
    refused = moderator.post(
        f"/manage/sessions/{session.pk}/ideas/",
        {"idea-title": "T", "idea-body": "B", "idea-submission_key": str(uuid.uuid4())},
    )
    assert refused.status_code == 302
    assert "This dialogue is not open" in moderator.get(refused["Location"]).content.decode()
    with tenant_context(tenant_a):
        assert not Idea.objects.filter(gathering=session).exists()


def _upload(client: Client, session: Gathering, name: str, data: bytes) -> object:
    return client.post(
        f"/manage/sessions/{session.pk}/uploads/",
        {"upload-file": SimpleUploadedFile(name, data)},
    )


def test_an_upload_with_bad_rows_shows_every_problem_and_a_forced_import_changes_nothing(
    moderator: Client, tenant_a: Tenant, session: Gathering
) -> None:
    bad = _csv([["title", "body"], ["", "No title"], ["Fine", "Fine"], ["T" * 200, "Long"]])
    staged = _upload(moderator, session, "bad.csv", bad)
    assert staged.status_code == 302  # type: ignore[attr-defined]
    preview = moderator.get(staged["Location"])  # type: ignore[index]
    html = preview.content.decode()
    assert "The title is missing." in html
    assert "The title is 200 characters long; the limit is 150." in html
    assert 'href="#row-2"' in html
    assert 'href="#row-4"' in html
    assert "disabled" in html
    # A crafted POST to the import address, as if the button were enabled.
    forced = moderator.post(f"{staged['Location']}import/")  # type: ignore[index]
    assert forced.status_code == 302
    followed = moderator.get(forced["Location"]).content.decode()
    assert "nothing was imported" in followed
    with tenant_context(tenant_a):
        assert not Idea.objects.filter(gathering=session).exists()

    # Fixed, uploaded again: every row imported once, even when the button is pressed twice.
    good = _csv([["title", "body"], ["Benches", "By the pond"], ["Café ☕", "Zażółć"]])
    staged = _upload(moderator, session, "good.csv", good)
    url = staged["Location"]  # type: ignore[index]
    assert "Import 2 contributions" in moderator.get(url).content.decode()
    first = moderator.post(f"{url}import/")
    second = moderator.post(f"{url}import/")
    assert first.status_code == second.status_code == 302
    with tenant_context(tenant_a):
        assert sorted(Idea.objects.filter(gathering=session).values_list("title", flat=True)) == [
            "Benches",
            "Café ☕",
        ]
    assert "already imported" in moderator.get(second["Location"]).content.decode()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.docx", b"PK\x03\x04whatever", "Upload a CSV (.csv) or Excel (.xlsx) file"),
        ("notes.xlsx", b"PK\x03\x04 broken", "could not be opened as an Excel workbook"),
        ("notes.csv", b"", "The submitted file is empty."),
        ("notes.csv", b"x" * (MAX_BYTES + 1), "the limit is 2 MB"),
        ("notes.csv", "title,body\nÉté,Crème\n".encode("cp1252"), "not UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_gets_a_clear_message_and_changes_nothing(
    moderator: Client, tenant_a: Tenant, session: Gathering, name: str, data: bytes, message: str
) -> None:
    response = _upload(moderator, session, name, data)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert message in response.content.decode()  # type: ignore[attr-defined]
    with tenant_context(tenant_a):
        assert not GatheringUpload.objects.filter(gathering=session).exists()


def test_a_staged_upload_can_be_discarded(
    moderator: Client, tenant_a: Tenant, session: Gathering
) -> None:
    staged = _upload(moderator, session, "a.csv", _csv([["title", "body"], ["T", "B"]]))
    url = staged["Location"]  # type: ignore[index]
    moderator.post(f"{url}discard/")
    assert moderator.get(url).status_code == 404
    with tenant_context(tenant_a):
        assert not GatheringUpload.objects.filter(gathering=session).exists()
        assert not Idea.objects.filter(gathering=session).exists()


def test_a_post_held_for_safeguarding_is_not_shown_on_the_session_page(
    moderator: Client, tenant_a: Tenant, session: Gathering
) -> None:
    """Only safeguarding leads read what a concern holds: recording sessions is no way in."""
    with tenant_context(tenant_a):
        admin = _user(tenant_a, User.Role.ADMIN)
        kept = gathered_idea_create(
            gathering=session, by=admin, title="Better bus shelters", body="Lit and warm."
        )
        held = gathered_idea_create(
            gathering=session, by=admin, title="What happened by the canal", body="Details."
        )
        Idea.objects.filter(pk=held.pk).update(
            visibility="hidden", hold_reasons=[{"kind": "safeguarding", "match": ""}]
        )
    html = moderator.get(f"/manage/sessions/{session.pk}/").content.decode()
    assert kept.title in html
    assert held.title not in html
