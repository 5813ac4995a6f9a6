"""Contrast arithmetic against WCAG's published examples, and suggestions that really pass."""

from __future__ import annotations

import colorsys

import pytest

from themes.contrast import contrast_ratio, nearest_passing
from themes.css import theme_stylesheet


def test_ratios_match_wcag() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(
    ("colour", "background", "ratio"),
    [("#ffcc00", "#ffffff", 4.5), ("#6699ff", "#ffffff", 4.5), ("#333366", "#202124", 4.5),
     ("#eeeeee", "#ffffff", 3.0)],
)  # fmt: skip
def test_the_suggested_shade_passes_and_keeps_the_hue(
    colour: str, background: str, ratio: float
) -> None:
    suggestion = nearest_passing(colour, against=background, ratio=ratio)
    assert suggestion is not None
    assert contrast_ratio(suggestion, background) >= ratio

    def hue(value: str) -> float:
        r, g, b = (int(value[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return colorsys.rgb_to_hls(r, g, b)[0]

    if colour not in {"#eeeeee"}:  # greys have no hue to keep
        assert hue(suggestion) == pytest.approx(hue(colour), abs=0.02)


def test_every_panel_tint_keeps_text_and_links_at_aa() -> None:
    values = {
        "primary": "#8ab4f8", "accent": "#9aa0a6", "text": "#f1f3f4", "background": "#202124",
        "link": "#8ab4f8", "font": "system", "custom_css": "",
    }  # fmt: skip
    css = theme_stylesheet(values)
    properties = dict(
        line.split(": ") for line in css.split(":root {")[1].split("}")[0].strip(" ;").split("; ")
    )
    for name in (
        "--ts-tint",
        "--ts-tint-neutral",
        "--ts-tint-good",
        "--ts-tint-bad",
        "--ts-tint-warn",
    ):
        for colour in (values["text"], values["link"], properties["--ts-muted"]):
            assert contrast_ratio(colour, properties[name]) >= 4.5, name
