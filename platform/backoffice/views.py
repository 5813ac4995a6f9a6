"""The tenant admin area: dialogues, outcomes, staff and settings, each behind a capability."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.current import signed_in_user
from accounts.models import DemographicQuestion, InviteCode, StaffInvitation, User
from accounts.roles import Capability, user_can
from accounts.selectors import demographic_tallies
from backoffice import selectors as backoffice_selectors
from backoffice.access import capability_required
from backoffice.forms import (
    DialogueForm,
    InviteCodeForm,
    InviteForm,
    OutcomeForm,
    QuestionForm,
    SignpostForm,
    SiteSettingsForm,
)
from backoffice.navigation import link_allowed, waiting_counts_of
from billing.entitlements import Feature, PlanLimitError, entitlement_check
from dialogues import selectors as dialogue_selectors
from dialogues import services as dialogue_services
from dialogues.forms import RatingForm
from dialogues.models import Dialogue
from sitesettings import services as site_services
from sitesettings.models import Signpost
from sitesettings.selectors import site_settings_for_editing
from townsquare.errors import NotAllowed
from townsquare.lib.icons import icon_names
from townsquare.lib.markdown_editor import (
    PREVIEW_BUTTON,
    form_previewed,
    markdown_preview_requested,
)
from townsquare.lib.spreadsheets import csv_bytes, xlsx_bytes


def _dialogue(slug: str) -> Dialogue:
    dialogue = Dialogue.objects.filter(slug=slug).first()
    if dialogue is None:
        raise Http404("No such dialogue")
    return dialogue


@capability_required(None)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Home: the first-run checklist (for those who set the site up), what waits for this
    role, the site's figures and the plan."""
    user = signed_in_user(request)
    can_manage = user_can(user, Capability.MANAGE_DIALOGUES)
    steps = [
        replace(step, linkable=link_allowed(request=request, url_name=step.url_name))
        for step in (backoffice_selectors.setup_steps() if can_manage else [])
    ]
    context = {
        "steps": steps,
        "steps_done": sum(step.done for step in steps),
        "attention": backoffice_selectors.attention_from(counts=waiting_counts_of(request)),
        "figures": backoffice_selectors.site_figures(),
        "closing_soon": backoffice_selectors.dialogues_closing_soon(),
        "recent": backoffice_selectors.dialogues_recent() if can_manage else [],
        "can_manage": can_manage,
        "can_bill": user_can(user, Capability.MANAGE_BILLING),
        "plan_hold": dialogue_selectors.dialogues_held_by_plan(),
    }
    return render(request, "backoffice/dashboard.html", context)


@capability_required(Capability.MANAGE_DIALOGUES)
def dialogues(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "")
    key = sort.removeprefix("-")
    rows = dialogue_selectors.dialogue_list_with_figures()
    if key in dialogue_selectors.DIALOGUE_SORTS:
        rows = dialogue_selectors.dialogues_sorted(
            rows=rows, key=key, descending=sort.startswith("-")
        )
    else:
        sort = ""
    context = {
        "dialogues": rows,
        "sort": sort,
        "columns": [
            ("title", "Dialogue", ""),
            ("state", "State", ""),
            ("closes", "Closes", ""),
            ("ideas", "Ideas", "number"),
            ("awaiting", "Awaiting a response", "number"),
        ],
        "plan_hold": dialogue_selectors.dialogues_held_by_plan(),
    }
    return render(request, "backoffice/dialogues.html", context)


@capability_required(None)
def style_guide(request: HttpRequest) -> HttpResponse:
    """Every component of the design system on one page, in this site's own theme."""
    context = {
        "icons": icon_names(),
        "colours": [
            "text",
            "background",
            "primary",
            "link",
            "muted",
            "border",
            "focus",
            "error",
            "tint",
            "tint-good",
            "tint-bad",
            "tint-warn",
        ],
        "style_columns": [
            ("title", "Dialogue", ""),
            ("state", "State", ""),
            ("ideas", "Ideas", "number"),
        ],
        "star_choices": RatingForm.base_fields["stars"].choices,  # type: ignore[attr-defined]
        "avatar_names": ["QuietFox42", "river", "Sam_K", "NightOwl", "7Bridges", "amber"],
    }
    return render(request, "backoffice/style.html", context)


