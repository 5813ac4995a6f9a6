"""Finds what looks like personal details in a post, so it can be held before anyone sees it.

Deliberately cautious: a false hold costs a short wait, a missed phone number can cost a
young person their anonymity.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher, PhoneNumberType, ValidationResult

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
]  # fmt: skip

# Phone numbers are found by the phonenumbers library, not a pattern: it knows how each
# country writes its numbers, so "in 2025 about 300 people" or "10,000" is not one.
_PHONE_NUMBER = "phone number"
_REGION = "GB"  # how a number without a country code is read
# Each number-like piece of text costs the library a parse or two, so a post that is nothing
# but digit groups (5,151 characters at most) would cost half a second of CPU, and the
# moderation queue screens every held post again. So a text gets at most _MAX_TRIES
# candidates that hold no possible number (the matcher's own cap), _MOST_PIECES possible ones
# and _REJOIN_PARSES re-reads (below); a text that needs more is held, unread from there. A
# full-length post with a figure every few words needs up to about 240 pieces and 460 tries.
_MAX_TRIES = 1000
_MOST_PIECES = 300
_REJOIN_PARSES = 64
# The matcher stops without a word when its tries run out: a number it always finds, after
# the text, shows whether it read to the end.
_END_MARK = "\n+44 151 496 0000"
# Where the matcher splits a run of digit groups apart, the run is re-read from each group
# that starts like a dialled number, over at most _LONGEST characters (a number as written:
# "+44 (0) 7700 900 123" is 20), keeping reads of at least _FEWEST_DIGITS digits.
_LONGEST = 32
_FEWEST_DIGITS = 9
_JOINERS = frozenset(" \u00a0-\u2010\u2011\u2012\u2013\u2014./()+")


KINDS: list[str] = [kind for kind, _ in _PATTERNS] + [_PHONE_NUMBER, "blocked word"]


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str


def blocked_words_parse(text: str) -> list[str]:
    """The tenant's blocked list: one word or phrase per line or comma."""
    return sorted({w.strip().lower() for w in re.split(r"[,\n]", text) if w.strip()})


def _is_phone_number(number: phonenumbers.PhoneNumber, written: str) -> bool:
    """A number in use, or one written as dialled that is as long as a landline or mobile.

    The second half holds what the library calls invalid but still reads as someone's number:
    Ofcom's drama ranges (07700 900123), ranges opened since the library's release. Asking for
    the dialled form (a leading 0, 00 or +) keeps 123456789 out; a national number never starts
    with 0 once its 0 prefix is off, which keeps "0.5 0.25 0.125" out.
    """
    if phonenumbers.is_valid_number(number):
        return True
    return (
        written.lstrip("(").startswith(("0", "+"))
        and not number.italian_leading_zero
        and phonenumbers.is_possible_number_for_type_with_reason(
            number, PhoneNumberType.FIXED_LINE_OR_MOBILE
        )
        == ValidationResult.IS_POSSIBLE
    )


def _phone_numbers(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the phone numbers in text, in order.

    Leniency.POSSIBLE, then _is_phone_number: the stricter VALID misses 07700 900123, and
    POSSIBLE alone takes any four digits for a local number (2025, 10000). The matcher tries a
    run of digit groups whole, then one group at a time, so a number next to another number
    ("I'm 15 07700 900123", "0151 496 0000 9-5") comes back in pieces that are not numbers;
    those runs are re-read from each group that starts like a dialled number.
    """
    pieces_left = _MOST_PIECES
    parses_left = _REJOIN_PARSES
    reread_to = read_to = 0
    for match in PhoneNumberMatcher(
        text + _END_MARK, _REGION, leniency=Leniency.POSSIBLE, max_tries=_MAX_TRIES
    ):
        if match.start >= len(text):
            return
        if pieces_left == 0:
            break
        pieces_left -= 1
        read_to = match.end
        if _is_phone_number(match.number, match.raw_string):
            yield match.start, match.end
            reread_to = max(reread_to, match.end)
        elif match.start >= reread_to:
            start, end = match.start, match.end
            while start > max(reread_to, match.start - _LONGEST) and _joins(text[start - 1]):
                start -= 1
            while end < min(len(text), match.end + _LONGEST) and _joins(text[end]):
                end += 1
            reread_to = end
            spans, parses_left = _reread(text, start, end, parses_left)
            yield from spans
    # Gave up before the end: hold the next digits rather than let a number through unread.
    first = next((i for i in range(read_to, len(text)) if text[i].isdigit()), len(text))
    last = first
    while last < min(len(text), first + _LONGEST) and _joins(text[last]):
        last += 1
    if first < last:
        yield first, last


def _joins(char: str) -> bool:
    return char.isdigit() or char in _JOINERS


def _reread(text: str, start: int, end: int, parses_left: int) -> tuple[list[tuple[int, int]], int]:
    """Numbers in text[start:end] read from each group starting 0… or +…, longest reading first.

    Returns them and the parses left; out of parses, a reading is held without being parsed
    rather than let a number through unread.
    """
    spans: list[tuple[int, int]] = []
    for group in range(start, end):
        if spans and group < spans[-1][1]:
            continue
        after_digit = group > start and text[group - 1].isdigit()
        after_plus = group > start and text[group - 1] == "+"
        if not text[group].isdigit() or after_digit or not (text[group] == "0" or after_plus):
            continue
        # From the "+" or "(" written just before the group, if there is one.
        first = group - 1 if group > start and text[group - 1] in "+(" else group
        for stop in _group_ends(text, first, min(end, first + _LONGEST)):
            if parses_left <= 0:
                spans.append((first, stop))
                break
            parses_left -= 1
            try:
                number = phonenumbers.parse(text[first:stop], _REGION)
            except phonenumbers.NumberParseException:
                continue
            if _is_phone_number(number, text[first:stop]):
                spans.append((first, stop))
                break
    return spans, parses_left


def _group_ends(text: str, start: int, stop: int) -> list[int]:
    """Where the digit groups in text[start:stop] end, last first, from _FEWEST_DIGITS digits on."""
    ends: list[int] = []
    digits = 0
    for index in range(start, stop):
        if text[index].isdigit():
            digits += 1
            if digits >= _FEWEST_DIGITS and (
                index + 1 == len(text) or not text[index + 1].isdigit()
            ):
                ends.append(index + 1)
    return ends[::-1]


def find_personal_details(text: str, *, blocked_words: list[str] | None = None) -> list[Finding]:
    """Every match, in the order they appear; overlapping matches keep the first kind found."""
    findings: list[Finding] = []
    # Spans kept so far, sorted and never overlapping: a new span can only overlap the one
    # starting just before it or just after it, so each check is a binary search rather
    # than a walk over every earlier finding (thousands, in a post full of @handles).
    starts: list[int] = []
    ends: list[int] = []
    spans_by_kind: list[tuple[str, Iterable[tuple[int, int]]]] = [
        (kind, (match.span() for match in pattern.finditer(text))) for kind, pattern in _PATTERNS
    ]
    spans_by_kind.append((_PHONE_NUMBER, _phone_numbers(text)))
    for word in blocked_words or []:
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.I)
        spans_by_kind.append(("blocked word", (match.span() for match in pattern.finditer(text))))
    for kind, spans in spans_by_kind:
        for start, end in spans:
            index = bisect_right(starts, start)
            if (index > 0 and ends[index - 1] > start) or (
                index < len(starts) and starts[index] < end
            ):
                continue
            starts.insert(index, start)
            ends.insert(index, end)
            findings.append(Finding(kind, start, end, text[start:end]))
    return sorted(findings, key=lambda finding: finding.start)
