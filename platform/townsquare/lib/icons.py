"""The vendored Lucide icons (static/vendor/lucide): read once, by name, for inlining."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "lucide"
_BODY = re.compile(r"<svg[^>]*>(?P<body>.*)</svg>", re.DOTALL)


class UnknownIconError(LookupError):
    """No vendored icon of that name: a template naming one is wrong, not blank."""


@cache
def icon_body(name: str) -> str:
    """The shapes inside the icon's <svg>, whitespace folded."""
    path = ICON_DIR / f"{name}.svg"
    if not re.fullmatch(r"[a-z0-9-]+", name) or not path.is_file():
        raise UnknownIconError(f"No vendored icon named {name!r} in {ICON_DIR}.")
    match = _BODY.search(path.read_text(encoding="utf-8"))
    if match is None:
        raise UnknownIconError(f"{path} is not an SVG icon.")
    return " ".join(match.group("body").split())


def icon_names() -> list[str]:
    """Every vendored icon's name, sorted: the style page shows them all."""
    return sorted(path.stem for path in ICON_DIR.glob("*.svg"))
