"""Reading a session's spreadsheet (CSV or XLSX) into rows, and what is wrong with each row."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError

from dialogues.models import Dialogue, Idea, Tag
from moderation.models import Visibility
from townsquare.lib.forms import whole_number

MAX_BYTES = 2 * 1024 * 1024
# Columns read from a workbook: our four, and room to notice ones that should not be there.
MAX_COLUMNS = 64
MAX_ROWS = 2000
# An XLSX is a zip of XML: refuse one that would unpack to far more than any real sheet of
# MAX_ROWS rows needs (a "zip bomb") before openpyxl reads any of it.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
COLUMNS = ("title", "body", "tags", "idea_id")
TITLE_MAX = Idea._meta.get_field("title").max_length or 150
IDEA_BODY_MAX = 5000
COMMENT_BODY_MAX = 3000
XLSX_CONTENT = b"PK\x03\x04"


class UploadError(ValidationError):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass
class UploadRow:
    """One spreadsheet row: its row number as the spreadsheet shows it, and our columns."""

    line: int
    title: str = ""
    body: str = ""
    tags: str = ""
    idea_id: str = ""

    @property
    def is_blank(self) -> bool:
        return not (self.title or self.body or self.tags or self.idea_id)

    @property
    def kind(self) -> str:
        """A row naming an idea is a comment on it; any other row is a new idea."""
        return "comment" if self.idea_id else "idea"

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "title": self.title,
            "body": self.body,
            "tags": self.tags,
            "idea_id": self.idea_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UploadRow:
        return cls(
            line=int(data["line"]),
            title=str(data.get("title", "")),
            body=str(data.get("body", "")),
            tags=str(data.get("tags", "")),
            idea_id=str(data.get("idea_id", "")),
        )


@dataclass
class ParsedUpload:
    rows: list[UploadRow]
    # Problems with the sheet as a whole, e.g. a column we do not know (it may hold names).
    file_problems: list[str] = field(default_factory=list)


@dataclass
class CheckedRow:
    row: UploadRow
    problems: list[str]
    tags: list[Tag] = field(default_factory=list)
    idea: Idea | None = None


def _text(value: Any) -> str:
    """A cell as text: whole numbers without ".0", dates as dates, line breaks as LF, and no
    NUL (PostgreSQL cannot store it). Formula-looking text stays text: it is never run."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime):
        text = value.isoformat(sep=" ", timespec="minutes")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _header_key(cell: str) -> str:
    return cell.strip().lower().replace(" ", "_")


def _rows_from_cells(table: Iterable[Sequence[Any]]) -> ParsedUpload:
    """The header row names the columns; every later row up to the last non-blank one is a
    row of the upload (blank rows inside it are kept, to be reported)."""
    cells = iter(table)
    header_row = next(cells, None)
    if header_row is None or not any(_text(cell) for cell in header_row):
        raise UploadError(
            "The file is empty, or its first row is blank. The first row must name the "
            "columns: title, body, tags (and idea_id for comments)."
        )
    headers = [_header_key(_text(cell)) for cell in header_row]
    known = {name: index for index, name in enumerate(headers) if name in COLUMNS}
    if "body" not in known:
        raise UploadError(
            "The first row has no “body” column. It must name the columns: title, body, "
            "tags (and idea_id for comments)."
        )
    problems = [
        f"Column “{name}” is not one we use: delete it (we use title, body, tags and "
        "idea_id). Please never include people's names."
        for name in dict.fromkeys(headers)
        if name and name not in COLUMNS
    ]
    rows: list[UploadRow] = []
    pending_blank: list[UploadRow] = []
    unnamed_with_text = False
    for line, values in enumerate(cells, start=2):
        row = UploadRow(line=line)
        for name, index in known.items():
            setattr(row, name, _text(values[index]) if index < len(values) else "")
        unnamed_with_text = unnamed_with_text or any(
            _text(value)
            for index, value in enumerate(values)
            if index >= len(headers) or not headers[index]
        )
        if row.is_blank:
            # Only as many as could ever be imported are kept: a sheet may well hold a
            # million formatted empty rows after its table.
            if len(pending_blank) <= MAX_ROWS:
                pending_blank.append(row)
            continue
        # Blank rows followed by data are inside the table; trailing ones are not.
        rows += pending_blank
        pending_blank = []
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise UploadError(
                f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files."
            )
    if not rows:
        raise UploadError("The file has column names but no rows under them.")
    if unnamed_with_text:
        problems.append(
            "Some cells are in a column with no name in the first row: delete them, or move "
            "the text into title, body, tags or idea_id."
        )
    return ParsedUpload(rows=rows, file_problems=problems)


