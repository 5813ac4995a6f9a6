"""Text bound for a spreadsheet: a cell that starts like a formula is shown, never run."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from psycopg import sql

# OWASP's CSV-injection list: Excel, LibreOffice and Google Sheets treat a cell starting
# with any of these as a formula (which can run commands or send data away).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Column types whose values are free text; numbers, dates, ids and JSON cannot start so.
TEXT_TYPES = frozenset({"text", "character varying", "character"})


def formula_neutralised_sql(column: str, data_type: str) -> sql.Composable:
    """A select-list item for COPY … TO: text starting like a formula gets a leading single
    quote, as OWASP advises; every other value, and NULL, comes out as it is stored."""
    name = sql.Identifier(column)
    if data_type not in TEXT_TYPES:
        return name
    return sql.SQL(
        "CASE WHEN left({name}, 1) IN ({starts}) THEN '''' || {name} ELSE {name} END AS {name}"
    ).format(name=name, starts=sql.SQL(", ").join(sql.Literal(start) for start in FORMULA_STARTS))


Cell = str | int


def formula_neutralised(text: str) -> str:
    """The same rule for a value in Python: text starting like a formula gets a leading quote."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _cells(row: Sequence[Cell]) -> list[Cell]:
    return [formula_neutralised(cell) if isinstance(cell, str) else cell for cell in row]


def csv_bytes(rows: Iterable[Sequence[Cell]]) -> bytes:
    """Rows as CSV (UTF-8 with a byte-order mark, so Excel reads accents right); every text
    cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(_cells(row))
    return ("\ufeff" + out.getvalue()).encode()


def xlsx_bytes(rows: Iterable[Sequence[Cell]], *, sheet: str) -> bytes:
    """Rows as an Excel workbook of one sheet; every text cell neutralised. Numbers stay
    numbers; characters a workbook cannot hold (control characters) are dropped."""
    book = Workbook(write_only=True)
    worksheet = book.create_sheet(title=sheet[:31])
    for row in rows:
        worksheet.append(
            [
                ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell
                for cell in _cells(row)
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
