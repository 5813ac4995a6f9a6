"""Reporting a post or a worry: open to every visitor, limited per address, with a honeypot."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.current import user_or_none
from dialogues import selectors, services
from dialogues.models import Comment, Idea
from moderation import services as moderation
from moderation.forms import ConcernForm, ReportForm
from sitesettings.selectors import signpost_list
from townsquare.errors import NotAllowed
from townsquare.ratelimits import limit_posts


def _published(kind: str, item_id: int) -> Idea | Comment:
    item = selectors.post_get(kind=kind, post_id=item_id, public=True)
    if item is None:
        raise Http404("No such post")
    return item


@limit_posts("report")
def report(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    item = _published(kind, item_id)
    idea = item if isinstance(item, Idea) else item.idea
    form = ReportForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "kind": kind, "idea": idea}
    if request.method == "POST" and form.is_valid():
        reporter = user_or_none(request)
        try:
            services.post_report(
                item=item,
                reporter=reporter,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except (NotAllowed, ValidationError) as error:
            form.add_error(None, str(error))
        else:
            return render(request, "moderation/reported.html", context)
    status = 400 if request.method == "POST" else 200
    return render(request, "moderation/report.html", context, status=status)


@limit_posts("report")
def concern(request: HttpRequest, kind: str = "", item_id: int = 0) -> HttpResponse:
    """A safeguarding concern about a post, or (with no post) 'Tell us privately'."""
    item = _published(kind, item_id) if kind else None
    idea = None if item is None else (item if isinstance(item, Idea) else item.idea)
    form = ConcernForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "kind": kind, "idea": idea}
    if request.method == "POST" and form.is_valid():
        category, message = form.cleaned_data["category"], form.cleaned_data["message"]
        raised_by = user_or_none(request)
        try:
            if item is None:
                moderation.safeguarding_raise(
                    category=category, raised_by=raised_by, message=message
                )
            else:
                services.post_escalate(
                    item=item, category=category, raised_by=raised_by, message=message
                )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            context["signposts"] = signpost_list()
            return render(request, "moderation/concern_sent.html", context)
    status = 400 if request.method == "POST" else 200
    return render(request, "moderation/concern.html", context, status=status)