def _csv_cells(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError(
            "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (comma delimited)”, "
            "or upload it as an .xlsx workbook."
        ) from None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    try:
        yield from csv.reader(io.StringIO(text, newline=""), dialect)
    except csv.Error:
        raise UploadError(
            "The CSV file could not be read (a quote may be left open). Save it again from "
            "your spreadsheet program and upload it."
        ) from None


def _xlsx_cells(data: bytes) -> Iterator[tuple[Any, ...]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    unreadable = UploadError(
        "The file could not be opened as an Excel workbook. It may be damaged: open it in "
        "your spreadsheet program, save it as .xlsx again and upload it."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise unreadable from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise UploadError("The workbook is too large once opened. Split it into smaller files.")
    try:
        # read_only streams the sheet; data_only reads each formula's last calculated value.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for damaged files; all mean the same here.
        raise unreadable from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise unreadable
        try:
            # A row is read up to MAX_COLUMNS cells: a sheet formatted out to column XFD
            # would otherwise hand us 16,384 empty cells a row.
            yield from sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        except Exception:
            raise unreadable from None
    finally:
        book.close()


def upload_parse(*, name: str, data: bytes) -> ParsedUpload:
    """The rows of an uploaded CSV or XLSX file, or UploadError saying why not."""
    lowered = name.lower()
    if len(data) > MAX_BYTES:
        raise UploadError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    if not data.strip():
        raise UploadError("The file is empty.")
    if lowered.endswith(".xlsx"):
        if not data.startswith(XLSX_CONTENT):
            raise UploadError(
                "The file is named .xlsx but is not an Excel workbook. Save it from your "
                "spreadsheet program as .xlsx or as CSV UTF-8."
            )
        return _rows_from_cells(_xlsx_cells(data))
    if lowered.endswith((".csv", ".txt")):
        if data.startswith(XLSX_CONTENT) or b"\x00" in data[:1024]:
            raise UploadError(
                "The file is named .csv but is not text. Save it as CSV UTF-8 or upload the "
                ".xlsx workbook itself."
            )
        return _rows_from_cells(_csv_cells(data))
    raise UploadError(
        "Upload a CSV (.csv) or Excel (.xlsx) file. Older .xls files and other formats are "
        "not read: save the sheet as .xlsx or CSV UTF-8 first."
    )


def _tag_lookup() -> dict[str, Tag]:
    lookup: dict[str, Tag] = {}
    for tag in Tag.objects.all():
        lookup[tag.name.strip().lower()] = tag
        lookup[tag.slug] = tag
    return lookup


def _tag_names(cell: str) -> list[str]:
    return [name.strip() for name in cell.replace(";", ",").split(",") if name.strip()]


def _length_problem(label: str, text: str, limit: int) -> str | None:
    if len(text) > limit:
        return f"{label} is {len(text):,} characters long; the limit is {limit:,}."
    return None


def rows_check(*, dialogue: Dialogue, rows: Sequence[UploadRow]) -> list[CheckedRow]:
    """Every row with its problems (none means it can be imported), its topics and, for a
    comment, the idea it answers: a public idea of this dialogue, not withdrawn."""
    tags = _tag_lookup()
    wanted_ids = {number for row in rows if (number := whole_number(row.idea_id)) is not None}
    ideas = {
        idea.pk: idea
        for idea in Idea.objects.filter(
            dialogue=dialogue,
            pk__in=wanted_ids,
            visibility=Visibility.PUBLISHED,
            withdrawn_at__isnull=True,
        )
    }
    checked: list[CheckedRow] = []
    for row in rows:
        problems: list[str] = []
        found_tags: list[Tag] = []
        idea: Idea | None = None
        if row.is_blank:
            checked.append(CheckedRow(row, ["This row is blank: delete it."]))
            continue
        if row.kind == "comment":
            idea_id = whole_number(row.idea_id)
            if idea_id is None:
                problems.append(f"Idea id “{row.idea_id[:20]}” is not a number.")
            else:
                idea = ideas.get(idea_id)
                if idea is None:
                    problems.append(
                        f"There is no public idea {row.idea_id} in this dialogue to comment on."
                    )
            if row.title:
                problems.append(
                    "A row with an idea id is a comment, and comments have no title: empty "
                    "the title, or the idea id to make it a new idea."
                )
            if row.tags:
                problems.append("Comments have no topics: empty the tags cell.")
        else:
            if not row.title:
                problems.append("The title is missing.")
            problems.append(_length_problem("The title", row.title, TITLE_MAX) or "")
            for name in _tag_names(row.tags):
                tag = tags.get(name.lower())
                if tag is None:
                    known = ", ".join(sorted({t.name for t in tags.values()})) or "none yet"
                    problems.append(f"“{name}” is not one of the site's topics ({known}).")
                elif tag not in found_tags:
                    found_tags.append(tag)
        if not row.body:
            problems.append("The body is missing.")
        limit = COMMENT_BODY_MAX if row.kind == "comment" else IDEA_BODY_MAX
        problems.append(_length_problem("The body", row.body, limit) or "")
        checked.append(CheckedRow(row, [p for p in problems if p], found_tags, idea))
    return checked
