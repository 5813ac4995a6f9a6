"""Markdown written by staff, turned into the sanitised HTML that residents' pages show."""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from townsquare.lib.richtext import richtext_clean

# The page around the text has its h1, and richtext allows h2 to h4: "#" and "##" both give
# h2, "###" h3, anything deeper h4.
TOP_HEADING, BOTTOM_HEADING = 2, 4


def _headings_fit(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in {"heading_open", "heading_close"}:
            level = min(max(int(token.tag[1]), TOP_HEADING), BOTTOM_HEADING)
            token.tag = f"h{level}"


def _image_as_text(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Images are not part of richtext (a dialogue has its own checked picture): their
    description is kept as words rather than vanishing with the tag."""
    return escapeHtml(renderer.renderInlineAsText(tokens[idx].children or [], options, env))


def _parser() -> MarkdownIt:
    # CommonMark, plus raw HTML so text written as HTML before Markdown keeps its shape (nh3
    # cleans it like everything else) and a line break wherever the writer pressed Enter.
    md = MarkdownIt("commonmark", {"html": True, "breaks": True})
    # Indenting a paragraph should not turn it into a code sample: staff write prose.
    md.disable(["code", "fence"])
    md.core.ruler.push("headings_fit", _headings_fit)
    md.add_render_rule("image", _image_as_text)
    return md


_MARKDOWN = _parser()


def markdown_render(source: str) -> str:
    """HTML safe to show as-is. markdown-it already refuses javascript: and data: links;
    richtext_clean (nh3) is what makes the result safe whatever the parser lets through."""
    return richtext_clean(_MARKDOWN.render(source)).strip()
