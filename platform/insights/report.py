"""What the dashboard and the dialogue report show, charts included, and the report as PDF."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from dialogues.models import Comment, Idea, StatusChange
from dialogues.selectors import comment_rule
from insights.charts import Chart, bar_chart, column_chart
from insights.figures import DialogueInsights
from insights.selectors import themes_of
from moderation.models import Visibility

THEMES_SHOWN = 8
RESPONSES_SHOWN = 10


@dataclass(frozen=True)
class ThemeSummary:
    label: str
    size: int
    key_phrases: list[str]
    representatives: list[Idea]


def _themes(insights: DialogueInsights) -> list[ThemeSummary]:
    """The largest themes of the latest grouping, counted and illustrated by what the public
    can see now (insights.selectors.themes_of)."""
    return [
        ThemeSummary(
            theme.label,
            theme.visible_size,  # type: ignore[attr-defined]
            [str(phrase) for phrase in theme.key_phrases][:6],
            list(theme.representatives),  # type: ignore[attr-defined]
        )
        for theme in themes_of(dialogue=insights.dialogue)[:THEMES_SHOWN]
    ]


def _official_responses(insights: DialogueInsights) -> dict[str, Any]:
    return {
        "status_changes": list(
            StatusChange.objects.filter(
                idea__dialogue=insights.dialogue,
                idea__visibility=Visibility.PUBLISHED,
                idea__withdrawn_at__isnull=True,
            )
            .select_related("idea__dialogue")
            .order_by("-created_at")[:RESPONSES_SHOWN]
        ),
        # The public pages' rule: an official reply under a hidden comment stays out too.
        "official_comments": list(
            Comment.objects.filter(
                comment_rule(None),
                idea__dialogue=insights.dialogue,
                idea__withdrawn_at__isnull=True,
                is_official=True,
            )
            .select_related("idea__dialogue")
            .order_by("-created_at")[:RESPONSES_SHOWN]
        ),
    }


def report_context(insights: DialogueInsights, *, with_themes: bool = False) -> dict[str, Any]:
    activity_charts = [
        column_chart(
            title=f"{series.name} per {insights.activity.period}",
            points=series.points,
            unit=series.unit,
            period=insights.activity.period,
        )
        for series in insights.activity.series
    ]
    tags_chart: Chart | None = None
    if insights.top_tags:
        tags_chart = bar_chart(
            title="Ideas per tag (top ten)", groups=insights.top_tags, unit="ideas", label="Tag"
        )
    breakdown_charts = [
        bar_chart(
            title=f"Participants by answer: {breakdown.question}",
            groups=breakdown.groups,
            unit="participants",
            label="Answer",
        )
        for breakdown in insights.breakdowns
        if breakdown.groups
    ]
    suppressed = [breakdown.question for breakdown in insights.breakdowns if not breakdown.groups]
    context: dict[str, Any] = {
        "insights": insights,
        "dialogue": insights.dialogue,
        "activity_charts": activity_charts,
        "tags_chart": tags_chart,
        "breakdown_charts": breakdown_charts,
        "suppressed_breakdowns": suppressed,
        "generated_at": timezone.now(),
    }
    if with_themes:
        context["themes"] = _themes(insights)
        context.update(_official_responses(insights))
    return context


def _report_css() -> str:
    """The site's stylesheet and the report's print rules, read from disk for WeasyPrint."""
    parts = []
    for name in ("townsquare/site.css", "insights/insights.css"):
        found = finders.find(name)
        if isinstance(found, str):
            parts.append(Path(found).read_text(encoding="utf-8"))
    return "\n".join(parts)


def report_pdf_bytes(request: HttpRequest, insights: DialogueInsights) -> bytes:
    """The report rendered to PDF on the server. WeasyPrint may fetch only data: URLs, so
    nothing in the report can make the server reach the network or its own files."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    context = report_context(insights, with_themes=True)
    context["for_pdf"] = True
    html = render_to_string("insights/report_document.html", context, request=request)
    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=2)
    document = HTML(string=html, url_fetcher=fetcher)
    return bytes(document.write_pdf(stylesheets=[CSS(string=_report_css(), url_fetcher=fetcher)]))
