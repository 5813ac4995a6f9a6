"""Illustrations for the demo site's dialogues, drawn with Pillow: the demo ships no photos
of anyone, and every picture is made the same way on every run."""

from __future__ import annotations

import io
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1600, 900
Colour = tuple[int, int, int]


def _sky(draw: ImageDraw.ImageDraw, top: Colour, bottom: Colour, until: int) -> None:
    for y in range(until):
        share = y / max(until - 1, 1)
        draw.line(
            [(0, y), (WIDTH, y)],
            fill=tuple(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True)),
        )


def _hill(draw: ImageDraw.ImageDraw, base: int, height: int, colour: Colour, phase: float) -> None:
    points = [(0, HEIGHT)]
    for x in range(0, WIDTH + 40, 40):
        wave = ((x / WIDTH) * 2.3 + phase) % 2
        y = base - height * (1 - abs(wave - 1) ** 2)
        points.append((x, round(y)))
    points.append((WIDTH, HEIGHT))
    draw.polygon(points, fill=colour)


def _lamp(layer: Image.Image, draw: ImageDraw.ImageDraw, x: int, ground: int) -> None:
    glow = Image.new("RGBA", layer.size, (0, 0, 0, 0))
    ImageDraw.Draw(glow).ellipse([x - 90, ground - 330, x + 90, ground - 150], (255, 214, 120, 110))
    layer.alpha_composite(glow.filter(ImageFilter.GaussianBlur(30)))
    draw.rectangle([x - 5, ground - 240, x + 5, ground], fill=(40, 44, 60))
    draw.rounded_rectangle([x - 22, ground - 262, x + 22, ground - 236], 8, fill=(40, 44, 60))
    draw.ellipse([x - 14, ground - 246, x + 14, ground - 226], fill=(255, 228, 150))


def _tree(draw: ImageDraw.ImageDraw, x: int, ground: int, size: int, colour: Colour) -> None:
    draw.rectangle([x - size // 10, ground - size, x + size // 10, ground], fill=(74, 52, 40))
    for dx, dy, r in ((0, -1.3, 0.6), (-0.35, -1.0, 0.45), (0.35, -1.0, 0.45)):
        cx, cy, radius = x + dx * size, ground + dy * size, r * size
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=colour)


SKIN = [(92, 62, 48), (141, 85, 36), (198, 134, 66), (224, 172, 105), (255, 219, 172)]


def _person(
    draw: ImageDraw.ImageDraw, x: int, ground: int, scale: float, colour: Colour, skin: int = 0
) -> None:
    head = 22 * scale
    draw.ellipse(
        [x - head, ground - 190 * scale, x + head, ground - 146 * scale], SKIN[skin % len(SKIN)]
    )
    draw.rounded_rectangle(
        [x - 34 * scale, ground - 140 * scale, x + 34 * scale, ground], round(26 * scale), colour
    )


def park_at_dusk() -> Image.Image:
    image = Image.new("RGBA", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    _sky(draw, (36, 48, 102), (244, 160, 108), HEIGHT)
    draw.ellipse([1180, 120, 1300, 240], fill=(255, 236, 200))
    _hill(draw, 640, 140, (52, 110, 86), 0.3)
    _hill(draw, 760, 120, (38, 92, 70), 1.1)
    for x, size in ((180, 170), (420, 120), (1380, 150), (1520, 110)):
        _tree(draw, x, 760, size, (30, 78, 58))
    draw.polygon([(620, HEIGHT), (760, 700), (860, 700), (1100, HEIGHT)], fill=(214, 196, 170))
    for x in (560, 1040):
        _lamp(image, ImageDraw.Draw(image), x, 790)
    return image


def street_at_night() -> Image.Image:
    image = Image.new("RGBA", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    _sky(draw, (14, 22, 52), (58, 64, 110), HEIGHT)
    chance = random.Random(7)  # noqa: S311 - where windows are lit, not a secret
    x = 0
    while x < WIDTH:
        width, height = chance.randint(140, 240), chance.randint(260, 520)
        draw.rectangle([x, 700 - height, x + width - 8, 700], fill=(34, 38, 62))
        for wy in range(700 - height + 30, 680, 46):
            for wx in range(x + 18, x + width - 36, 38):
                lit = chance.random() < 0.45
                draw.rectangle(
                    [wx, wy, wx + 20, wy + 26], fill=(255, 210, 120) if lit else (52, 58, 88)
                )
        x += width
    draw.rectangle([0, 700, WIDTH, HEIGHT], fill=(48, 50, 62))
    for stripe in range(40, WIDTH, 180):
        draw.rectangle([stripe, 795, stripe + 90, 805], fill=(230, 230, 230))
    draw.rounded_rectangle([1160, 520, 1420, 700], 12, outline=(120, 200, 220), width=8)
    draw.rectangle([1176, 536, 1404, 560], fill=(120, 200, 220))
    for skin, (x, colour) in enumerate(((1230, (232, 110, 84)), (1330, (110, 170, 232)))):
        _person(draw, x, 700, 0.9, colour, skin + 2)
    for x in (300, 760):
        _lamp(image, ImageDraw.Draw(image), x, 720)
    return image


def youth_club() -> Image.Image:
    image = Image.new("RGBA", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    _sky(draw, (255, 214, 150), (250, 170, 120), 900)
    draw.rounded_rectangle([240, 200, 1360, 760], 28, fill=(60, 90, 160))
    draw.polygon([(200, 220), (800, 60), (1400, 220)], fill=(44, 68, 128))
    draw.rounded_rectangle([700, 470, 900, 760], 16, fill=(255, 220, 140))
    for wx in (340, 520, 1000, 1180):
        draw.rounded_rectangle([wx, 330, wx + 120, 440], 12, fill=(255, 236, 190))
    draw.rectangle([0, 760, WIDTH, HEIGHT], fill=(96, 150, 96))
    palette = [(232, 110, 84), (110, 170, 232), (250, 200, 80), (170, 120, 220), (80, 190, 160)]
    for index, x in enumerate(range(180, 1500, 190)):
        _person(draw, x, 860, 1.1 if index % 2 else 0.95, palette[index % len(palette)], index)
    return image


def picture_png(draw: Callable[[], Image.Image]) -> bytes:
    buffer = io.BytesIO()
    draw().convert("RGB").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
