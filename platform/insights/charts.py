"""Charts drawn on the server as SVG: no script, no third party; each is an image with a
title and a description, and the page puts its data table beside it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Dark enough on white for text (WCAG AA) and for bars as graphics (3:1).
BAR = "#1d4f91"
INK = "#1a1a1a"
GRID = "#767676"
_ids = itertools.count(1)


@dataclass(frozen=True)
class Chart:
    """A drawn chart and the rows of its data table."""

    svg: SafeString
    title: str
    columns: tuple[str, str]
    rows: list[tuple[str, int]]


def _nice_top(value: int) -> int:
    """The axis top: the smallest 1, 2 or 5 times a power of ten at or above the largest."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _n(value: float) -> str:
    """A coordinate with one decimal: enough for a crisp bar, short enough to keep SVG small."""
    return f"{value:.1f}"


def _day_label(day: date) -> str:
    return f"{day.day} {day:%b}"


def column_chart(*, title: str, points: list[tuple[date, int]], unit: str, period: str) -> Chart:
    """Counts per day or week as columns, with the axis top, first and last dates labelled."""
    chart_id = next(_ids)
    width, height, left, bottom, top_pad = 640, 220, 44, 28, 12
    plot_w, plot_h = width - left - 8, height - bottom - top_pad
    top = _nice_top(max((count for _, count in points), default=0))
    slot = plot_w / max(len(points), 1)
    bar_w = max(slot * 0.8, 1.0)
    total = sum(count for _, count in points)
    busiest = max(points, key=lambda point: point[1]) if points else None
    what = "week starting" if period == "week" else "day"
    if busiest and busiest[1]:
        summary = (
            f"{total} {unit} in all. The busiest {what} was {_day_label(busiest[0])} "
            f"with {busiest[1]}."
        )
    else:
        summary = f"No {unit} yet."
    if points:
        summary = (
            f"{summary} From {_day_label(points[0][0])} to {_day_label(points[-1][0])}, "
            f"per {period}."
        )
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>',
        (
            (
                _n(left + index * slot + (slot - bar_w) / 2),
                _n(top_pad + plot_h - plot_h * count / top),
                _n(bar_w),
                _n(plot_h * count / top),
                BAR,
            )
            for index, (_, count) in enumerate(points)
            if count
        ),
    )
    labels = ""
    if points:
        labels = format_html(
            '<text x="{}" y="{}" fill="{}" font-size="12">{}</text>'
            '<text x="{}" y="{}" fill="{}" font-size="12" text-anchor="end">{}</text>',
            left,
            height - 8,
            INK,
            _day_label(points[0][0]),
            width - 8,
            height - 8,
            INK,
            _day_label(points[-1][0]),
        )
    svg = format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="chart-{id}-title chart-{id}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="chart-{id}-title">{title}</title><desc id="chart-{id}-desc">{desc}</desc>'
        '<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="{grid}"></line>'
        '<line x1="{left}" y1="{pad}" x2="{right}" y2="{pad}" stroke="{grid}" '
        'stroke-dasharray="4 4"></line>'
        '<text x="{tx}" y="{ty}" fill="{ink}" font-size="12" text-anchor="end">{top}</text>'
        '<text x="{tx}" y="{base}" fill="{ink}" font-size="12" text-anchor="end">0</text>'
        "{bars}{labels}</svg>",
        w=width,
        h=height,
        id=chart_id,
        title=title,
        desc=summary,
        left=left,
        right=width - 8,
        base=top_pad + plot_h,
        pad=top_pad,
        grid=GRID,
        tx=left - 6,
        ty=top_pad + 4,
        ink=INK,
        top=top,
        bars=bars,
        labels=labels,
    )
    column = "Week starting" if period == "week" else "Day"
    rows = [(_day_label(day) + (f" {day:%Y}" if day.month == 1 else ""), n) for day, n in points]
    return Chart(svg, title, (column, unit.capitalize()), rows)


def bar_chart(*, title: str, groups: list[tuple[str, int]], unit: str, label: str) -> Chart:
    """Named counts as horizontal bars, each labelled with its name and count."""
    chart_id = next(_ids)
    width, row_h, label_w, value_w = 640, 28, 220, 56
    height = max(len(groups), 1) * row_h + 8
    top = max((count for _, count in groups), default=0) or 1
    plot_w = width - label_w - value_w
    total = sum(count for _, count in groups)
    if groups:
        largest = groups[0] if groups[0][1] >= groups[-1][1] else groups[-1]
        summary = (
            f"{total} {unit} in {len(groups)} groups; the largest is {largest[0]}, {largest[1]}."
        )
    else:
        summary = "Nothing to show."
    rows_svg = format_html_join(
        "",
        '<text x="{}" y="{}" fill="{}" font-size="13" text-anchor="end">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
        '<text x="{}" y="{}" fill="{}" font-size="13">{}</text>',
        (
            (
                label_w - 8,
                index * row_h + 22,
                INK,
                name if len(name) <= 30 else name[:29] + "…",
                label_w,
                index * row_h + 8,
                _n(max(plot_w * count / top, 1.0)),
                row_h - 10,
                BAR,
                _n(label_w + max(plot_w * count / top, 1.0) + 6),
                index * row_h + 22,
                INK,
                count,
            )
            for index, (name, count) in enumerate(groups)
        ),
    )
    svg = format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="chart-{id}-title chart-{id}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="chart-{id}-title">{title}</title><desc id="chart-{id}-desc">{desc}</desc>'
        "{rows}</svg>",
        w=width,
        h=height,
        id=chart_id,
        title=title,
        desc=summary,
        rows=rows_svg,
    )
    return Chart(svg, title, (label, unit.capitalize()), list(groups))
