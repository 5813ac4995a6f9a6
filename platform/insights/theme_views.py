"""Staff pages for themes: pick a dialogue, see its themes, group again, rename, merge, split."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.current import signed_in_user
from accounts.roles import Capability
from backoffice.access import capability_required
from dialogues.models import Dialogue
from insights import selectors, services
from insights.forms import MergeForm, RenameForm, SplitForm
from insights.models import Theme, ThemeRun
from townsquare.lib.forms import whole_number


def _dialogue_or_404(slug: str) -> Dialogue:
    dialogue = selectors.dialogue_get(slug=slug)
    if dialogue is None:
        raise Http404("No such dialogue")
    return dialogue


def _theme_or_404(dialogue: Dialogue, theme_id: int) -> Theme:
    theme = selectors.theme_get(dialogue=dialogue, theme_id=theme_id)
    if theme is None:
        raise Http404("No such theme")
    return theme


def _themes_url(dialogue: Dialogue) -> str:
    return f"{reverse('insights:themes')}?dialogue={dialogue.slug}"


def _run_context(dialogue: Dialogue) -> dict[str, Any]:
    run = selectors.theme_run_latest(dialogue=dialogue)
    return {
        "run": run,
        "run_active": run is not None and run.state in services.ACTIVE,
        "run_failed": run is not None and run.state == ThemeRun.State.FAILED,
    }


@capability_required(Capability.VIEW_INSIGHTS)
def index(request: HttpRequest) -> HttpResponse:
    dialogues = list(selectors.dialogues_for_themes())
    slug = request.GET.get("dialogue", "")
    chosen = next((d for d in dialogues if d.slug == slug), None)
    if chosen is None and not slug and len(dialogues) == 1:
        chosen = dialogues[0]
    counts = selectors.theme_counts()
    for dialogue in dialogues:
        dialogue.theme_count = counts.get(dialogue.pk, 0)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "dialogues": dialogues,
        "chosen": chosen,
        "unknown": bool(slug) and chosen is None,
    }
    if chosen is not None:
        context |= _run_context(chosen) | {"themes": selectors.themes_of(dialogue=chosen)}
    return render(
        request, "insights/themes.html", context, status=404 if context["unknown"] else 200
    )


@capability_required(Capability.VIEW_INSIGHTS)
def progress(request: HttpRequest, slug: str) -> HttpResponse:
    """The run's state as a fragment, polled by htmx while a run waits or runs."""
    dialogue = _dialogue_or_404(slug)
    context = _run_context(dialogue) | {"chosen": dialogue, "polled": True}
    return render(request, "insights/themes_progress.html", context)


@require_POST
@capability_required(Capability.VIEW_INSIGHTS)
def run_request(request: HttpRequest, slug: str) -> HttpResponse:
    dialogue = _dialogue_or_404(slug)
    try:
        services.theme_run_request(dialogue=dialogue, by=signed_in_user(request))
    except services.ThemeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Grouping has started. Its progress is shown below.")
    return redirect(_themes_url(dialogue))


def _detail(
    request: HttpRequest,
    dialogue: Dialogue,
    theme: Theme,
    *,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    members = selectors.theme_members(theme=theme)
    forms = forms or {}
    context = {
        "dialogue": dialogue,
        "theme": theme,
        "members": members,
        "merged_from": selectors.merged_into_names(theme=theme),
        "rename_form": forms.get("rename") or RenameForm(initial={"label": theme.label}),
        "merge_form": forms.get("merge") or MergeForm(theme=theme, auto_id="merge-%s"),
        "split_form": forms.get("split") or SplitForm(members=members, auto_id="split-%s"),
        "themes_url": _themes_url(dialogue),
        # A refused split keeps the boxes that were ticked.
        "checked_members": {
            number
            for pk in request.POST.getlist("members")
            if (number := whole_number(pk)) is not None
        },
    } | _run_context(dialogue)
    return render(request, "insights/themes_detail.html", context, status=status)


@capability_required(Capability.VIEW_INSIGHTS)
def theme_detail(request: HttpRequest, slug: str, theme_id: int) -> HttpResponse:
    dialogue = _dialogue_or_404(slug)
    return _detail(request, dialogue, _theme_or_404(dialogue, theme_id))


def _errors_into(form: Any, error: ValidationError) -> None:
    """A service's refusal shown beside the field it is about (or atop the form)."""
    for field, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


@require_POST
@capability_required(Capability.VIEW_INSIGHTS)
def theme_rename(request: HttpRequest, slug: str, theme_id: int) -> HttpResponse:
    dialogue = _dialogue_or_404(slug)
    theme = _theme_or_404(dialogue, theme_id)
    form = RenameForm(request.POST)
    if form.is_valid():
        try:
            theme = services.theme_rename(theme=theme, label=form.cleaned_data["label"])
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, f"The theme is now called “{theme.label}”.")
            return redirect("insights:theme", slug=dialogue.slug, theme_id=theme.pk)
    return _detail(request, dialogue, theme, forms={"rename": form}, status=400)


@require_POST
@capability_required(Capability.VIEW_INSIGHTS)
def theme_merge(request: HttpRequest, slug: str, theme_id: int) -> HttpResponse:
    dialogue = _dialogue_or_404(slug)
    theme = _theme_or_404(dialogue, theme_id)
    form = MergeForm(request.POST, theme=theme, auto_id="merge-%s")
    if form.is_valid():
        try:
            target = services.theme_merge(source=theme, target=form.cleaned_data["target"])
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, f"“{theme.label}” is merged into “{target.label}”.")
            return redirect("insights:theme", slug=dialogue.slug, theme_id=target.pk)
    return _detail(request, dialogue, theme, forms={"merge": form}, status=400)


@require_POST
@capability_required(Capability.VIEW_INSIGHTS)
def theme_split(request: HttpRequest, slug: str, theme_id: int) -> HttpResponse:
    dialogue = _dialogue_or_404(slug)
    theme = _theme_or_404(dialogue, theme_id)
    members = selectors.theme_members(theme=theme)
    form = SplitForm(request.POST, members=members, auto_id="split-%s")
    if form.is_valid():
        try:
            new = services.theme_split(
                theme=theme,
                member_ids=[member.pk for member in form.cleaned_data["members"]],
                label=form.cleaned_data["label"],
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            moved = new.size
            messages.success(
                request, f"{moved} contribution{'s' if moved != 1 else ''} moved to “{new.label}”."
            )
            return redirect("insights:theme", slug=dialogue.slug, theme_id=new.pk)
    return _detail(request, dialogue, theme, forms={"split": form}, status=400)
