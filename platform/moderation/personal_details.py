"""Finds what looks like personal details in a post, so it can be held before anyone sees it.

Deliberately cautious: a false hold costs a short wait, a missed phone number can cost a
young person their anonymity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)),
    ("link", re.compile(
        r"\bhttps?://\S+|\bwww\.\S+|\b[\w-]+\.(?:com|co\.uk|org\.uk|org|net|io|me|tv|gg|uk)\b\S*",
        re.I,
    )),
    # UK postcodes, e.g. L1 8JQ, CH41 5LH, SW1A 1AA.
    ("postcode", re.compile(
        r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.I
    )),
    # @handles, but not the middle of an email address.
    ("social media handle", re.compile(r"(?<![\w@.])@[A-Za-z0-9_.]{2,30}\b")),
    # Nine or more digits, however spaced or punctuated: UK and international numbers.
    ("phone number", re.compile(r"(?<!\w)\+?(?:\d[\s().-]{0,2}){8,14}\d(?!\w)")),
]  # fmt: skip


KINDS: list[str] = [kind for kind, _ in _PATTERNS] + ["blocked word"]


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str


def blocked_words_parse(text: str) -> list[str]:
    """The tenant's blocked list: one word or phrase per line or comma."""
    return sorted({w.strip().lower() for w in re.split(r"[,\n]", text) if w.strip()})


def find_personal_details(text: str, *, blocked_words: list[str] | None = None) -> list[Finding]:
    """Every match, in the order they appear; overlapping matches keep the first kind found."""
    findings: list[Finding] = []
    taken: list[range] = []
    patterns = list(_PATTERNS)
    for word in blocked_words or []:
        patterns.append(("blocked word", re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.I)))
    for kind, pattern in patterns:
        for match in pattern.finditer(text):
            span = range(match.start(), match.end())
            if any(span.start < other.stop and other.start < span.stop for other in taken):
                continue
            taken.append(span)
            findings.append(Finding(kind, match.start(), match.end(), match.group(0)))
    return sorted(findings, key=lambda finding: finding.start)
