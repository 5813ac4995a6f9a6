"""The live preview of the Markdown editors: the text as residents will see it, nothing saved."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from accounts.roles import Capability
from backoffice.access import capability_required
from townsquare.lib.markdown_editor import markdown_preview_html
from townsquare.lib.richtext import MAX_LENGTH


def _preview(request: HttpRequest) -> HttpResponse:
    """The field named by ?field= (the editor's textarea, sent by htmx with the page's CSRF
    token) rendered and sanitised. Never stored, never cached."""
    field = request.GET.get("field", "")
    text = request.POST.get(field, "").replace("\r\n", "\n") if field else ""
    if len(text) > MAX_LENGTH:
        response = HttpResponse(
            f"Too long to preview: at most {MAX_LENGTH:,} characters.",
            status=413,
            content_type="text/plain; charset=utf-8",
        )
    else:
        response = HttpResponse(markdown_preview_html(text))
    response["Cache-Control"] = "no-store"
    return response


@capability_required(Capability.MANAGE_DIALOGUES)
@require_POST
def dialogue_text_preview(request: HttpRequest) -> HttpResponse:
    """Dialogue descriptions and outcomes."""
    return _preview(request)


@capability_required(Capability.MANAGE_THEME)
@require_POST
def theme_text_preview(request: HttpRequest) -> HttpResponse:
    """Pages and the home page introduction."""
    return _preview(request)
