"""WCAG 2.2 contrast between colours, and the nearest shade of a colour that passes."""

from __future__ import annotations

import colorsys
import re

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# 1.4.3 (text) and 1.4.11 (large text, user-interface components and graphics).
TEXT_RATIO = 4.5
UI_RATIO = 3.0


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(colour: str) -> tuple[int, int, int]:
    if not HEX_COLOUR.match(colour):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def luminance(colour: str) -> float:
    r, g, b = (_channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def nearest_passing(colour: str, *, against: str, ratio: float) -> str | None:
    """The shade of colour (same hue and saturation) closest in lightness that reaches the
    ratio against the other colour; None if no shade does."""
    r, g, b = (v / 255 for v in _rgb(colour))
    hue, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    best: tuple[float, str] | None = None
    for step in range(0, 1001):
        candidate_lightness = step / 1000
        rr, gg, bb = colorsys.hls_to_rgb(hue, candidate_lightness, saturation)
        candidate = "#{:02x}{:02x}{:02x}".format(
            *(round(min(max(v, 0.0), 1.0) * 255) for v in (rr, gg, bb))
        )
        if contrast_ratio(candidate, against) >= ratio:
            distance = abs(candidate_lightness - lightness)
            if best is None or distance < best[0]:
                best = (distance, candidate)
    return best[1] if best else None
