"""The Markdown editor of the admin area: a textarea with a toolbar, help and a live preview."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from townsquare.lib.forms import MultilineField
from townsquare.lib.markdown import markdown_render
from townsquare.lib.richtext import MAX_LENGTH

# The no-JavaScript "Preview" button: a form sent with it is shown again, nothing saved.
PREVIEW_BUTTON = "markdown_preview"
# (action, accessible name, icon) of each toolbar button, in order.
TOOLBAR = [
    ("bold", "Bold", "bold"),
    ("italic", "Italic", "italic"),
    ("heading", "Heading", "heading"),
    ("bullets", "Bulleted list", "list"),
    ("numbers", "Numbered list", "list-ordered"),
    ("link", "Link", "link"),
    ("quote", "Quote", "quote"),
]
NOTHING_TO_PREVIEW = '<p class="markdown-editor__empty">Nothing to preview yet.</p>'


def markdown_preview_html(source: str) -> str:
    """What the preview region shows: the text as residents will see it."""
    return markdown_render(source) or NOTHING_TO_PREVIEW


class MarkdownEditor(forms.Textarea):
    """preview_url_name: the URL that renders a preview for this form's capability; htmx
    posts the text there as the person types (the page's CSRF token goes with it)."""

    template_name = "townsquare/widgets/markdown_editor.html"

    def __init__(self, *, preview_url_name: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"rows": 10, **(attrs or {})})
        self.preview_url_name = preview_url_name

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        textarea_id = widget["attrs"].setdefault("id", f"id_{name}")
        preview_id = f"{textarea_id}-preview"
        url = f"{reverse(self.preview_url_name)}?{urlencode({'field': name})}"
        widget["attrs"].update(
            {
                "class": "markdown-editor__text",
                "data-markdown-text": "",
                "hx-post": url,
                "hx-trigger": "input changed delay:400ms",
                "hx-target": f"#{preview_id}",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                # The text and the CSRF token only: never the rest of the form (or its files).
                "hx-params": f"csrfmiddlewaretoken,{name}",
            }
        )
        context["markdown"] = {
            "preview_id": preview_id,
            # Sanitised by markdown_render (nh3): safe to place in the page as it is.
            "preview": mark_safe(markdown_preview_html(widget["value"] or "")),  # noqa: S308
            "button": PREVIEW_BUTTON,
            "toolbar": TOOLBAR,
        }
        return context


class MarkdownField(MultilineField):
    """Markdown up to richtext's MAX_LENGTH, written in the MarkdownEditor."""

    def __init__(self, *, preview_url_name: str, rows: int = 10, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_LENGTH)
        kwargs.setdefault("widget", MarkdownEditor(preview_url_name=preview_url_name))
        kwargs["widget"].attrs["rows"] = rows
        super().__init__(**kwargs)


def markdown_preview_requested(request: HttpRequest) -> bool:
    """Whether the form was sent with its "Preview" button (the editor without JavaScript)."""
    return request.method == "POST" and PREVIEW_BUTTON in request.POST


def form_previewed(form: forms.BaseForm) -> forms.BaseForm:
    """The form as sent, shown again for its preview: nothing is saved, so nothing is
    refused either (an unfinished title is not an error while one is only looking)."""
    form.errors.clear()
    return form
