"""The design system's generated parts: avatars, icons and star ratings."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError

from themes.contrast import contrast_ratio
from themes.css import theme_stylesheet
from townsquare.lib.icons import icon_names
from townsquare.templatetags.avatars import AVATAR_COLOURS, avatar, avatar_colour, avatar_initials
from townsquare.templatetags.durations import duration_words
from townsquare.templatetags.icons import icon
from townsquare.templatetags.ratings import star_rating


def test_every_avatar_colour_carries_white_initials_at_aa() -> None:
    for colour in AVATAR_COLOURS:
        assert contrast_ratio(colour, "#ffffff") >= 4.5, colour


@pytest.mark.parametrize(
    ("username", "initials"),
    [("QuietFox42", "QF"), ("sam", "SA"), ("7Bridges", "7B"), ("_x", "X"), ("——", "?")],
)
def test_initials_come_from_the_username(username: str, initials: str) -> None:
    assert avatar_initials(username) == initials


def test_an_avatar_is_the_same_for_the_same_name_and_never_a_photo() -> None:
    assert avatar_colour("River") == avatar_colour("river")
    drawn = str(avatar("River"))
    assert "<img" not in drawn
    assert 'aria-hidden="true"' in drawn
    assert ">RI</text>" in drawn
    assert len({avatar_colour(f"user{n}") for n in range(200)}) == len(AVATAR_COLOURS)


def test_an_avatar_escapes_what_it_is_given() -> None:
    assert "<script" not in str(avatar("<script>"))


def test_icons_are_inline_decorative_svg() -> None:
    drawn = str(icon("star"))
    assert drawn.startswith('<svg class="icon icon--star"')
    assert 'aria-hidden="true"' in drawn
    assert 'focusable="false"' in drawn
    assert "<path" in drawn
    assert "star" in icon_names()
    assert "house" in icon_names()


@pytest.mark.parametrize("name", ["no-such-icon", "../LICENSE", "star.svg"])
def test_an_unknown_icon_is_a_template_error_not_a_blank(name: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        Template("{% load icons %}{% icon name %}").render(Context({"name": name}))


@pytest.mark.parametrize(
    ("average", "full", "half"),
    [(5.0, 5, 0), (4.3, 4, 1), (4.2, 4, 0), (1.0, 1, 0), (2.75, 3, 0), (0.4, 0, 1)],
)
def test_stars_fill_to_the_nearest_half(average: float, full: int, half: int) -> None:
    drawn = str(star_rating(average, 3))
    # A half star is drawn as an empty star under a filled half.
    assert drawn.count("star--full") == full + half
    assert drawn.count("icon--star-half") == half
    assert f'aria-label="Rated {average} out of 5 from 3 ratings"' in drawn


def test_no_ratings_say_so_in_words() -> None:
    assert "Not rated yet" in str(star_rating(None, 0))


def test_durations_read_as_words() -> None:
    from datetime import timedelta

    assert duration_words(timedelta(minutes=3, seconds=19.37)) == "3 minutes"
    assert duration_words(timedelta(days=1, hours=2, minutes=5)) == "1 day 2 hours"
    assert duration_words(timedelta(seconds=20)) == "under a minute"


@pytest.mark.parametrize(
    ("background", "text", "link"),
    [
        ("#ffffff", "#111111", "#1d4e89"),
        ("#fdf6e3", "#111111", "#1d4e89"),
        ("#202124", "#f1f3f4", "#8ab4f8"),
        ("#000000", "#f1f3f4", "#8ab4f8"),
    ],
)
def test_the_star_colour_is_visible_on_any_theme_background(
    background: str, text: str, link: str
) -> None:
    values = {"font": "system", "primary": "#1d4e89", "accent": "#6b6b76"}
    css = theme_stylesheet(values | {"text": text, "background": background, "link": link})
    star = css.split("--ts-star: ")[1].split(";")[0]
    assert contrast_ratio(star, background) >= 3.0
