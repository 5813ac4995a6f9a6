"""A resident's notifications, email choice, follows, and the no-login unsubscribe page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.current import signed_in_user
from dialogues import selectors as dialogue_selectors
from notifications import selectors, services
from notifications.forms import EmailPreferenceForm


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    page = Paginator(selectors.notification_list(user=user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=signed_in_user(request))
    messages.success(request, "All notifications are marked as read.")
    return redirect("notifications:list")


@login_required
def email_settings(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = EmailPreferenceForm(
        request.POST if request.method == "POST" else None,
        initial={"mode": selectors.email_mode(user=user)},
    )
    if request.method == "POST" and form.is_valid():
        services.email_preference_set(user=user, mode=form.cleaned_data["mode"])
        messages.success(request, "Your email choice is saved.")
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})


# Mail clients' one-click unsubscribe POSTs without a CSRF token; the signed token
# in the URL is the proof, and it can only turn emails off.
@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        user = services.email_unsubscribe(token=token)
        if user is None:
            return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
        return render(request, "notifications/unsubscribe.html", {"done": True})
    return render(request, "notifications/unsubscribe.html", {"token": token})


@login_required
@require_POST
def follow(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    user = signed_in_user(request)
    following = request.POST.get("following") == "1"
    if kind == "dialogue":
        dialogue = dialogue_selectors.dialogue_get_public(slug=key)
        if dialogue is None:
            raise Http404("No such dialogue")
        services.follow_set(user=user, dialogue=dialogue, following=following)
        target = dialogue.get_absolute_url()
    elif kind == "idea":
        idea = (
            dialogue_selectors.idea_get_visible(idea_id=int(key), viewer=user)
            if key.isdigit()
            else None
        )
        if idea is None:
            raise Http404("No such idea")
        services.follow_set(user=user, idea=idea, following=following)
        target = idea.get_absolute_url()
    else:
        raise Http404("Nothing to follow here")
    flash = "You are following this." if following else "You stopped following."
    if getattr(request, "htmx", False):
        context = {
            "following": following,
            "kind": kind,
            "key": key,
            "label": request.POST.get("label", "")[:40],
            "flash": flash,
        }
        return render(request, "notifications/_follow.html", context)
    messages.success(request, flash)
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        target = back
    return redirect(target)
