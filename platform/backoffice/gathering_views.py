"""In-person sessions in the admin area: record one, enter what the group said, or upload it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.current import signed_in_user
from accounts.roles import Capability
from backoffice.access import capability_required
from backoffice.forms import (
    GatheredCommentForm,
    GatheredIdeaForm,
    GatheringForm,
    GatheringUploadForm,
)
from dialogues import selectors, services
from dialogues.gathering_upload import MAX_BYTES, UploadError
from dialogues.models import Comment, Dialogue, Gathering, GatheringUpload, Idea
from moderation.models import Moderated
from townsquare.errors import NotAllowed

RECORD = Capability.RECORD_GATHERINGS


def _dialogue(slug: str) -> Dialogue:
    dialogue = Dialogue.objects.filter(slug=slug).first()
    if dialogue is None:
        raise Http404("No such dialogue")
    return dialogue


def _gathering(gathering_id: int) -> Gathering:
    gathering = selectors.gathering_get(gathering_id=gathering_id)
    if gathering is None:
        raise Http404("No such session")
    return gathering


def _upload(gathering: Gathering, upload_id: int) -> GatheringUpload:
    upload = selectors.gathering_upload_get(gathering=gathering, upload_id=upload_id)
    if upload is None:
        raise Http404("No such upload")
    return upload


@capability_required(RECORD)
def gathering_index(request: HttpRequest) -> HttpResponse:
    dialogues = selectors.dialogues_with_gatherings()
    return render(request, "backoffice/gathering_index.html", {"dialogues": dialogues})


@capability_required(RECORD)
def dialogue_gatherings(request: HttpRequest, slug: str) -> HttpResponse:
    """A dialogue's sessions, and the form that records a new one."""
    dialogue = _dialogue(slug)
    form = GatheringForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            gathering = services.gathering_create(
                dialogue=dialogue, by=signed_in_user(request), **form.cleaned_data
            )
        except NotAllowed as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, "The session is recorded. Now add what the group said, or upload it."
            )
            return redirect("backoffice:gathering", gathering_id=gathering.pk)
    context = {
        "dialogue": dialogue,
        "gatherings": selectors.gatherings_of_dialogue(dialogue=dialogue),
        "form": form,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "backoffice/gatherings.html", context, status=status)


def _detail(
    request: HttpRequest, gathering: Gathering, *, status: int = 200, **forms: Any
) -> HttpResponse:
    ideas = selectors.ideas_open_to_comments(dialogue=gathering.dialogue)
    context = {
        "gathering": gathering,
        "dialogue": gathering.dialogue,
        "is_open": gathering.dialogue.is_open,
        "idea_form": forms.get("idea_form")
        or GatheredIdeaForm(initial={"submission_key": uuid.uuid4()}),
        "comment_form": forms.get("comment_form")
        or GatheredCommentForm(ideas=ideas, initial={"submission_key": uuid.uuid4()}),
        "has_ideas": bool(ideas),
        "upload_form": forms.get("upload_form") or GatheringUploadForm(),
        "uploads": selectors.gathering_uploads_staged(gathering=gathering),
        "contributions": selectors.gathering_contributions(
            gathering=gathering, viewer=signed_in_user(request)
        ),
    }
    return render(request, "backoffice/gathering.html", context, status=status)


@capability_required(RECORD)
def gathering_detail(request: HttpRequest, gathering_id: int) -> HttpResponse:
    return _detail(request, _gathering(gathering_id))


def _posted_message(item: Moderated, what: str) -> str:
    if item.is_published:
        return f"The {what} is published, shown as gathered at this session."
    return (
        f"The {what} is saved and waits for a moderator ({item.hold_summary}) before it is "
        "published."
    )


@capability_required(RECORD)
@require_POST
def gathered_idea_new(request: HttpRequest, gathering_id: int) -> HttpResponse:
    gathering = _gathering(gathering_id)
    form = GatheredIdeaForm(request.POST)
    return _gathered_post(
        request,
        gathering,
        form,
        "idea",
        lambda: services.gathered_idea_create(
            gathering=gathering,
            by=signed_in_user(request),
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            tags=list(form.cleaned_data.get("tags") or []),
            submission_key=form.cleaned_data["submission_key"],
        ),
    )


@capability_required(RECORD)
@require_POST
def gathered_comment_new(request: HttpRequest, gathering_id: int) -> HttpResponse:
    gathering = _gathering(gathering_id)
    ideas = selectors.ideas_open_to_comments(dialogue=gathering.dialogue)
    form = GatheredCommentForm(request.POST, ideas=ideas)
    return _gathered_post(
        request,
        gathering,
        form,
        "comment",
        lambda: services.gathered_comment_create(
            gathering=gathering,
            by=signed_in_user(request),
            idea=form.cleaned_data["idea"],
            body=form.cleaned_data["body"],
            submission_key=form.cleaned_data["submission_key"],
        ),
    )


