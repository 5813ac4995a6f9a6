"""Cursor pagination on a sort key: pages stay stable while new posts arrive.

A cursor is the sort key of the row a page ended (or began) on, signed so that it cannot be
forged into an arbitrary query; a page is then the rows strictly after (or before) that key.
Every sort ends on the primary key, so the key of a row is unique and nothing is skipped or
repeated between pages.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.core import signing
from django.db import connection
from django.db.models import F, Model, Q, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

Kind = Literal["int", "float", "datetime"]


@dataclass(frozen=True)
class SortKey:
    """A column (or annotation) of the sort and the type of its values."""

    name: str
    kind: Kind


@dataclass(frozen=True)
class Ordering:
    """A named sort: its keys, all descending or all ascending, the last one unique."""

    name: str
    keys: tuple[SortKey, ...]
    descending: bool = True


class InvalidCursorError(ValidationError):
    default_code = "invalid_cursor"


def _salt() -> str:
    # Bound to the site: a cursor from one site's list is refused by every other site.
    return f"api.cursor:{connection.schema_name}"  # type: ignore[attr-defined]


def _encode_value(value: Any, kind: Kind) -> Any:
    if kind == "datetime":
        return value.isoformat()
    return value


def _decode_value(value: Any, kind: Kind) -> Any:
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind == "datetime" and isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidCursorError({"cursor": ["This cursor is not one this list gave out."]})


def _beyond(keys: tuple[SortKey, ...], values: list[Any], *, less: bool) -> Q:
    """Rows whose key tuple sorts strictly after `values` (before, when `less` is False)."""
    lookup = "lt" if less else "gt"
    condition = Q()
    for index, key in enumerate(keys):
        step = Q(**{f"{keys[i].name}": values[i] for i in range(index)})
        step &= Q(**{f"{key.name}__{lookup}": values[index]})
        condition |= step
    return condition


class KeysetPagination(BasePagination):
    """`?cursor=` from a page's `next`/`previous` link; `?page_size=` up to 100."""

    page_size = 20
    max_page_size = 100

    def __init__(self) -> None:
        self.next_cursor: str | None = None
        self.previous_cursor: str | None = None
        self.request: Request | None = None

    def _page_size(self, request: Request) -> int:
        raw = request.query_params.get("page_size")
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"Ask for between 1 and {self.max_page_size} items a page."]}
            )
        return int(raw)

    def _cursor(self, request: Request, ordering: Ordering) -> tuple[list[Any], bool] | None:
        raw = request.query_params.get("cursor")
        if raw is None:
            return None
        try:
            data = signing.loads(raw, salt=_salt())
        except (signing.BadSignature, ValueError, UnicodeError):
            raise InvalidCursorError(
                {"cursor": ["This cursor is not one this list gave out."]}
            ) from None
        if (
            not isinstance(data, dict)
            or data.get("o") != ordering.name
            or not isinstance(data.get("v"), list)
            or len(data["v"]) != len(ordering.keys)
            or not isinstance(data.get("r"), bool)
        ):
            raise InvalidCursorError(
                {"cursor": ["This cursor belongs to another list or another sort."]}
            )
        values = [
            _decode_value(value, key.kind)
            for value, key in zip(data["v"], ordering.keys, strict=True)
        ]
        return values, data["r"]

    def _make_cursor(self, ordering: Ordering, row: Model, *, reverse: bool) -> str:
        values = [_encode_value(getattr(row, key.name), key.kind) for key in ordering.keys]
        return signing.dumps({"o": ordering.name, "v": values, "r": reverse}, salt=_salt())

    def paginate_ordered(
        self, queryset: QuerySet[Any], request: Request, ordering: Ordering
    ) -> list[Any]:
        self.request = request
        size = self._page_size(request)
        cursor = self._cursor(request, ordering)
        reverse = bool(cursor and cursor[1])
        # Walking back reads the rows before the cursor in the opposite order.
        descending = ordering.descending != reverse
        order = [F(key.name).desc() if descending else F(key.name).asc() for key in ordering.keys]
        rows = queryset.order_by(*order)
        if cursor is not None:
            rows = rows.filter(_beyond(ordering.keys, cursor[0], less=descending))
        page = list(rows[: size + 1])
        more = len(page) > size
        page = page[:size]
        if reverse:
            page.reverse()
        if page:
            if more or reverse:
                self.next_cursor = self._make_cursor(ordering, page[-1], reverse=False)
            if cursor is not None and (more or not reverse):
                self.previous_cursor = self._make_cursor(ordering, page[0], reverse=True)
        return page

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        ordering = view.get_ordering() if view is not None else None
        if not isinstance(ordering, Ordering):
            raise TypeError("A keyset-paginated view says its Ordering.")
        return self.paginate_ordered(queryset, request, ordering)

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None or self.request is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, "cursor", cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            OrderedDict(
                [
                    ("next", self._link(self.next_cursor)),
                    ("previous", self._link(self.previous_cursor)),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                # Examples, so drf-spectacular can wrap each view's example in a page.
                "next": {
                    **link,
                    "description": "The next page, or null on the last.",
                    "example": "https://merseyside.example/api/v1/dialogues/?cursor=eyJrIjpbM119",
                },
                "previous": {
                    **link,
                    "description": "The page before, or null on the first.",
                    "example": None,
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Where the page starts: from a `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Items a page, 1 to {self.max_page_size} (default "
                f"{self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
