"""Text bound for a spreadsheet: a cell that starts like a formula is shown, never run."""

from __future__ import annotations

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
