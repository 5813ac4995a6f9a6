"""The theme's stylesheet (CSS custom properties and a self-hosted font) and the filter that
custom CSS passes through before it is stored."""

from __future__ import annotations

import posixpath
import re
from typing import Any
from urllib.parse import unquote

import tinycss2
from django.core.exceptions import ValidationError
from django.templatetags.static import static

from themes.contrast import TEXT_RATIO, contrast_ratio, nearest_passing
from themes.models import FONTS

MAX_CUSTOM_CSS = 20_000
# Safety features custom CSS may not restyle: hiding the quick exit would put people at risk.
# Rules are also confined to the content area (#main) and may not position anything, so no
# rule can reach, hide or cover the quick exit, which sits above everything (z-index 1000).
PROTECTED = ("exit-this-page", "skip-link", "signpost", "helpline")
FORBIDDEN_PROPERTIES = {"behavior", "-moz-binding", "position", "z-index"}


def _mix(colour: str, other: str, share: float) -> str:
    channels = [
        round(int(colour[i : i + 2], 16) * (1 - share) + int(other[i : i + 2], 16) * share)
        for i in (1, 3, 5)
    ]
    return "#" + "".join(f"{c:02x}" for c in channels)


# Panel tints: (custom property, colour mixed into the background, share at most).
TINTS = [
    ("--ts-tint", None, 0.07),
    ("--ts-tint-neutral", "#808080", 0.08),
    ("--ts-tint-good", "#2e7d32", 0.12),
    ("--ts-tint-bad", "#b3261e", 0.10),
    ("--ts-tint-warn", "#ffdd00", 0.15),
]


STAR_GOLDS = ("#a35f00", "#f2b01e")
ERROR_RED = "#b3261e"
GRAPHIC_RATIO = 3.0


def _tint(background: str, hue: str, share: float, readable: list[str]) -> str:
    """The background with a little of hue, as much as keeps every readable colour at AA."""
    while share > 0:
        candidate = _mix(background, hue, share)
        if all(contrast_ratio(colour, candidate) >= TEXT_RATIO for colour in readable):
            return candidate
        share = round(share - 0.01, 2)
    return background


def primary_text(primary: str) -> str:
    """White or near-black on the primary colour, whichever reads better."""
    white, black = "#ffffff", "#111111"
    return white if contrast_ratio(primary, white) >= contrast_ratio(primary, black) else black


def theme_stylesheet(values: dict[str, Any]) -> str:
    """The per-tenant stylesheet: custom properties site.css reads, the font, custom CSS."""
    _, stack, stem = FONTS.get(values["font"], FONTS["system"])
    parts = []
    if stem:
        for weight in (400, 700):
            url = static(f"themes/fonts/{stem}-latin-{weight}-normal.woff2")
            family = stack.split(",")[0]
            parts.append(
                f"@font-face {{ font-family: {family}; font-style: normal; font-weight: {weight}; "
                f"font-display: swap; src: url({url}) format('woff2'); }}"
            )
    background, text = values["background"], values["text"]
    # Secondary text: softened towards the background, but never below AA.
    muted = _mix(text, background, 0.25)
    if contrast_ratio(muted, background) < TEXT_RATIO:
        muted = nearest_passing(muted, against=background, ratio=TEXT_RATIO) or text
    properties = {
        "--ts-primary": values["primary"],
        "--ts-primary-text": primary_text(values["primary"]),
        "--ts-text": text,
        "--ts-background": background,
        "--ts-link": values["link"],
        "--ts-border": values["accent"],
        "--ts-muted": muted,
    }
    # Error text keeps its red, shifted until it reads at AA on this background (dark ones).
    error = ERROR_RED
    if contrast_ratio(error, background) < TEXT_RATIO:
        error = nearest_passing(error, against=background, ratio=TEXT_RATIO) or text
    properties["--ts-error"] = error
    # Stars are graphics: 3:1 against the background (WCAG 1.4.11), amber where it can be.
    properties["--ts-star"] = next(
        (gold for gold in STAR_GOLDS if contrast_ratio(gold, background) >= GRAPHIC_RATIO), text
    )
    readable = [text, values["link"], muted]
    for name, hue, share in TINTS:
        properties[name] = _tint(background, hue or values["primary"], share, readable)
    body = "; ".join(f"{key}: {value}" for key, value in properties.items())
    parts.append(f":root {{ {body}; }}")
    parts.append(f"body {{ font-family: {stack}; }}")
    if values.get("custom_css"):
        parts.append("/* The organisation's own CSS, filtered when saved. */")
        parts.append(values["custom_css"])
    return "\n".join(parts) + "\n"


PROPERTY_NAME = re.compile(r"^-{0,2}[a-zA-Z][a-zA-Z0-9-]*$")