def _gathered_post(
    request: HttpRequest,
    gathering: Gathering,
    form: Form,
    kind: str,
    create: Callable[[], Idea | Comment],
) -> HttpResponse:
    """Posts what a session's form holds; a refusal is shown on the session's page."""
    if form.is_valid():
        try:
            post = create()
        except NotAllowed as error:
            # The page no longer offers the form (the dialogue closed meanwhile): say why.
            messages.error(request, str(error))
            return redirect("backoffice:gathering", gathering_id=gathering.pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _posted_message(post, kind))
            return redirect("backoffice:gathering", gathering_id=gathering.pk)
    return _detail(request, gathering, status=400, **{f"{kind}_form": form})


@capability_required(RECORD)
@require_POST
def gathering_upload_new(request: HttpRequest, gathering_id: int) -> HttpResponse:
    """Stages a spreadsheet and shows its preview; a file we cannot read changes nothing."""
    gathering = _gathering(gathering_id)
    form = GatheringUploadForm(request.POST, request.FILES)
    if form.is_valid():
        file = form.cleaned_data["file"]
        if file.size is not None and file.size > MAX_BYTES:
            form.add_error(
                "file",
                f"The file is {file.size / 1024 / 1024:.1f} MB; the limit is "
                f"{MAX_BYTES // 1024 // 1024} MB. Split it into smaller files.",
            )
        else:
            try:
                upload = services.gathering_upload_stage(
                    gathering=gathering,
                    by=signed_in_user(request),
                    name=file.name or "",
                    data=file.read(),
                )
            except UploadError as refusal:
                form.add_error("file", refusal.messages[0])
            except NotAllowed as error:
                messages.error(request, str(error))
                return redirect("backoffice:gathering", gathering_id=gathering.pk)
            else:
                return redirect(
                    "backoffice:gathering_upload", gathering_id=gathering.pk, upload_id=upload.pk
                )
    return _detail(request, gathering, status=400, upload_form=form)


@capability_required(RECORD)
def gathering_upload_preview(
    request: HttpRequest, gathering_id: int, upload_id: int
) -> HttpResponse:
    gathering = _gathering(gathering_id)
    upload = _upload(gathering, upload_id)
    if upload.status == GatheringUpload.Status.IMPORTED:
        messages.info(request, f"That upload was imported: {upload.imported_count} contributions.")
        return redirect("backoffice:gathering", gathering_id=gathering.pk)
    rows = selectors.gathering_upload_preview(upload=upload)
    with_problems = [entry for entry in rows if entry.problems]
    context = {
        "gathering": gathering,
        "dialogue": gathering.dialogue,
        "upload": upload,
        "rows": rows,
        "with_problems": with_problems,
        "idea_total": sum(1 for entry in rows if entry.row.kind == "idea"),
        "comment_total": sum(1 for entry in rows if entry.row.kind == "comment"),
        "can_import": not with_problems and not upload.file_problems and gathering.dialogue.is_open,
    }
    return render(request, "backoffice/gathering_upload.html", context)


@capability_required(RECORD)
@require_POST
def gathering_upload_import(
    request: HttpRequest, gathering_id: int, upload_id: int
) -> HttpResponse:
    gathering = _gathering(gathering_id)
    upload = _upload(gathering, upload_id)
    try:
        imported = services.gathering_upload_import(upload=upload, by=signed_in_user(request))
    except (ValidationError, NotAllowed) as error:
        messages.error(
            request, error.messages[0] if isinstance(error, ValidationError) else str(error)
        )
        return redirect(
            "backoffice:gathering_upload", gathering_id=gathering.pk, upload_id=upload.pk
        )
    if imported:
        messages.success(
            request,
            f"{imported} contribution{'s' if imported != 1 else ''} imported. Any that need a "
            "moderator wait in the moderation queue.",
        )
    else:
        messages.info(request, "That upload was already imported; nothing was added twice.")
    return redirect("backoffice:gathering", gathering_id=gathering.pk)


@capability_required(RECORD)
@require_POST
def gathering_upload_discard(
    request: HttpRequest, gathering_id: int, upload_id: int
) -> HttpResponse:
    gathering = _gathering(gathering_id)
    upload = _upload(gathering, upload_id)
    if services.gathering_upload_discard(upload=upload, by=signed_in_user(request)):
        messages.success(request, "The upload is discarded. Nothing from it was saved.")
    else:
        messages.info(request, "That upload was already imported, so it stays.")
    return redirect("backoffice:gathering", gathering_id=gathering.pk)
