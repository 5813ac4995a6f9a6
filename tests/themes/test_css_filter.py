"""Custom CSS cannot escape the content area, however it is written."""

from __future__ import annotations

import pytest

from themes.css import custom_css_filter


@pytest.mark.parametrize(
    "source",
    [
        r"a { \}\ \.exit-this-page\{display\:none\!important\;x: 1 }",
        r"a { \}\ html\ \*\{position\:fixed\;x: 1 }",
        "html * { position: fixed }",
        "a { background: url(/media/%2e%2e/manage/x) }",
        "a { background: url('/media/theme/../../manage/') }",
        "a { background: url(//evil.example/x.png) }",
        "@media screen { .exit-this-page { display: none } }",
        "@supports (display: grid) { a { color: red } }",
    ],
)
def test_attempts_to_reach_outside_the_content_area_are_removed(source: str) -> None:
    css, removed = custom_css_filter(source)
    assert removed
    assert "exit-this-page" not in css
    assert "position" not in css
    assert "manage" not in css
    for line in filter(None, css.splitlines()):
        assert line.startswith(("#main :is(", "@media", "}")), line


def test_ordinary_rules_are_kept_inside_the_content_area() -> None:
    css, removed = custom_css_filter(
        "h2, .card { color: #333; background: url(/media/theme/a.png) }\n"
        "@media (max-width: 40rem) { p { font-size: 1.1rem } }"
    )
    assert removed == []
    assert css == (
        "#main :is(h2, .card) { color: #333; background: url(/media/theme/a.png); }\n"
        "@media (max-width: 40rem) {\n#main :is(p) { font-size: 1.1rem; }\n}"
    )
