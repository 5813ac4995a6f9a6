"""Printable join-code cards: an A4 sheet of eight, each with the join address and its QR code."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.models import InviteCode
from accounts.roles import Capability
from backoffice.access import capability_required
from tenants.selectors import current_base_url

CARDS_PER_SHEET = 8
MAX_SHEETS = 20


def join_url(code: InviteCode) -> str:
    """The address a card sends people to: the join page with the code filled in."""
    return f"{current_base_url()}{reverse('join_with_code')}?{urlencode({'code': code.code})}"


def join_qr_svg(url: str) -> SafeString:
    """The QR code of `url` as inline SVG, named for screen readers. segno writes shapes with
    presentation attributes only (no style attribute), so the page's CSP holds."""
    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=4, omitsize=True, svgclass="qr-code", lineclass="qr-code__modules"
    )
    label = escape(f"QR code that opens {url}")
    # The markup is segno's own, from a URL we built; the label is escaped above.
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S308


def code_is_active(code: InviteCode) -> bool:
    """Not stopped, not expired, not used up: the code still lets people join."""
    return (
        code.revoked_at is None and code.valid_until > timezone.now() and code.uses < code.max_uses
    )


@capability_required(Capability.ISSUE_CODES)
def code_cards(request: HttpRequest, code_id: int) -> HttpResponse:
    code = InviteCode.objects.filter(pk=code_id).first()
    if code is None:
        raise Http404("No such code")
    if not code_is_active(code):
        messages.error(request, f"Code {code.code} no longer works, so it has no cards to print.")
        return redirect("backoffice:codes")
    try:
        sheets = min(max(int(request.GET.get("sheets", "1")), 1), MAX_SHEETS)
    except ValueError:
        sheets = 1
    url = join_url(code)
    context = {
        "code": code,
        "url": url,
        "qr_svg": join_qr_svg(url),
        "sheets": range(sheets),
        "sheet_count": sheets,
        "cards": range(CARDS_PER_SHEET),
        "sheet_choices": [1, 2, 5, 10, MAX_SHEETS],
    }
    return render(request, "backoffice/code_cards.html", context)
