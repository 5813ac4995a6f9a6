"""Finds what looks like personal details in a post, so it can be held before anyone sees it.

Deliberately cautious: a false hold costs a short wait, a missed phone number can cost a
young person their anonymity.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# Every repeat in every pattern has an upper bound, so a match attempt at one position costs
# at most a fixed number of steps and a scan grows in step with the text's length: one long
# word cannot hold up the process (an unbounded `[a-z.]+@` retried at each of n starts costs
# n² steps). The bounds are the longest a real detail can be: an email's local part is at
# most 64 characters, a domain label at most 63 (RFC 5321, RFC 1035); a link's address is
# flagged in pieces of at most _LINK_TAIL characters.
_LINK_TAIL = 2000

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # No word boundary before the local part: a detail glued to the end of a long word is
    # still found (its last 64 characters, then the domain).
    ("email address", re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}", re.I)),
    ("link", re.compile(
        rf"\bhttps?://\S{{1,{_LINK_TAIL}}}|\bwww\.\S{{1,{_LINK_TAIL}}}"
        rf"|[\w-]{{1,63}}\.(?:com|co\.uk|org\.uk|org|net|io|me|tv|gg|uk)\b\S{{0,{_LINK_TAIL}}}",
        re.I,
    )),
    # UK postcodes, e.g. L1 8JQ, CH41 5LH, SW1A 1AA.
    ("postcode", re.compile(
        r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.I
    )),
    # @handles, but not the middle of an email address.
    ("social media handle", re.compile(r"(?<![\w@.])@[A-Za-z0-9_.]{2,30}\b")),
    # Nine to fifteen digits, however spaced or punctuated: UK and international numbers.
    # The repeated group is bounded and its two parts (a digit, then up to two separators)
    # share no character, so a run of text can be matched in one way only: no backtracking
    # blow-up.
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
    # Spans kept so far, sorted and never overlapping: a new span can only overlap the one
    # starting just before it or just after it, so each check is a binary search rather
    # than a walk over every earlier finding (thousands, in a post full of @handles).
    starts: list[int] = []
    ends: list[int] = []
    patterns = list(_PATTERNS)
    for word in blocked_words or []:
        patterns.append(("blocked word", re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.I)))
    for kind, pattern in patterns:
        for match in pattern.finditer(text):
            start, end = match.span()
            index = bisect_right(starts, start)
            if (index > 0 and ends[index - 1] > start) or (
                index < len(starts) and starts[index] < end
            ):
                continue
            starts.insert(index, start)
            ends.insert(index, end)
            findings.append(Finding(kind, start, end, match.group(0)))
    return sorted(findings, key=lambda finding: finding.start)
