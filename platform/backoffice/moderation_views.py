"""The moderation queue in the admin area: held and hidden posts, and the audit log."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.current import signed_in_user
from accounts.roles import Capability
from backoffice.access import capability_required
from dialogues import selectors, services
from dialogues.models import Comment, Dialogue, Idea
from moderation import selectors as moderation_selectors
from moderation import services as moderation
from moderation.models import PRE_MODERATION, SafeguardingConcern
from moderation.personal_details import KINDS
from townsquare.errors import NotAllowed
from townsquare.lib.forms import whole_number

REASON_KINDS = [*KINDS, PRE_MODERATION]


@capability_required(Capability.MODERATE)
def queue(request: HttpRequest) -> HttpResponse:
    reason = request.GET.get("reason", "")
    reason = reason if reason in REASON_KINDS else ""
    dialogue = request.GET.get("dialogue", "")[:80]
    context = {
        "items": selectors.queue(
            reason=reason, dialogue_slug=dialogue, under_18=request.GET.get("age") == "under_18"
        ),
        "age": request.GET.get("age", ""),
        "reasons": REASON_KINDS,
        "reason": reason,
        "dialogues": Dialogue.objects.order_by("title").values_list("slug", "title"),
        "dialogue": dialogue,
        "median_wait": selectors.median_time_to_first_review(),
        "reported": selectors.posts_reported(),
        "concern_categories": SafeguardingConcern.Category.choices,
    }
    return render(request, "backoffice/moderation.html", context)


@capability_required(Capability.MODERATE)
@require_POST
def decide(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    item = _item(kind, item_id)
    approve = request.POST.get("decision") == "approve"
    try:
        done = services.post_decide(
            item=item,
            by=signed_in_user(request),
            approve=approve,
            reason=request.POST.get("reason", ""),
        )
    except NotAllowed as error:
        messages.error(request, str(error))
    else:
        item.refresh_from_db()
        if done:
            messages.success(
                request, f"{kind.capitalize()} {item.get_visibility_display().lower()}."
            )
        else:
            messages.info(
                request,
                f"Another moderator got there first: this {kind} is already "
                f"{item.get_visibility_display().lower()}.",
            )
    return redirect("backoffice:moderation")


@capability_required(Capability.MODERATE)
def audit(request: HttpRequest) -> HttpResponse:
    entries = moderation_selectors.audit_log(viewer=request.user)
    return render(request, "backoffice/audit.html", {"entries": entries})


@capability_required(Capability.SAFEGUARD)
def safeguarding(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/safeguarding.html",
        {"concerns": moderation_selectors.safeguarding_queue()},
    )


@capability_required(Capability.SAFEGUARD)
@require_POST
def safeguarding_handle(request: HttpRequest, concern_id: int) -> HttpResponse:
    concern = SafeguardingConcern.objects.filter(pk=concern_id).first()
    if concern is None:
        raise Http404("No such concern")
    try:
        services.concern_handle(
            concern=concern,
            by=signed_in_user(request),
            note=request.POST.get("note", ""),
            restore=request.POST.get("restore") == "1",
        )
    except (NotAllowed, ValidationError) as error:
        messages.error(
            request, error.messages[0] if isinstance(error, ValidationError) else str(error)
        )
    else:
        messages.success(request, "Recorded as handled.")
    return redirect("backoffice:safeguarding")


@capability_required(Capability.MODERATE)
@require_POST
def escalate(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    """A moderator passes a post to the safeguarding leads."""
    services.post_escalate(
        category=request.POST.get("category", "other"),
        raised_by=signed_in_user(request),
        item=_item(kind, item_id),
    )
    messages.success(request, "Passed to the safeguarding leads and hidden.")
    return redirect("backoffice:moderation")


def _item(kind: str, item_id: int) -> Idea | Comment:
    item = selectors.post_get(kind=kind, post_id=item_id)
    if item is None:
        raise Http404("No such post")
    return item


def _run(request: HttpRequest, action: Callable[[], object], done: str) -> None:
    try:
        action()
    except (NotAllowed, ValidationError) as error:
        messages.error(
            request, error.messages[0] if isinstance(error, ValidationError) else str(error)
        )
    else:
        messages.success(request, done)


@capability_required(Capability.MODERATE)
@require_POST
def hide(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    item = _item(kind, item_id)
    reason = request.POST.get("reason", "")
    _run(
        request,
        lambda: services.post_hide(item=item, by=signed_in_user(request), reason=reason),
        f"The {kind} is hidden and waiting in the moderation queue.",
    )
    back = request.POST.get("next", "")
    return redirect(
        back if back.startswith("/") and not back.startswith("//") else "backoffice:moderation"
    )


@capability_required(Capability.MODERATE)
@require_POST
def dismiss_reports(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    """The reports on a public post need no action: they leave the list, audited."""
    item = _item(kind, item_id)
    reason = request.POST.get("reason", "")
    _run(
        request,
        lambda: moderation.reports_dismiss(item=item, by=signed_in_user(request), reason=reason),
        f"The reports on this {kind} are dismissed; it stays public.",
    )
    return redirect("backoffice:moderation")


@capability_required(Capability.MODERATE)
@require_POST
def redact(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    item = _item(kind, item_id)
    text, reason = request.POST.get("text", ""), request.POST.get("reason", "")
    _run(
        request,
        lambda: moderation.redact(item=item, by=signed_in_user(request), text=text, reason=reason),
        "Those words are removed.",
    )
    return redirect("backoffice:moderation")


@capability_required(Capability.MODERATE)
@require_POST
def ban(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    item = _item(kind, item_id)
    if item.author is None:
        raise Http404("No author to ban")
    days_text = request.POST.get("days", "")
    days = whole_number(days_text, maximum=36_500) or None
    if days_text.strip() and days is None and days_text.strip() != "0":
        messages.error(
            request,
            "Choose how long the ban lasts: a number of days, or for good.",
        )
        return redirect("backoffice:moderation")
    author, reason = item.author, request.POST.get("reason", "")
    _run(
        request,
        lambda: moderation.ban(user=author, by=signed_in_user(request), days=days, reason=reason),
        f"{author.get_username()} cannot post " + (f"for {days} days." if days else "any more."),
    )
    return redirect("backoffice:moderation")


@capability_required(Capability.MODERATE)
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Approve or reject several posts at once; each is decided and audited on its own."""
    approve = request.POST.get("decision") == "approve"
    reason = request.POST.get("reason", "")
    decided = skipped = 0
    for value in request.POST.getlist("selected")[:100]:
        kind, _, pk = value.partition(":")
        post_id = whole_number(pk)
        if post_id is None:
            continue
        try:
            item = _item(kind, post_id)
            done = services.post_decide(
                item=item, by=signed_in_user(request), approve=approve, reason=reason
            )
        except (NotAllowed, Http404) as error:
            messages.error(request, str(error))
            break
        decided, skipped = decided + done, skipped + (not done)
    verb = "approved" if approve else "rejected"
    messages.success(request, f"{decided} post{'s' if decided != 1 else ''} {verb}.")
    if skipped:
        messages.info(request, f"{skipped} had already been decided by someone else.")
    return redirect("backoffice:moderation")
