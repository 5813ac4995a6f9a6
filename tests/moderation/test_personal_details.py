"""The detector that holds posts with personal details before anyone can see them."""

from __future__ import annotations

import pytest

from moderation.personal_details import blocked_words_parse, find_personal_details


@pytest.mark.parametrize(
    ("text", "kind", "match"),
    [
        ("text me on 07700 900123 tonight", "phone number", "07700 900123"),
        ("ring +44 (0)151 496 0000", "phone number", "+44 (0)151 496 0000"),
        ("my number is 0151-496-0000", "phone number", "0151-496-0000"),
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
    ],
)
def test_ordinary_posts_pass(text: str) -> None:
    assert find_personal_details(text) == []


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
