"""A session's spreadsheet: read from CSV or XLSX, every row's problems found, and imported all
at once, once, or not at all."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator, Sequence
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import tenant_context
from openpyxl import Workbook  # type: ignore[import-untyped]

from accounts.models import User
from dialogues.gathering_upload import MAX_BYTES, MAX_ROWS, UploadError, upload_parse
from dialogues.models import Comment, Gathering, GatheringUpload, Idea, Tag
from dialogues.selectors import gathering_upload_preview
from dialogues.services import (
    STAGED_UPLOAD_DAYS,
    gathering_create,
    gathering_upload_discard,
    gathering_upload_import,
    gathering_upload_stage,
    gathering_uploads_forget,
)
from moderation.models import Visibility
from tenants.models import Tenant
from tests.factories import DialogueFactory, IdeaFactory, UserFactory


def csv_file(rows: Sequence[Sequence[str]], *, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    import csv

    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_file(rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    # openpyxl takes any string starting with "=" for a formula; these are meant as text.
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Parsing: no database needed.


def test_csv_and_xlsx_read_the_same_rows_with_unicode_and_formula_looking_text() -> None:
    rows = [
        ["Title", "Body", "Tags"],
        ["Café after school 🎨", "Zażółć gęślą jaźń — «quotes»", "Parks"],
        ["=1+1", '=HYPERLINK("http://x")', ""],
    ]
    from_csv = upload_parse(name="notes.csv", data=b"\xef\xbb\xbf" + csv_file(rows))
    from_xlsx = upload_parse(name="notes.XLSX", data=xlsx_file(rows))
    for parsed in (from_csv, from_xlsx):
        assert parsed.file_problems == []
        assert [(r.line, r.title, r.body, r.tags) for r in parsed.rows] == [
            (2, "Café after school 🎨", "Zażółć gęślą jaźń — «quotes»", "Parks"),
            (3, "=1+1", '=HYPERLINK("http://x")', ""),
        ]


def test_xlsx_numbers_are_read_as_written_and_trailing_blank_rows_are_ignored() -> None:
    parsed = upload_parse(
        name="s.xlsx",
        data=xlsx_file([["idea_id", "body"], [42, "Yes"], [None, None], [None, None]]),
    )
    assert [(r.idea_id, r.body) for r in parsed.rows] == [("42", "Yes")]


def test_a_semicolon_csv_from_a_european_excel_is_read() -> None:
    parsed = upload_parse(name="s.csv", data="title;body\nBänke;Mehr Bänke\n".encode())
    assert [(r.title, r.body) for r in parsed.rows] == [("Bänke", "Mehr Bänke")]


def test_an_unknown_column_is_a_problem_and_its_cells_are_not_kept() -> None:
    parsed = upload_parse(
        name="s.csv", data=csv_file([["title", "body", "name"], ["T", "B", "Jo Bloggs"]])
    )
    assert len(parsed.file_problems) == 1
    assert "“name”" in parsed.file_problems[0]
    assert "Jo Bloggs" not in str([row.as_json() for row in parsed.rows])


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.pdf", b"%PDF-1.7 ...", "CSV (.csv) or Excel (.xlsx)"),
        ("notes.xls", b"\xd0\xcf\x11\xe0 old excel", "Older .xls"),
        ("notes.xlsx", b"PK\x03\x04 not really a zip at all", "could not be opened"),
        ("notes.xlsx", b"title,body\nT,B\n", "not an Excel workbook"),
        ("notes.csv", b"", "empty"),
        ("notes.csv", b"\n\n", "empty"),
        ("notes.csv", "title,body\nCafé,Crème\n".encode("latin-1"), "not UTF-8"),
        ("notes.csv", b"title,notes\nT,B\n", "no “body” column"),
        ("notes.csv", b"title,body\n", "no rows"),
        ("notes.csv", b"x" * (MAX_BYTES + 1), "the limit is 2 MB"),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_with_a_clear_message(
    name: str, data: bytes, message: str
) -> None:
    with pytest.raises(UploadError, match=re.escape(message)):
        upload_parse(name=name, data=data)


def test_a_sheet_formatted_far_past_its_table_is_read_as_its_table() -> None:
    """Formatting out to the last column and thousands of empty rows after the table (as
    Excel leaves them) neither hide the rows nor count against the row limit."""
    book = Workbook()
    sheet = book.active
    sheet.append(["title", "body"])
    sheet.append(["Brighter lamps", "On the path by the canal"])
    sheet.append(["Later buses", "The 14 stops at nine"])
    for line in range(4, 20_004, 7):
        sheet.cell(row=line, column=16_384, value=" ")
    out = io.BytesIO()
    book.save(out)
    parsed = upload_parse(name="formatted.xlsx", data=out.getvalue())
    assert [row.title for row in parsed.rows] == ["Brighter lamps", "Later buses"]
    assert parsed.file_problems == []


def test_more_than_the_row_limit_is_refused() -> None:
    rows = [["title", "body"]] + [[f"T{n}", "B"] for n in range(MAX_ROWS + 1)]
    with pytest.raises(UploadError, match="more than 2,000 rows"):
        upload_parse(name="big.csv", data=csv_file(rows))
    assert len(upload_parse(name="ok.csv", data=csv_file(rows[:-1])).rows) == MAX_ROWS


# Staging and importing, in a tenant.


@pytest.fixture
def in_tenant(db: None, tenant_a: Tenant) -> Iterator[Tenant]:
    with tenant_context(tenant_a):
        yield tenant_a


@pytest.fixture
def staff(in_tenant: Tenant) -> User:
    return UserFactory.create(username=f"Staff{uuid.uuid4().hex[:8]}", role=User.Role.ADMIN)


@pytest.fixture
def session(staff: User) -> Gathering:
    dialogue = DialogueFactory.create()
    return gathering_create(dialogue=dialogue, by=staff, place="Library", held_on=date(2026, 2, 2))


def test_every_row_with_a_problem_is_named_and_nothing_is_imported(
    session: Gathering, staff: User
) -> None:
    Tag.objects.get_or_create(slug="parks", defaults={"name": "Parks"})
    withdrawn = IdeaFactory.create(dialogue=session.dialogue)
    Idea.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())
    other_dialogue = IdeaFactory.create()
    good = IdeaFactory.create(dialogue=session.dialogue)
    rows = [
        ["title", "body", "tags", "idea_id"],
        ["Fine idea", "Fine body", "parks", ""],  # 2: fine
        ["", "No title here", "", ""],  # 3
        ["T" * 151, "Too long a title", "", ""],  # 4
        ["", "", "", ""],  # 5: blank inside the table
        ["", "On a missing idea", "", "999999"],  # 6
        ["", "On another dialogue's idea", "", str(other_dialogue.pk)],  # 7
        ["", "On a withdrawn idea", "", str(withdrawn.pk)],  # 8
        ["", "Comment with a bad id", "", "twelve"],  # 9
        ["A title", "Comment with a title", "", str(good.pk)],  # 10
        ["Idea", "x" * 5001, "Unknown topic", ""],  # 11
        ["", "A fine comment", "", str(good.pk)],  # 12: fine
        ["", "A superscript id", "", "²"],  # 13: isdigit() says yes, int() says no
        ["", "A huge id", "", "9" * 5000],  # 14: too long for int()
    ]
    upload = gathering_upload_stage(
        gathering=session, by=staff, name="session.csv", data=csv_file(rows)
    )
    problems = {entry.row.line: entry.problems for entry in gathering_upload_preview(upload=upload)}
    assert problems[2] == []
    assert problems[12] == []
    assert problems[3] == ["The title is missing."]
    assert problems[4] == ["The title is 151 characters long; the limit is 150."]
    assert problems[5] == ["This row is blank: delete it."]
    for line in (6, 7, 8):
        assert problems[line] == [
            f"There is no public idea {rows[line - 1][3]} in this dialogue to comment on."
        ]
    assert problems[9] == ["Idea id “twelve” is not a number."]
    assert problems[13] == ["Idea id “²” is not a number."]
    assert problems[14] == [f"Idea id “{'9' * 20}” is not a number."]
    assert "comments have no title" in problems[10][0]
    assert problems[11] == [
        "“Unknown topic” is not one of the site's topics (Parks).",
        "The body is 5,001 characters long; the limit is 5,000.",
    ]
    with pytest.raises(ValidationError, match="nothing was imported"):
        gathering_upload_import(upload=upload, by=staff)
    assert not Idea.objects.filter(gathering=session).exists()
    assert not Comment.objects.filter(gathering=session).exists()
    upload.refresh_from_db()
    assert upload.status == GatheringUpload.Status.STAGED


def test_an_unknown_column_blocks_the_import(session: Gathering, staff: User) -> None:
    upload = gathering_upload_stage(
        gathering=session,
        by=staff,
        name="s.csv",
        data=csv_file([["title", "body", "who"], ["T", "B", "Sam, 14"]]),
    )
    with pytest.raises(ValidationError):
        gathering_upload_import(upload=upload, by=staff)
    assert not Idea.objects.filter(gathering=session).exists()


def test_a_fixed_file_imports_every_row_once_through_screening(
    session: Gathering, staff: User
) -> None:
    Tag.objects.get_or_create(slug="parks", defaults={"name": "Parks"})
    good = IdeaFactory.create(dialogue=session.dialogue)
    rows = [
        ["Title", "Body", "Tags", "Idea ID"],
        ["Café 🎨", "Zażółć gęślą jaźń", "Parks", ""],
        ["=1+1", "Call 07700 900123 for details", "", ""],
        ["", "Yes, and open on Sundays", "", str(good.pk)],
    ]
    upload = gathering_upload_stage(
        gathering=session, by=staff, name="s.xlsx", data=xlsx_file(rows)
    )
    assert gathering_upload_import(upload=upload, by=staff) == 3
    assert gathering_upload_import(upload=upload, by=staff) == 0
    ideas = {idea.title: idea for idea in Idea.objects.filter(gathering=session)}
    assert set(ideas) == {"Café 🎨", "=1+1"}
    assert [tag.slug for tag in ideas["Café 🎨"].tags.all()] == ["parks"]
    assert ideas["Café 🎨"].body == "Zażółć gęślą jaźń"
    assert ideas["Café 🎨"].visibility == Visibility.PUBLISHED
    assert ideas["=1+1"].visibility == Visibility.HELD
    comment = Comment.objects.get(gathering=session)
    good.refresh_from_db()
    assert (comment.idea_id, good.comment_count) == (good.pk, 1)
    upload.refresh_from_db()
    assert upload.status == GatheringUpload.Status.IMPORTED
    assert upload.imported_count == 3
    assert upload.rows == []  # the posts are the record; no copy of their words stays


def test_a_staged_upload_can_be_discarded_and_an_imported_one_stays(
    session: Gathering, staff: User
) -> None:
    data = csv_file([["title", "body"], ["T", "B"]])
    staged = gathering_upload_stage(gathering=session, by=staff, name="a.csv", data=data)
    assert gathering_upload_discard(upload=staged, by=staff)
    assert not GatheringUpload.objects.filter(pk=staged.pk).exists()
    imported = gathering_upload_stage(gathering=session, by=staff, name="b.csv", data=data)
    gathering_upload_import(upload=imported, by=staff)
    assert not gathering_upload_discard(upload=imported, by=staff)
    assert Idea.objects.filter(gathering=session).count() == 1


def test_an_upload_left_staged_for_two_weeks_is_forgotten(session: Gathering, staff: User) -> None:
    rows = [["title", "body"], ["Brighter lamps", "On the canal path"]]
    old = gathering_upload_stage(gathering=session, by=staff, name="a.csv", data=csv_file(rows))
    recent = gathering_upload_stage(gathering=session, by=staff, name="b.csv", data=csv_file(rows))
    GatheringUpload.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=STAGED_UPLOAD_DAYS, hours=1)
    )
    assert gathering_uploads_forget() == 1
    assert list(GatheringUpload.objects.filter(gathering=session)) == [recent]