def _dialogue_form_values(form: DialogueForm) -> dict[str, Any]:
    """The form's values as the dialogue services take them, the picture as one change."""
    data = dict(form.cleaned_data)
    data["tags"] = dialogue_services.tags_from_names(names=data.get("tags") or "")
    data["header_image"] = dialogue_services.HeaderImageChange(
        alt=data.pop("header_image_alt", "") or "",
        image=form.header_image_checked,
        remove=bool(data.pop("remove_header_image", False)),
    )
    return data


def _previewed_keeping_no_file(request: HttpRequest, form: DialogueForm) -> None:
    """A preview shows the form again, and no browser sends a file twice: say so rather than
    let the chosen picture vanish unnoticed."""
    form_previewed(form)
    if request.FILES.get("header_image"):
        form.add_error("header_image", "Choose the image again: a preview does not keep it.")


@capability_required(Capability.MANAGE_DIALOGUES)
def dialogue_new(request: HttpRequest) -> HttpResponse:
    form = DialogueForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    previewing = markdown_preview_requested(request)
    if request.method == "POST" and not previewing and form.is_valid():
        values = _dialogue_form_values(form)
        state = Dialogue.State.OPEN if values.pop("open_now", False) else Dialogue.State.DRAFT
        try:
            dialogue = dialogue_services.dialogue_create(
                **values, state=state, by=signed_in_user(request)
            )
        except ValidationError as error:
            # A refusal by the plan included: the form shows it with the upgrade link.
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "The dialogue is open."
                if dialogue.is_open
                else "The dialogue is saved as a draft.",
            )
            return redirect("backoffice:dialogue_edit", slug=dialogue.slug)
    if previewing:
        _previewed_keeping_no_file(request, form)
    status = 400 if request.method == "POST" and not previewing else 200
    return render(request, "backoffice/dialogue_form.html", {"form": form}, status=status)


