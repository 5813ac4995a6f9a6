"""Resident-facing pages of a tenant's site: dialogues, ideas and the conversation on each."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.current import signed_in_user
from accounts.models import User
from accounts.roles import Capability, user_can
from accounts.selectors import unconfirmed_email
from dialogues import selectors, services
from dialogues.activity import activity_stamp
from dialogues.forms import (
    CommentForm,
    IdeaEditForm,
    IdeaForm,
    RatingForm,
    ResponseForm,
    StatusForm,
)
from dialogues.models import Comment, Dialogue, Idea
from moderation.messages import held_message
from sitesettings.selectors import signpost_list
from townsquare.ratelimits import limit_posts

IDEAS_PER_PAGE = 20


def _dialogue_or_404(slug: str) -> Dialogue:
    dialogue = selectors.dialogue_get_public(slug=slug)
    if dialogue is None:
        raise Http404("No such dialogue")
    return dialogue


def _idea_or_404(slug: str, idea_id: int, viewer: object = None) -> Idea:
    idea = selectors.idea_get(dialogue=_dialogue_or_404(slug), idea_id=idea_id, viewer=viewer)
    if idea is None:
        raise Http404("No such idea")
    return idea


def _idea_for_responder(request: HttpRequest, slug: str, idea_id: int) -> Idea:
    """The idea, for staff who speak for the organisation; others see no such page."""
    if not user_can(request.user, Capability.RESPOND):
        raise Http404("No such page")
    return _idea_or_404(slug, idea_id)


def _problem(request: HttpRequest, error: Exception) -> None:
    text = error.messages[0] if isinstance(error, ValidationError) else str(error)
    messages.error(request, text)


def home(request: HttpRequest) -> HttpResponse:
    dialogues = selectors.dialogue_list_public()
    return render(request, "dialogues/home.html", {"dialogues": dialogues})


def dialogue_detail(request: HttpRequest, slug: str) -> HttpResponse:
    dialogue = _dialogue_or_404(slug)
    sort = request.GET.get("sort", "newest")
    sort = sort if sort in selectors.SORTS else "newest"
    tag = request.GET.get("tag", "")[:40]
    query = request.GET.get("q", "")[:200]
    ideas = selectors.idea_list(dialogue=dialogue, sort=sort, tag=tag, query=query)
    page = Paginator(ideas, IDEAS_PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "dialogue": dialogue,
        "page": page,
        "sorts": selectors.SORTS,
        "sort": sort,
        "tag": tag,
        "query": query,
        "tags": selectors.tag_list_for_dialogue(dialogue=dialogue),
        "signposts": signpost_list(),
        "live_stamp": activity_stamp(dialogue_id=dialogue.pk),
        # New ideas are counted by time, which costs this page no query.
        "live_after": f"{time.time():.3f}",
    }
    return render(request, "dialogues/dialogue_detail.html", context)


# One idea draft per session: what a resident wrote when posting was refused (an email not
# yet confirmed), given back to the form until it is posted. Server-side, so nothing of it
# sits in the browser, and it goes with the session (sign-out, quick exit, expiry).
IDEA_DRAFT_SESSION_KEY = "idea_draft"


def _idea_draft(request: HttpRequest, dialogue: Dialogue) -> dict[str, Any] | None:
    draft = request.session.get(IDEA_DRAFT_SESSION_KEY)
    return draft if isinstance(draft, dict) and draft.get("dialogue") == dialogue.pk else None


def _idea_draft_keep(request: HttpRequest, dialogue: Dialogue, data: dict[str, Any]) -> None:
    request.session[IDEA_DRAFT_SESSION_KEY] = {
        "dialogue": dialogue.pk,
        "title": data["title"],
        "body": data["body"],
        "tags": [tag.pk for tag in data.get("tags") or []],
    }


@login_required
@limit_posts("idea")
def idea_new(request: HttpRequest, slug: str) -> HttpResponse:
    dialogue = _dialogue_or_404(slug)
    author = signed_in_user(request)
    # Said before they write, not after: why posting would be refused right now.
    try:
        services.participant_check(user=author)
        not_allowed = ""
    except services.NotAllowed as error:
        not_allowed = str(error)
    draft = _idea_draft(request, dialogue)
    initial: dict[str, Any] = {"submission_key": uuid.uuid4()}
    if draft:
        initial |= {key: draft[key] for key in ("title", "body", "tags")}
    form = IdeaForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            idea = services.idea_create(
                dialogue=dialogue,
                author=author,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                tags=list(form.cleaned_data.get("tags") or []),
                submission_key=form.cleaned_data["submission_key"],
            )
        except services.NotAllowed as error:
            not_allowed = str(error)
            _idea_draft_keep(request, dialogue, form.cleaned_data)
            messages.error(request, "Your idea is not posted yet. We have kept what you wrote.")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session.pop(IDEA_DRAFT_SESSION_KEY, None)
            if idea.is_published:
                messages.success(request, "Thank you: your idea is posted.")
            else:
                messages.info(request, held_message(idea, "idea"))
            return redirect(idea)
    status = 400 if request.method == "POST" else 200
    context = {
        "dialogue": dialogue,
        "form": form,
        "not_allowed": not_allowed,
        "unconfirmed_email": unconfirmed_email(user=author) if not_allowed else "",
    }
    return render(request, "dialogues/idea_form.html", context, status=status)


def _idea_context(request: HttpRequest, idea: Idea) -> dict[str, Any]:
    user = request.user
    threads = selectors.comment_threads(idea=idea, viewer=user)
    context: dict[str, Any] = {
        "dialogue": idea.dialogue,
        "idea": idea,
        "threads": threads,
        "status_history": idea.status_changes.all(),
        # Several forms share this page: distinct id prefixes keep every label on its field.
        "comment_form": CommentForm(initial={"submission_key": uuid.uuid4()}, auto_id="comment-%s"),
        "my_rating": selectors.rating_of(idea=idea, user=user) if isinstance(user, User) else None,
        "is_author": user.is_authenticated and idea.author_id == user.pk,
        "can_respond": user_can(user, Capability.RESPOND),
        "can_moderate": user_can(user, Capability.MODERATE),
        "live_stamp": activity_stamp(dialogue_id=idea.dialogue_id),
        # Where live polling starts: the newest comment already on the page.
        "live_after": max((c.pk for top in threads for c in (top, *top.replies.all())), default=0),
    }
    if context["can_respond"]:
        context["response_form"] = ResponseForm(
            initial={"submission_key": uuid.uuid4()}, auto_id="response-%s"
        )
        context["status_form"] = StatusForm(
            initial={"status": idea.status or None}, auto_id="status-%s"
        )
    context["rating_form"] = RatingForm(initial={"stars": context["my_rating"]})
    return context


def idea_detail(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    idea = _idea_or_404(slug, idea_id, request.user)
    return render(request, "dialogues/idea_detail.html", _idea_context(request, idea))


def _after_idea_change(
    request: HttpRequest,
    idea: Idea,
    partial: str,
    anchor: str = "",
    *,
    refused: CommentForm | None = None,
) -> HttpResponse:
    """htmx swaps in the changed part with its message; without JavaScript, back to the page.

    A refused comment comes back with its form, so the text stays and the error sits beside
    the field: in the swapped part (422, which htmx is configured to swap) or, without
    JavaScript, in the whole page (400); a redirect would lose what was typed.
    """
    htmx = getattr(request, "htmx", False)
    if not htmx and refused is None:
        return redirect(f"{idea.get_absolute_url()}{anchor}")
    idea = _idea_or_404(idea.dialogue.slug, idea.pk, request.user)  # fresh counters
    context = _idea_context(request, idea)
    if refused is not None:
        # htmx focuses [autofocus] after the swap, so the error is read with its field.
        refused.fields["body"].widget.attrs["autofocus"] = True
        parent = str(refused.data.get("parent", ""))
        if parent.isdigit():  # a reply: its own form, under its thread, shows the error
            context["refused_reply"] = refused
            context["refused_parent"] = int(parent)
        else:
            context["comment_form"] = refused
    if not htmx:
        return render(request, "dialogues/idea_detail.html", context, status=400)
    context["flash"] = " ".join(str(m) for m in messages.get_messages(request))
    # The live poller is moved on to what the swapped part shows, or its next look would
    # add the resident's own new comment a second time.
    context["live_oob"] = True
    return render(request, partial, context, status=200 if refused is None else 422)


@login_required
def idea_edit(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    idea = _idea_or_404(slug, idea_id, request.user)
    if idea.author_id != request.user.pk:
        raise Http404("No such idea")
    form = IdeaEditForm(
        request.POST if request.method == "POST" else None,
        initial={"title": idea.title, "body": idea.body},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.idea_update(idea=idea, editor=signed_in_user(request), **form.cleaned_data)
        except services.NotAllowed as error:
            _problem(request, error)
        except ValidationError as error:
            form.add_error(None, error)
            return render(request, "dialogues/idea_edit.html", {"idea": idea, "form": form})
        else:
            if idea.is_published:
                messages.success(request, "Your idea is updated.")
            else:
                messages.info(request, held_message(idea, "idea"))
        return redirect(idea)
    return render(request, "dialogues/idea_edit.html", {"idea": idea, "form": form})


@login_required
@require_POST
def idea_withdraw(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    idea = _idea_or_404(slug, idea_id, request.user)
    if idea.author_id != request.user.pk:
        raise Http404("No such idea")
    services.idea_withdraw(idea=idea, by=signed_in_user(request))
    messages.success(request, "Your idea is withdrawn. It no longer appears in the list.")
    return redirect(idea.dialogue)


@login_required
@require_POST
@limit_posts("comment")
def comment_new(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    idea = _idea_or_404(slug, idea_id)
    form = CommentForm(request.POST, auto_id="comment-%s")
    if not form.is_valid():
        return _after_idea_change(request, idea, "dialogues/_conversation.html", refused=form)
    parent = None
    if form.cleaned_data["parent"]:
        parent = Comment.objects.filter(idea=idea, pk=form.cleaned_data["parent"]).first()
    try:
        comment = services.comment_create(
            idea=idea,
            author=signed_in_user(request),
            body=form.cleaned_data["body"],
            parent=parent,
            submission_key=form.cleaned_data["submission_key"],
        )
    except services.NotAllowed as error:
        # About the person or the dialogue, not the text: said above the conversation (the
        # form may no longer be shown), and the text is kept for when it can be posted.
        messages.error(request, f"Your comment was not posted: {error}")
        return _after_idea_change(request, idea, "dialogues/_conversation.html", refused=form)
    except ValidationError as error:
        form.add_error("body", error.messages)
        return _after_idea_change(request, idea, "dialogues/_conversation.html", refused=form)
    else:
        if comment.is_published:
            messages.success(request, "Your comment is posted.")
        else:
            messages.info(request, held_message(comment, "comment"))
    return _after_idea_change(request, idea, "dialogues/_conversation.html", "#comments")


@login_required
@require_POST
@limit_posts("rating")
def rating_set(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    idea = _idea_or_404(slug, idea_id)
    form = RatingForm(request.POST)
    if "withdraw" in request.POST:
        services.rating_withdraw(idea=idea, user=signed_in_user(request))
        messages.success(request, "Your rating is removed.")
    elif not form.is_valid():
        messages.error(request, "Choose between 1 and 5 stars.")
    else:
        try:
            services.rating_set(
                idea=idea, user=signed_in_user(request), stars=form.cleaned_data["stars"]
            )
        except (services.NotAllowed, ValidationError) as error:
            _problem(request, error)
        else:
            messages.success(request, "Thank you for rating this idea.")
    return _after_idea_change(request, idea, "dialogues/_rating.html")


@login_required
@require_POST
def response_new(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    idea = _idea_for_responder(request, slug, idea_id)
    form = ResponseForm(request.POST)
    if form.is_valid():
        services.comment_create(
            idea=idea,
            author=signed_in_user(request),
            body=form.cleaned_data["body"],
            official=True,
            submission_key=form.cleaned_data["submission_key"],
        )
        messages.success(request, "Your response is published.")
    else:
        messages.error(request, "The response was empty.")
    return redirect(f"{idea.get_absolute_url()}#comments")


@login_required
@require_POST
def status_set(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    idea = _idea_for_responder(request, slug, idea_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        services.idea_status_set(idea=idea, by=signed_in_user(request), **form.cleaned_data)
        messages.success(request, "The status is updated.")
    else:
        messages.error(request, "Choose a status and explain it to residents.")
    return redirect(idea)


def _since(request: HttpRequest) -> tuple[str, int]:
    after = request.GET.get("after", "0")
    return request.GET.get("stamp", ""), int(after) if after.isdigit() else 0


def dialogue_live(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    """Polled by viewers: 204 from the cache alone when nothing changed."""
    stamp = request.GET.get("stamp", "")
    try:
        after = datetime.fromtimestamp(float(request.GET.get("after", "")), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return HttpResponse("Bad polling address", status=400)
    current = activity_stamp(dialogue_id=dialogue_id)
    if current == stamp:
        return HttpResponse(status=204)
    dialogue = selectors.dialogue_get_public_by_id(dialogue_id=dialogue_id)
    if dialogue is None:
        raise Http404("No such dialogue")
    context = {
        "dialogue": dialogue,
        "live_stamp": current,
        "live_after": request.GET["after"],
        "new_count": selectors.idea_count_since(dialogue=dialogue, since=after),
    }
    return render(request, "dialogues/_live_dialogue.html", context)


def idea_live(request: HttpRequest, dialogue_id: int, idea_id: int) -> HttpResponse:
    """Polled by viewers of an idea: new comments and responses, appended in place."""
    stamp, after = _since(request)
    current = activity_stamp(dialogue_id=dialogue_id)
    if current == stamp:
        return HttpResponse(status=204)
    idea = selectors.idea_get_visible(idea_id=idea_id, viewer=request.user)
    if idea is None or idea.dialogue_id != dialogue_id:
        raise Http404("No such idea")
    new = selectors.comments_after(idea=idea, after=after, viewer=request.user)
    context = _idea_context(request, idea) | {
        "live_stamp": current,
        "live_after": max([after, *(comment.pk for comment in new)]),
        "new_top": [comment for comment in new if comment.parent_id is None],
        "new_replies": [comment for comment in new if comment.parent_id is not None],
        "new_count": len(new),
    }
    return render(request, "dialogues/_live_idea.html", context)
