"""The detector that holds posts with personal details before anyone can see them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from moderation.personal_details import blocked_words_parse, find_personal_details

# Eighty-six inputs of 5,000 and 10,000 characters: the detector scans them all in about two
# seconds of CPU time (most of it phonenumbers parsing the digit-dense ones), the old
# quadratic patterns needed more than ten. The budget counts the scan's CPU time, which a
# busy machine hardly changes; the wall-clock deadline only stops a hang from blocking the
# suite.
ADVERSARIAL_CPU_SECONDS = 4.0
ADVERSARIAL_DEADLINE_SECONDS = 60


@pytest.mark.parametrize(
    ("text", "kind", "match"),
    [
        ("text me on 07700 900123 tonight", "phone number", "07700 900123"),
        ("ring +44 (0)151 496 0000", "phone number", "+44 (0)151 496 0000"),
        ("my number is 0151-496-0000", "phone number", "0151-496-0000"),
        ("call (0151) 123 4567 after six", "phone number", "(0151) 123 4567"),
        ("or 0151-123-4567", "phone number", "0151-123-4567"),
        ("ring +44 7700 900123", "phone number", "+44 7700 900123"),
        ("from abroad 0044 7700 900123", "phone number", "0044 7700 900123"),
        ("mon numéro +33 1 23 45 67 89", "phone number", "+33 1 23 45 67 89"),
        # Next to another number: the library alone reads the run as one too-long number.
        ("I'm 15 07700 900123 text me", "phone number", "07700 900123"),
        ("call 0151 496 0000 9-5", "phone number", "0151 496 0000"),
        ("+44 7700 900123 5 days a week", "phone number", "+44 7700 900123"),
        ("email jo.bloggs@example.org", "email address", "jo.bloggs@example.org"),
        ("I live near L1 8JQ", "postcode", "L1 8JQ"),
        ("postcode ch415lh", "postcode", "ch415lh"),
        ("add me @quiet_otter", "social media handle", "@quiet_otter"),
        ("see https://example.com/x", "link", "https://example.com/x"),
        ("go to www.example.org", "link", "www.example.org"),
        ("it's on myspace.co.uk", "link", "myspace.co.uk"),
    ],
)
def test_personal_details_are_found(text: str, kind: str, match: str) -> None:
    assert [(f.kind, f.text) for f in find_personal_details(text)] == [(kind, match)]


@pytest.mark.parametrize(
    "text",
    [
        "More youth clubs open late, 5 nights a week",
        "It happened in 2019 and again in 2021",
        "The score was 10-2 to us",
        "Meet at the library at 6.30pm",
        "Under-18s need somewhere to go",
        "In 2025 about 300 people came to the consultation",
        "It cost £1,250.00 last year, up from £12.50 a head",
        "10,000 people signed the petition",
        "We met on 12/03/2025, 2025-03-12 and 01.02.2025 from 09:00-17:00",
        "There were 123456789 votes",
        "Plans for 2024 2025 2026 2027",
        "Halves and quarters: 0.5 0.25 0.125",
    ],
)
def test_ordinary_posts_pass(text: str) -> None:
    assert find_personal_details(text) == []


def test_a_full_length_post_full_of_figures_is_not_held() -> None:
    text = (
        "Ward 15 had 2,000 homes, 450 flats, 1990 to 2000 growth of 12.5%, 10000 visitors, "
        "ages 12-18, score 10-2, 300 people, 4000 signatures, plans for 2024 2025 2026. "
        "Sessions on 01.02.2025, 15/03/2025 and 2025-04-20 at 10:30, 14:00 and 18:45. "
    ) * 30
    assert find_personal_details(text[:5151]) == []


def test_a_number_after_padding_that_wears_out_the_detector_is_still_held() -> None:
    for padding in ("1 " * 2600, "2019 " * 1000, "0.5 " * 1250):
        found = find_personal_details(padding + "text me on 07700 900123")
        assert "phone number" in {f.kind for f in found}, padding[:10]


def test_findings_come_in_the_order_they_appear() -> None:
    found = find_personal_details("ring 07700 900123 or jo@example.org, near L1 8JQ @quiet_otter")
    assert [f.kind for f in found] == [
        "phone number",
        "email address",
        "postcode",
        "social media handle",
    ]


def test_an_email_is_not_also_reported_as_a_handle_or_link() -> None:
    kinds = [f.kind for f in find_personal_details("write to sam@example.co.uk")]
    assert kinds == ["email address"]


def test_blocked_words_match_whole_words_whatever_the_case() -> None:
    blocked = blocked_words_parse("shank\n  Postcode war ,\n")
    assert blocked == ["postcode war", "shank"]
    found = find_personal_details(
        "No SHANK talk, no postcode war, shankly fine", blocked_words=blocked
    )
    assert [f.text for f in found] == ["SHANK", "postcode war"]


# Run in a child process: a pattern that backtracks without bound would hang the suite, so
# the child is killed at the deadline instead. Each input is at least twice a post's length.
_ADVERSARIAL = r"""
import random, time
from moderation.personal_details import blocked_words_parse, find_personal_details

rng = random.Random(10)
blocked = blocked_words_parse("shank, postcode war")
corpus = []
for n in (5000, 10000):
    for unit in ("a", "@", ".", "1", "-", "_", "a.", "a-", "a@", "@a", "1 ", "1-", "1.", "@ab ",
                 "a.b@", "www.", "http://", "+4", "(0)", "L1 ", "x.co",
                 "0 ", "07700 ", "2025 ", "0.5 ", "12 07700 900123 "):
        corpus.append((unit * n)[:n])
    corpus.append("a" * (n - 12) + "@example.org")
    corpus.append("jo@" + "a." * (n // 2))
    corpus.append("a" * n + "@")
    corpus.append("@" + "a" * n)
    for _ in range(10):
        corpus.append("".join(rng.choice("a1@.-_+( ) \t") for _ in range(n)))
    for _ in range(3):
        corpus.append("".join(rng.choice("0123456789 -.()+/") for _ in range(n)))
started = time.process_time()
for text in corpus:
    find_personal_details(text, blocked_words=blocked)
print(len(corpus), time.process_time() - started)
"""


def test_long_adversarial_words_are_scanned_in_bounded_time() -> None:
    platform = Path(__file__).resolve().parents[2] / "platform"
    try:
        done = subprocess.run(
            [sys.executable, "-c", _ADVERSARIAL],
            cwd=platform,
            capture_output=True,
            text=True,
            timeout=ADVERSARIAL_DEADLINE_SECONDS,
            check=True,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the scan hung for {ADVERSARIAL_DEADLINE_SECONDS} s")
    inputs, cpu_seconds = done.stdout.split()
    assert int(inputs) == 86
    assert float(cpu_seconds) < ADVERSARIAL_CPU_SECONDS, (
        f"{cpu_seconds} s of CPU for the adversarial corpus: some pattern backtracks"
    )


def test_a_detail_hidden_at_the_end_of_a_very_long_word_is_still_found() -> None:
    kinds = {f.kind for f in find_personal_details("x" * 6000 + "jo.bloggs@example.org")}
    assert "email address" in kinds
    found = find_personal_details("ring " + "-" * 6000 + " 07700 900123")
    assert [(f.kind, f.text) for f in found] == [("phone number", "07700 900123")]