def _own_media(url: str) -> bool:
    """A path under /media/ once decoded and normalised, as the browser will resolve it."""
    decoded = unquote(url.strip())
    if "\\" in decoded or not decoded.startswith("/media/"):
        return False
    return posixpath.normpath(decoded).startswith("/media/")


def _bad_value(tokens: list[Any]) -> str:
    """Why a declaration's value is refused, or ""."""
    for token in tokens:
        if token.type == "url" and not _own_media(token.value):
            return "url() may only point at this site's own uploaded files (/media/…)"
        if token.type == "function":
            fname = token.lower_name
            if fname == "url":
                args = [t for t in token.arguments if t.type == "string"]
                if not args or not _own_media(args[0].value):
                    return "url() may only point at this site's own uploaded files (/media/…)"
            if fname in {"expression", "image-set", "-webkit-image-set"}:
                return f"{fname}() is not allowed"
            reason = _bad_value(token.arguments)
            if reason:
                return reason
        if token.type in {"string", "ident"} and "javascript:" in str(token.value).lower():
            return "javascript: is not allowed"
    return ""


def _rules(rules: list[Any], removed: list[str], depth: int = 0) -> list[str]:
    kept: list[str] = []
    for rule in rules:
        if rule.type in {"whitespace", "comment"}:
            continue
        line = getattr(rule, "source_line", "?")
        if rule.type == "error":
            removed.append(f"Line {line}: not valid CSS ({rule.message}).")
            continue
        if rule.type == "at-rule":
            if rule.lower_at_keyword == "media" and depth == 0 and rule.content is not None:
                inner = _rules(
                    tinycss2.parse_rule_list(
                        rule.content, skip_comments=True, skip_whitespace=True
                    ),
                    removed,
                    depth + 1,
                )
                if inner:
                    prelude = tinycss2.serialize(rule.prelude).strip()
                    kept.append(f"@media {prelude} {{\n" + "\n".join(inner) + "\n}")
                continue
            removed.append(f"Line {line}: @{rule.at_keyword} is not allowed.")
            continue
        prelude = tinycss2.serialize(rule.prelude).strip()
        if any(name in prelude for name in PROTECTED):
            removed.append(
                f"Line {line}: “{prelude}” styles a safety feature (quick exit, skip link or "
                "helplines), which custom CSS may not change."
            )
            continue
        declarations = []
        for item in tinycss2.parse_blocks_contents(
            rule.content, skip_comments=True, skip_whitespace=True
        ):
            if item.type == "error":
                removed.append(f"Line {item.source_line}: not valid CSS ({item.message}).")
                continue
            if item.type != "declaration":
                removed.append(f"Line {line}: nested rules are not allowed.")
                continue
            if not PROPERTY_NAME.match(item.name):
                # tinycss2 gives names unescaped: written back raw, "\}" would end the rule.
                removed.append(f"Line {item.source_line}: “{item.name}” is not a CSS property.")
                continue
            if item.lower_name in FORBIDDEN_PROPERTIES:
                removed.append(
                    f"Line {item.source_line}: {item.name} is not allowed (custom CSS may not "
                    "move things out of the page's flow)."
                    if item.lower_name in {"position", "z-index"}
                    else f"Line {item.source_line}: {item.name} is not allowed."
                )
                continue
            reason = _bad_value(item.value)
            if reason:
                removed.append(f"Line {item.source_line}: {item.name}: {reason}.")
                continue
            important = " !important" if item.important else ""
            value = tinycss2.serialize(item.value).strip()
            declarations.append(f"{item.name}: {value}{important}")
        if declarations:
            kept.append(f"#main :is({prelude}) {{ " + "; ".join(declarations) + "; }")
    return kept


def custom_css_filter(source: str) -> tuple[str, list[str]]:
    """The CSS that may be served, and a reason for each thing taken out."""
    if len(source) > MAX_CUSTOM_CSS:
        raise ValidationError(
            f"Custom CSS can be up to {MAX_CUSTOM_CSS:,} characters; this is {len(source):,}."
        )
    removed: list[str] = []
    rules = tinycss2.parse_stylesheet(source, skip_comments=True, skip_whitespace=True)
    kept = [rule for rule in _rules(rules, removed) if _confined(rule)]
    return "\n".join(kept), removed


def _confined(css: str) -> bool:
    """Parsed again, the rule is what we meant to write: #main rules, or @media of them."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content:
            inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            if not all(
                r.type == "qualified-rule"
                and tinycss2.serialize(r.prelude).strip().startswith("#main :is(")
                for r in inner
            ):
                return False
        elif not (
            rule.type == "qualified-rule"
            and tinycss2.serialize(rule.prelude).strip().startswith("#main :is(")
        ):
            return False
    return len(rules) == 1