@capability_required(Capability.MANAGE_DIALOGUES)
def dialogue_edit(request: HttpRequest, slug: str) -> HttpResponse:
    dialogue = _dialogue(slug)
    initial = {
        "title": dialogue.title,
        "slug": dialogue.slug,
        "question": dialogue.question,
        "description": dialogue.description_markdown,
        "video_url": dialogue.video_url,
        "tags": ", ".join(tag.name for tag in dialogue.tags.all()),
        "listed": dialogue.listed,
        "opens_at": dialogue.opens_at,
        "closes_at": dialogue.closes_at,
        "header_image_alt": dialogue.header_image_alt,
    }
    previewing = markdown_preview_requested(request)
    # The outcome's "Preview" (sent to dialogue_outcome, which hands it here) leaves the
    # dialogue's own form as it is saved.
    outcome_previewed = previewing and request.POST.get(PREVIEW_BUTTON) == "summary"
    sent = request.method == "POST" and not outcome_previewed
    form = DialogueForm(
        request.POST if sent else None,
        request.FILES if sent else None,
        initial=initial,
        dialogue=dialogue,
    )
    if sent and not previewing and form.is_valid():
        user = signed_in_user(request)
        try:
            dialogue_services.dialogue_update(
                dialogue=dialogue, by=user, **_dialogue_form_values(form)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect("backoffice:dialogue_edit", slug=dialogue.slug)
    hold = dialogue_selectors.dialogues_held_by_plan()
    outcome_form = (
        form_previewed(OutcomeForm(request.POST))
        if outcome_previewed
        else OutcomeForm(initial={"summary": dialogue.outcome_markdown})
    )
    if previewing and sent:
        _previewed_keeping_no_file(request, form)
    context = {
        "form": form,
        "dialogue": dialogue,
        "outcome_form": outcome_form,
        "next_states": dialogue_services.dialogue_next_states(dialogue=dialogue),
        "plan_hold": hold if hold is not None and dialogue in hold.dialogues else None,
    }
    status = 400 if sent and not previewing else 200
    return render(request, "backoffice/dialogue_form.html", context, status=status)


@capability_required(Capability.MANAGE_DIALOGUES)
@require_POST
def dialogue_state(request: HttpRequest, slug: str) -> HttpResponse:
    dialogue = _dialogue(slug)
    try:
        dialogue_services.dialogue_set_state(
            dialogue=dialogue, by=signed_in_user(request), state=request.POST.get("state", "")
        )
    except PlanLimitError as refusal:
        messages.error(request, refusal.message, extra_tags="plan-limit")
    except (ValidationError, ValueError, KeyError):
        messages.error(request, "That change is not possible for this dialogue.")
    else:
        messages.success(request, f"The dialogue is now {dialogue.get_state_display().lower()}.")
    return redirect("backoffice:dialogue_edit", slug=dialogue.slug)


@capability_required(Capability.MANAGE_DIALOGUES)
@require_POST
def dialogue_outcome(request: HttpRequest, slug: str) -> HttpResponse:
    if markdown_preview_requested(request):
        return dialogue_edit(request, slug)
    dialogue = _dialogue(slug)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            dialogue_services.dialogue_publish_outcome(
                dialogue=dialogue, by=signed_in_user(request), summary=form.cleaned_data["summary"]
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, "The outcome is published on the dialogue page.")
    else:
        messages.error(request, "Write the outcome before publishing it.")
    return redirect("backoffice:dialogue_edit", slug=dialogue.slug)


@capability_required(Capability.RESPOND)
def awaiting_response(request: HttpRequest) -> HttpResponse:
    ideas = dialogue_selectors.ideas_awaiting_response()
    return render(request, "backoffice/awaiting.html", {"ideas": ideas})


@capability_required(Capability.INVITE_STAFF)
def staff(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.staff_invite(by=signed_in_user(request), **form.cleaned_data)
        except PlanLimitError as refusal:
            form.add_error(None, refusal)
        except (ValidationError, NotAllowed) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("backoffice:staff")
    context = {
        "form": form,
        "members": User.objects.exclude(role="").order_by("username"),
        "pending": StaffInvitation.objects.filter(accepted_at__isnull=True),
    }
    return render(request, "backoffice/staff.html", context)


@capability_required(Capability.INVITE_STAFF)
@require_POST
def staff_remove(request: HttpRequest, user_id: int) -> HttpResponse:
    member = User.objects.filter(pk=user_id).exclude(role="").first()
    if member is None:
        raise Http404("No such staff member")
    try:
        account_services.staff_role_remove(by=signed_in_user(request), user=member)
    except NotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{member.username} is no longer staff.")
    return redirect("backoffice:staff")


@capability_required(Capability.INVITE_STAFF)
@require_POST
def invitation_withdraw(request: HttpRequest, invitation_id: int) -> HttpResponse:
    try:
        withdrawn = account_services.staff_invitation_withdraw(
            by=signed_in_user(request), invitation_id=invitation_id
        )
    except NotAllowed as error:
        messages.error(request, str(error))
    else:
        if withdrawn is not None:
            messages.success(request, f"The invitation to {withdrawn.email} was withdrawn.")
    return redirect("backoffice:staff")


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone with the link; accepting needs the invited person signed in."""
    if request.method == "POST" and isinstance(request.user, User):
        try:
            invitation = account_services.staff_invitation_accept(token=token, user=request.user)
        except PlanLimitError as refusal:
            messages.error(request, refusal.message, extra_tags="plan-limit")
        except NotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Welcome: you are now {invitation.get_role_display()}.")
            return redirect("backoffice:dashboard")
    return render(request, "backoffice/invitation.html", {"token": token})


@capability_required(Capability.MANAGE_DIALOGUES)
def site_settings(request: HttpRequest) -> HttpResponse:
    form = SiteSettingsForm(
        request.POST if request.method == "POST" else None, instance=site_settings_for_editing()
    )
    if request.method == "POST" and form.is_valid():
        site_services.site_settings_update(**form.cleaned_data)
        messages.success(request, "Settings saved.")
        return redirect("backoffice:settings")
    return render(request, "backoffice/settings.html", {"form": form})


@capability_required(Capability.MANAGE_DIALOGUES)
def signposts(request: HttpRequest) -> HttpResponse:
    form = SignpostForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        site_services.signpost_add(**form.cleaned_data)
        messages.success(request, "The helpline is added.")
        return redirect("backoffice:signposts")
    context = {"form": form, "signposts": Signpost.objects.all()}
    return render(request, "backoffice/signposts.html", context)


@capability_required(Capability.MANAGE_DIALOGUES)
@require_POST
def signpost_remove(request: HttpRequest, signpost_id: int) -> HttpResponse:
    if not site_services.signpost_remove(signpost_id=signpost_id):
        raise Http404("No such helpline")
    messages.success(request, "The helpline is removed.")
    return redirect("backoffice:signposts")


@capability_required(Capability.ISSUE_CODES)
def invite_codes(request: HttpRequest) -> HttpResponse:
    form = InviteCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        code = account_services.invite_code_create(by=signed_in_user(request), **form.cleaned_data)
        messages.success(request, f"New code {code.code} for “{code.label}”.")
        return redirect("backoffice:codes")
    context = {"form": form, "codes": InviteCode.objects.select_related("created_by")[:100]}
    return render(request, "backoffice/codes.html", context)


@capability_required(Capability.ISSUE_CODES)
@require_POST
def invite_code_revoke(request: HttpRequest, code_id: int) -> HttpResponse:
    code = InviteCode.objects.filter(pk=code_id).first()
    if code is None:
        raise Http404("No such code")
    account_services.invite_code_revoke(code=code, by=signed_in_user(request))
    messages.success(request, f"Code {code.code} no longer works.")
    return redirect("backoffice:codes")


@capability_required(Capability.MANAGE_DIALOGUES)
def questions(request: HttpRequest) -> HttpResponse:
    form = QuestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        account_services.demographic_question_add(**form.cleaned_data)
        messages.success(request, "The question is added to the sign-up form.")
        return redirect("backoffice:questions")
    return render(
        request,
        "backoffice/questions.html",
        {"form": form, "questions": DemographicQuestion.objects.all()},
    )


@capability_required(Capability.MANAGE_DIALOGUES)
@require_POST
def question_toggle(request: HttpRequest, question_id: int) -> HttpResponse:
    question = account_services.demographic_question_toggle(question_id=question_id)
    if question is None:
        raise Http404("No such question")
    messages.success(request, "Asked at sign-up." if question.active else "No longer asked.")
    return redirect("backoffice:questions")


# What the demographics table downloads as: format → (content type, writer).
_EXPORTS = {
    "csv": ("text/csv; charset=utf-8", csv_bytes),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda rows: xlsx_bytes(rows, sheet="Who took part"),
    ),
}


@capability_required(Capability.VIEW_INSIGHTS)
def demographics(request: HttpRequest) -> HttpResponse:
    """The table of who took part, or (?format=csv|xlsx) the same table as a download: the
    groups shown, with the same suppression of small ones, and nothing more."""
    tallies = demographic_tallies()
    wanted = request.GET.get("format", "").lower()
    status = 200
    if wanted:
        if wanted not in _EXPORTS:
            raise Http404("No such format")
        try:
            entitlement_check(Feature.EXPORT_FORMAT, value=wanted)
        except PlanLimitError as refusal:
            messages.error(request, refusal.message, extra_tags="plan-limit")
            status = 403
        else:
            content_type, write = _EXPORTS[wanted]
            rows: list[list[str | int]] = [["Question", "Answer", "Residents"]]
            for tally in tallies:
                rows += [
                    [tally.question, answer, int(count) if count.isdigit() else count]
                    for answer, count in tally.rows
                ]
            response = HttpResponse(write(rows), content_type=content_type)
            name = f"who-took-part-{timezone.localdate():%Y-%m-%d}.{wanted}"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    context = {"tallies": tallies, "xlsx_refusal": _refusal(Feature.EXPORT_FORMAT, value="xlsx")}
    return render(request, "backoffice/demographics.html", context, status=status)


def _refusal(feature: Feature, *, value: str = "") -> PlanLimitError | None:
    """What the plan would say to this, or None when it allows it."""
    try:
        entitlement_check(feature, value=value)
    except PlanLimitError as refusal:
        return refusal
    return None
