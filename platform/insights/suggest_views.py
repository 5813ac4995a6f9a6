"""Similar ideas while a resident writes one: an htmx fragment, or without JavaScript the
idea form again with the suggestions above its buttons."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django_ratelimit.core import get_usage

from accounts.current import signed_in_user
from accounts.selectors import unconfirmed_email
from dialogues import services as dialogue_services
from dialogues.forms import IdeaForm
from dialogues.selectors import dialogue_get_public
from insights.forms import SimilarForm
from insights.services import suggestions_find

# Typing sends a check after each pause: generous for a person, a wall for a script.
# (per account, per address); the address is hashed into the cache key by django-ratelimit.
LIMITS = (("similar:user_or_ip", "user_or_ip", "120/10m"), ("similar:ip", "ip", "600/h"))


def _over_limit(request: HttpRequest) -> bool:
    """Counts this check and says whether it went over either limit."""
    over = False
    for group, key, rate in LIMITS:
        usage = get_usage(request, group=group, key=key, rate=rate, method="POST", increment=True)
        over = over or bool(usage and usage["should_limit"])
    return over


@login_required
@require_POST
def similar_ideas(request: HttpRequest, slug: str) -> HttpResponse:
    """POST only, so what is typed never appears in an address or an access log."""
    dialogue = dialogue_get_public(slug=slug)
    if dialogue is None:
        raise Http404("No such dialogue")
    htmx = request.headers.get("HX-Request") == "true"
    if _over_limit(request):
        template = "insights/_suggestions.html" if htmx else "townsquare/429.html"
        return render(request, template, {"checked": True, "paused": True}, status=429)
    form = SimilarForm(request.POST)
    suggestions = suggestions_find(dialogue=dialogue, text=form.text())
    context: dict[str, Any] = {"suggestions": suggestions, "checked": True, "dialogue": dialogue}
    if htmx:
        return render(request, "insights/_suggestions.html", context)
    return render(request, "dialogues/idea_form.html", context | _idea_form_context(request))


def _idea_form_context(request: HttpRequest) -> dict[str, Any]:
    """The idea form as the resident left it, unsubmitted (so no errors yet): their words,
    their tags and the same submission key, so posting it later still posts it once."""
    author = signed_in_user(request)
    try:
        dialogue_services.participant_check(user=author)
        not_allowed = ""
    except dialogue_services.NotAllowed as error:
        not_allowed = str(error)
    try:
        key = uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        key = uuid.uuid4()
    initial = {
        "title": request.POST.get("title", "")[:150],
        "body": request.POST.get("body", "")[:5000],
        "tags": request.POST.getlist("tags"),
        "submission_key": key,
    }
    return {
        "form": IdeaForm(initial=initial),
        "not_allowed": not_allowed,
        "unconfirmed_email": unconfirmed_email(user=author) if not_allowed else "",
    }


# Mounted by one line in townsquare.urls_tenant, beside the idea form it serves.
