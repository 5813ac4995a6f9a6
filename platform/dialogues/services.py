"""Writes for dialogues, ideas, comments, ratings and official responses.

Every function is atomic and checks the rules a resident would expect: posting only while a
dialogue is open, editing only your own idea within the window, one rating per idea.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.text import slugify
from django_tenants.utils import schema_context
from PIL import Image

from accounts.models import User
from accounts.roles import Capability, user_can
from billing.entitlements import Feature, PlanLimitError, entitlement_check
from dialogues import signals
from dialogues.activity import activity_touch
from dialogues.gathering_upload import UploadRow, rows_check, upload_parse
from dialogues.models import (
    Comment,
    Dialogue,
    Gathering,
    GatheringUpload,
    Idea,
    Rating,
    StatusChange,
    Tag,
)
from dialogues.selectors import dialogues_due_to_open
from moderation import services as moderation
from moderation.models import Report, SafeguardingConcern, Visibility
from moderation.services import PRE_MODERATION, Change, apply_screening, screen
from sitesettings.selectors import site_settings_get
from townsquare.errors import NotAllowed
from townsquare.lib.locks import schema_lock
from townsquare.lib.markdown import markdown_render


def participant_check(*, user: User) -> None:
    """Raises NotAllowed unless this person may post on this site right now."""
    if not user.is_authenticated or not user.is_active:
        raise NotAllowed("Please sign in to take part.")
    if user.is_banned:
        raise NotAllowed(
            "A moderator has paused your posting on this site. You can still read everything."
        )
    # Code accounts have no email by design; they are pre-moderated instead.
    if (
        site_settings_get().require_verified_email
        and not user.is_tenant_staff
        and user.joined_with_code_id is None
    ):
        verified = EmailAddress.objects.filter(user=user, verified=True).exists()
        if not verified:
            raise NotAllowed(
                "Please confirm your email address first: follow the link we sent you."
            )


Posted = TypeVar("Posted", Idea, Comment)


def _already_submitted(
    model: type[Posted], *, author: User, key: uuid.UUID | None
) -> Posted | None:
    """The post this author already made with this form, when it is sent again."""
    if key is None:
        return None
    return model.objects.filter(author=author, submission_key=key).first()


def _pre_moderated(dialogue: Dialogue, author: User) -> bool:
    """Pre-moderated dialogues, and (tenant setting) residents who said they are under 18."""
    if author.is_tenant_staff:
        return False
    if dialogue.moderation == Dialogue.Moderation.PRE or author.joined_with_code_id is not None:
        return True
    return author.is_under_18 and site_settings_get().premoderate_under_18


def _require_open(dialogue: Dialogue) -> None:
    if dialogue.state != Dialogue.State.OPEN:
        raise NotAllowed(
            "This dialogue is closed, so new posts are not being taken."
            if dialogue.state in {Dialogue.State.CLOSED, Dialogue.State.ARCHIVED}
            else "This dialogue is not open yet."
        )


def _open_place_check() -> None:
    """Raises PlanLimitError unless the plan allows one more open dialogue. Holds the site's
    lock on opening until the transaction ends, so the count stays true until the write."""
    schema_lock("open_dialogues")
    in_use = Dialogue.objects.filter(state=Dialogue.State.OPEN).count()
    entitlement_check(Feature.OPEN_DIALOGUES, in_use=in_use)


@transaction.atomic
def dialogue_create(
    *,
    title: str,
    slug: str,
    question: str,
    description: str = "",
    video_url: str = "",
    tags: list[Tag] | None = None,
    state: str = Dialogue.State.DRAFT,
    listed: bool = True,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    by: User | None = None,
    header_image: HeaderImageChange | None = None,
) -> Dialogue:
    """header_image (with by, its author) is set in the same transaction: a dialogue is never
    left saved without the picture it was sent with."""
    dialogue = Dialogue(
        title=title,
        slug=slug,
        question=question,
        description_markdown=description,
        description=markdown_render(description),
        video_url=video_url,
        state=state,
        listed=listed,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    dialogue.full_clean()
    if state == Dialogue.State.OPEN:
        _open_place_check()
    dialogue.save()
    if tags:
        dialogue.tags.set(tags)
    if header_image is not None and by is not None:
        _header_image_apply(dialogue=dialogue, by=by, change=header_image)
    return dialogue


@transaction.atomic
def idea_create(
    *,
    dialogue: Dialogue,
    author: User,
    title: str,
    body: str,
    tags: list[Tag] | None = None,
    submission_key: uuid.UUID | None = None,
) -> Idea:
    """Posts an idea; the same submission_key from the same author returns the first idea."""
    participant_check(user=author)
    _require_open(dialogue)
    existing = _already_submitted(Idea, author=author, key=submission_key)
    if existing is not None:
        return existing
    idea = Idea(
        dialogue=dialogue,
        author=author,
        title=title.strip(),
        body=body.strip(),
        submission_key=submission_key or uuid.uuid4(),
    )
    pre_moderated = _pre_moderated(dialogue, author)
    apply_screening(idea, screen(text=f"{idea.title}\n{idea.body}", pre_moderated=pre_moderated))
    idea.full_clean()
    try:
        with transaction.atomic():
            idea.save()
    except IntegrityError:
        # A concurrent double submit won the race: return the idea it created.
        return Idea.objects.get(author=author, submission_key=idea.submission_key)
    if tags:
        idea.tags.set(tags)
    signals.idea_posted.send(sender=Idea, idea=idea)
    if idea.is_published:
        post_published(item=idea)
    return idea


def _own_idea(idea: Idea, user: User) -> None:
    if idea.author_id != user.pk:
        raise NotAllowed("You can only change your own ideas.")


@transaction.atomic
def idea_update(*, idea: Idea, editor: User, title: str, body: str) -> Idea:
    _own_idea(idea, editor)
    _require_open(idea.dialogue)
    if idea.is_withdrawn:
        raise NotAllowed("This idea has been withdrawn.")
    window = timedelta(minutes=site_settings_get().idea_edit_window_minutes)
    if timezone.now() > idea.created_at + window:
        raise NotAllowed("The time for editing this idea has passed.")
    idea.title, idea.body = title.strip(), body.strip()
    idea.edited_at = timezone.now()
    was_published = idea.is_published
    if idea.visibility in {Visibility.PUBLISHED, Visibility.HELD}:
        # An edit is screened like a new post: removing the phone number releases a hold,
        # adding one holds a published idea.
        pre_moderated = idea.visibility == Visibility.HELD and any(
            reason["kind"] == PRE_MODERATION for reason in idea.hold_reasons
        )
        apply_screening(
            idea, screen(text=f"{idea.title}\n{idea.body}", pre_moderated=pre_moderated)
        )
    idea.full_clean()
    idea.save(update_fields=["title", "body", "edited_at", "visibility", "hold_reasons", "held_at"])
    if idea.is_published and not was_published:
        post_published(item=idea)
    return idea


@transaction.atomic
def idea_withdraw(*, idea: Idea, by: User) -> Idea:
    _own_idea(idea, by)
    if not idea.is_withdrawn:
        idea.withdrawn_at = timezone.now()
        idea.save(update_fields=["withdrawn_at"])
        activity_touch(dialogue_id=idea.dialogue_id)
    return idea


@transaction.atomic
def comment_create(
    *,
    idea: Idea,
    author: User,
    body: str,
    parent: Comment | None = None,
    official: bool = False,
    submission_key: uuid.UUID | None = None,
) -> Comment:
    """A comment, a reply to a top-level comment, or (staff) an official response."""
    if official:
        if not user_can(author, Capability.RESPOND):
            raise NotAllowed("Only staff who speak for the organisation can respond officially.")
    else:
        participant_check(user=author)
        _require_open(idea.dialogue)
    if idea.is_withdrawn:
        raise NotAllowed("This idea has been withdrawn.")
    if not idea.is_published:
        raise NotAllowed("This idea is not public, so it cannot be discussed yet.")
    if parent is not None:
        if parent.idea_id != idea.pk:
            raise ValidationError("You can only reply to a comment on the same idea.")
        # Replies stay one level deep: a reply to a reply joins its thread.
        parent = parent.parent or parent
    existing_comment = _already_submitted(Comment, author=author, key=submission_key)
    if existing_comment is not None:
        return existing_comment
    comment = Comment(
        idea=idea,
        author=author,
        body=body.strip(),
        parent=parent,
        is_official=official,
        submission_key=submission_key or uuid.uuid4(),
    )
    if not official:
        pre_moderated = _pre_moderated(idea.dialogue, author)
        apply_screening(comment, screen(text=comment.body, pre_moderated=pre_moderated))
    comment.full_clean()
    comment.save()
    signals.comment_posted.send(sender=Comment, comment=comment)
    if comment.is_published:
        post_published(item=comment)
    return comment


def post_published(*, item: Idea | Comment) -> None:
    """What follows a post becoming public, at once or on a moderator's approval."""
    if isinstance(item, Idea):
        signals.post_published.send(sender=Idea, item=item)
        activity_touch(dialogue_id=item.dialogue_id)
        return
    now = timezone.now()
    updates: dict[str, object] = {"comment_count": F("comment_count") + 1, "last_activity_at": now}
    if item.is_official:
        updates["responded_at"] = now
    Idea.objects.filter(pk=item.idea_id).update(**updates)
    signals.post_published.send(sender=Comment, item=item)
    activity_touch(dialogue_id=item.idea.dialogue_id)


def post_hidden(*, item: Idea | Comment) -> None:
    """A published post hidden after reports stops counting until it is restored."""
    if isinstance(item, Comment):
        # Never below zero, even if counts and rows ever disagree.
        Idea.objects.filter(pk=item.idea_id).update(
            comment_count=Greatest(F("comment_count") - 1, 0)
        )
        activity_touch(dialogue_id=item.idea.dialogue_id)
    else:
        activity_touch(dialogue_id=item.dialogue_id)


def post_restored(*, item: Idea | Comment) -> None:
    """A hidden post a moderator puts back: counted again, nobody notified twice."""
    if isinstance(item, Comment):
        Idea.objects.filter(pk=item.idea_id).update(comment_count=F("comment_count") + 1)
        activity_touch(dialogue_id=item.idea.dialogue_id)
    else:
        activity_touch(dialogue_id=item.dialogue_id)


def post_rejected(*, item: Idea | Comment) -> None:
    """Tells the author, privately, why their post will not be published."""
    signals.post_rejected.send(sender=type(item), item=item)


def _react(change: Change | None) -> None:
    """Counters, activity and notifications follow what a moderation write did to a post."""
    if change is None:
        return
    item = change.item
    if not isinstance(item, Idea | Comment):
        raise TypeError(item)
    if change.published:
        post_published(item=item)
    elif change.restored:
        post_restored(item=item)
    elif change.unpublished:
        post_hidden(item=item)
    if change.rejected:
        post_rejected(item=item)


@transaction.atomic
def post_report(
    *, item: Idea | Comment, reporter: User | None, reason: str, details: str = ""
) -> Report:
    """A visitor reports a post; enough reports hide it until a moderator decides."""
    report, change = moderation.report_create(
        item=item, reporter=reporter, reason=reason, details=details
    )
    _react(change)
    return report


@transaction.atomic
def post_decide(*, item: Idea | Comment, by: User, approve: bool, reason: str = "") -> bool:
    """A moderator approves or rejects a waiting post; False when someone decided first."""
    change = moderation.decide(item=item, by=by, approve=approve, reason=reason)
    _react(change)
    return change is not None


@transaction.atomic
def post_hide(*, item: Idea | Comment, by: User, reason: str) -> bool:
    """A moderator takes a public post out of view for review."""
    change = moderation.hide(item=item, by=by, reason=reason)
    _react(change)
    return change is not None


@transaction.atomic
def post_escalate(
    *, item: Idea | Comment, category: str, raised_by: User | None, message: str = ""
) -> SafeguardingConcern:
    """A safeguarding concern about a post: it is hidden at once and the leads are alerted."""
    model: type[Idea] | type[Comment] = type(item)
    locked = model.objects.select_for_update().get(pk=item.pk)
    before = locked.visibility
    concern = moderation.safeguarding_raise(
        category=category, raised_by=raised_by, item=locked, message=message
    )
    _react(Change(item=locked, before=before, after=Visibility.HIDDEN))
    return concern


RESTORED_AFTER_REVIEW = "Safe to show again after a safeguarding review"


@transaction.atomic
def concern_handle(
    *, concern: SafeguardingConcern, by: User, note: str, restore: bool = False
) -> SafeguardingConcern:
    """A lead records what they did and may show the post again.

    The lead's note stays on the concern, which only leads read; the restore's audit entry
    gives a fixed reason instead.
    """
    handled = moderation.safeguarding_handle(concern=concern, by=by, note=note)
    post: Idea | Comment | None = handled.idea or handled.comment
    if restore and post is not None and post.visibility == Visibility.HIDDEN:
        _react(moderation.decide(item=post, by=by, approve=True, reason=RESTORED_AFTER_REVIEW))
    return handled


@transaction.atomic
def rating_set(*, idea: Idea, user: User, stars: int) -> Rating:
    """Rates an idea 1 to 5, or changes this resident's earlier rating."""
    participant_check(user=user)
    _require_open(idea.dialogue)
    if not idea.is_published:
        raise NotAllowed("This idea is not public, so it cannot be rated.")
    if not 1 <= stars <= 5:
        raise ValidationError("Choose between 1 and 5 stars.")
    if idea.author_id == user.pk:
        raise NotAllowed("You cannot rate your own idea.")
    # Lock the idea row so concurrent ratings keep the counters exact.
    Idea.objects.select_for_update().filter(pk=idea.pk).first()
    rating = Rating.objects.filter(idea=idea, user=user).first()
    if rating is None:
        rating = Rating.objects.create(idea=idea, user=user, stars=stars)
        Idea.objects.filter(pk=idea.pk).update(
            rating_count=F("rating_count") + 1, rating_total=F("rating_total") + stars
        )
    elif rating.stars != stars:
        Idea.objects.filter(pk=idea.pk).update(
            rating_total=F("rating_total") - rating.stars + stars
        )
        rating.stars = stars
        rating.save(update_fields=["stars", "updated_at"])
    return rating


@transaction.atomic
def rating_withdraw(*, idea: Idea, user: User) -> None:
    Idea.objects.select_for_update().filter(pk=idea.pk).first()
    rating = Rating.objects.filter(idea=idea, user=user).first()
    if rating is not None:
        Idea.objects.filter(pk=idea.pk).update(
            rating_count=F("rating_count") - 1, rating_total=F("rating_total") - rating.stars
        )
        rating.delete()


@transaction.atomic
def idea_status_set(*, idea: Idea, by: User, status: str, explanation: str) -> StatusChange:
    """Staff set an idea's status with a public explanation, kept as history."""
    if not user_can(by, Capability.RESPOND):
        raise NotAllowed("Only staff who speak for the organisation can set a status.")
    if status not in Idea.Status.values or status == Idea.Status.NONE:
        raise ValidationError("Choose a status.")
    if not explanation.strip():
        raise ValidationError("Explain the status to residents.")
    change = StatusChange(idea=idea, status=status, explanation=explanation.strip(), changed_by=by)
    change.full_clean()
    change.save()
    idea.status, idea.status_explanation = status, change.explanation
    idea.save(update_fields=["status", "status_explanation"])
    signals.status_changed.send(sender=StatusChange, change=change)
    activity_touch(dialogue_id=idea.dialogue_id)
    return change


@transaction.atomic
def dialogues_apply_schedule(*, now: datetime | None = None) -> tuple[int, int]:
    """Closes open dialogues past their closing time, then opens drafts whose opening time has
    come, earliest first, as far as the plan allows; the rest stay drafts (the admin area says
    why) and open on a later run once there is room."""
    now = now or timezone.now()
    closed = Dialogue.objects.filter(
        state=Dialogue.State.OPEN, closes_at__isnull=False, closes_at__lte=now
    ).update(state=Dialogue.State.CLOSED)
    opened = 0
    for dialogue in dialogues_due_to_open(now=now):
        try:
            _open_place_check()
        except PlanLimitError:
            break
        Dialogue.objects.filter(pk=dialogue.pk).update(
            state=Dialogue.State.OPEN, updated_at=timezone.now()
        )
        opened += 1
    return opened, closed


# Which state changes staff may make by hand; the schedule makes the same ones on time.
_STATE_CHANGES = {
    Dialogue.State.DRAFT: {Dialogue.State.OPEN},
    Dialogue.State.OPEN: {Dialogue.State.CLOSED},
    Dialogue.State.CLOSED: {Dialogue.State.OPEN, Dialogue.State.ARCHIVED},
    Dialogue.State.ARCHIVED: {Dialogue.State.CLOSED},
}


def _require_manager(user: User) -> None:
    if not user_can(user, Capability.MANAGE_DIALOGUES):
        raise NotAllowed("Only the organisation's admins can manage dialogues.")


@transaction.atomic
def dialogue_update(
    *,
    dialogue: Dialogue,
    by: User,
    title: str,
    slug: str,
    question: str,
    description: str,
    video_url: str,
    tags: list[Tag],
    listed: bool,
    opens_at: datetime | None,
    closes_at: datetime | None,
    header_image: HeaderImageChange | None = None,
) -> Dialogue:
    _require_manager(by)
    dialogue.title, dialogue.slug, dialogue.question = title, slug, question
    dialogue.description_markdown = description
    dialogue.description = markdown_render(description)
    dialogue.video_url, dialogue.listed = video_url, listed
    dialogue.opens_at, dialogue.closes_at = opens_at, closes_at
    dialogue.full_clean()
    dialogue.save()
    dialogue.tags.set(tags)
    if header_image is not None:
        _header_image_apply(dialogue=dialogue, by=by, change=header_image)
    return dialogue


@transaction.atomic
def dialogue_set_state(*, dialogue: Dialogue, by: User, state: str) -> Dialogue:
    _require_manager(by)
    current = Dialogue.State(dialogue.state)
    if state not in _STATE_CHANGES[current]:
        target = Dialogue.State(state).label.lower() if state in Dialogue.State.values else state
        raise ValidationError(f"A {current.label.lower()} dialogue cannot become {target}.")
    if state == Dialogue.State.OPEN:
        _open_place_check()
    dialogue.state = state
    now = timezone.now()
    # A hand-made change wins over the schedule: clear the time that would undo it.
    if state == Dialogue.State.OPEN and dialogue.closes_at and dialogue.closes_at <= now:
        dialogue.closes_at = None
    if state == Dialogue.State.CLOSED and dialogue.opens_at and dialogue.opens_at > now:
        dialogue.opens_at = None
    dialogue.save(update_fields=["state", "opens_at", "closes_at", "updated_at"])
    return dialogue


@transaction.atomic
def dialogue_publish_outcome(*, dialogue: Dialogue, by: User, summary: str) -> Dialogue:
    """summary: Markdown; refused when nothing would show once it is rendered and cleaned."""
    _require_manager(by)
    rendered = markdown_render(summary)
    if not rendered:
        raise ValidationError("Write the outcome before publishing it.")
    dialogue.outcome_markdown, dialogue.outcome_summary = summary, rendered
    dialogue.outcome_published_at = dialogue.outcome_published_at or timezone.now()
    dialogue.save(
        update_fields=["outcome_markdown", "outcome_summary", "outcome_published_at", "updated_at"]
    )
    return dialogue


_IMAGE_FIELDS = [
    "header_image", "header_image_alt", "header_image_width", "header_image_height", "updated_at"
]  # fmt: skip


def _image_forget_after_commit(name: str) -> None:
    """The file goes once the change that let go of it is committed: a rollback keeps both.
    The tenant's folder is fixed now: the commit may run after the caller left its schema."""
    if name:
        schema = str(getattr(connection, "schema_name", ""))

        def forget() -> None:
            with schema_context(schema):
                default_storage.delete(name)

        transaction.on_commit(forget)


@dataclass(frozen=True)
class HeaderImageChange:
    """What a dialogue form asks of the header image: a new checked image, its removal, or
    only its description."""

    alt: str = ""
    image: tuple[bytes, str] | None = None
    remove: bool = False


def _header_image_apply(*, dialogue: Dialogue, by: User, change: HeaderImageChange) -> None:
    if change.remove:
        dialogue_image_remove(dialogue=dialogue, by=by)
    elif change.image is not None:
        dialogue_image_set(dialogue=dialogue, by=by, alt=change.alt, image=change.image)
    elif dialogue.header_image and change.alt != dialogue.header_image_alt:
        dialogue_image_set(dialogue=dialogue, by=by, alt=change.alt)


@transaction.atomic
def dialogue_image_set(
    *, dialogue: Dialogue, by: User, alt: str, image: tuple[bytes, str] | None = None
) -> Dialogue:
    """Gives the dialogue a header image with its alt text, or (image None) describes the one
    it has anew. image is (bytes, extension) as themes.images.image_check returns it: checked
    and re-encoded, so nothing unchecked and no metadata is ever stored. A replaced file is
    deleted after commit."""
    _require_manager(by)
    alt = alt.strip()
    if not alt:
        raise ValidationError(
            {"header_image_alt": "Describe the image for people who cannot see it."}
        )
    locked = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    previous = locked.header_image
    if image is None:
        if not previous:
            raise ValidationError({"header_image": "Choose an image to go with this text."})
        locked.header_image_alt = alt
        locked.full_clean()
        locked.save(update_fields=_IMAGE_FIELDS)
        return locked
    data, extension = image
    with Image.open(io.BytesIO(data)) as picture:
        width, height = picture.size
    locked.header_image_alt = alt
    locked.header_image_width, locked.header_image_height = width, height
    # A random name: files are never shared between dialogues, so deleting one is safe.
    locked.header_image = default_storage.save(
        f"dialogues/{uuid.uuid4().hex}.{extension}", ContentFile(data)
    )
    try:
        locked.full_clean()
        locked.save(update_fields=_IMAGE_FIELDS)
    except BaseException:
        default_storage.delete(locked.header_image)
        raise
    _image_forget_after_commit(previous)
    return locked


@transaction.atomic
def dialogue_image_remove(*, dialogue: Dialogue, by: User) -> Dialogue:
    """Takes the header image off the dialogue; its file is deleted after commit."""
    _require_manager(by)
    locked = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    previous = locked.header_image
    locked.header_image, locked.header_image_alt = "", ""
    locked.header_image_width = locked.header_image_height = None
    locked.save(update_fields=_IMAGE_FIELDS)
    _image_forget_after_commit(previous)
    return locked


@transaction.atomic
def tags_from_names(*, names: str) -> list[Tag]:
    """Comma-separated tag names, created when new."""
    tags = []
    for name in {n.strip()[:40] for n in names.split(",") if n.strip()}:
        slug = slugify(name)[:40]
        if slug:
            tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
            tags.append(tag)
    return sorted(tags, key=lambda tag: tag.name)


def dialogue_next_states(*, dialogue: Dialogue) -> list[Dialogue.State]:
    """The states staff can move this dialogue to by hand, in a stable order."""
    allowed = _STATE_CHANGES[Dialogue.State(dialogue.state)]
    return [state for state in Dialogue.State if state in allowed]


# In-person sessions: staff enter what a group said, on its behalf. The posts have no author
# (so no notice, follow, ban or account deletion ever treats the staff member as their
# author); `entered_by` keeps who typed them in, for the organisation's own records.


def _gathering_staff_check(user: User) -> None:
    if not user_can(user, Capability.RECORD_GATHERINGS):
        raise NotAllowed("Only admins and moderators can enter what a session said.")


def _gathering_open_check(gathering: Gathering) -> None:
    if gathering.dialogue.state != Dialogue.State.OPEN:
        raise NotAllowed(
            "This dialogue is not open, so nothing can be added to it: a session's "
            "contributions join the conversation like anyone's, while it is open."
        )


def _gathering_pre_moderated(gathering: Gathering) -> bool:
    """The dialogue's own rule, and (tenant setting) groups that include under-18s: the same
    rules as residents' posts, without staff's exemption, since the words are the group's."""
    if gathering.dialogue.moderation == Dialogue.Moderation.PRE:
        return True
    return gathering.under_18 and site_settings_get().premoderate_under_18


@transaction.atomic
def gathering_create(
    *,
    dialogue: Dialogue,
    by: User,
    place: str,
    held_on: date,
    group_description: str = "",
    under_18: bool = False,
) -> Gathering:
    """Records a session held in person, so its contributions can be entered."""
    _gathering_staff_check(by)
    gathering = Gathering(
        dialogue=dialogue,
        place=place.strip(),
        held_on=held_on,
        group_description=group_description.strip(),
        under_18=under_18,
        entered_by=by,
    )
    _gathering_open_check(gathering)
    gathering.full_clean()
    gathering.save()
    return gathering


# Set by these services from rows they already hold: checking each exists would cost a query
# per field, per row of an upload.
_HELD_RELATIONS = ["author", "dialogue", "idea", "parent", "gathering", "entered_by", "reviewed_by"]


def _gathered_idea(
    *, gathering: Gathering, by: User, title: str, body: str, key: uuid.UUID
) -> Idea:
    return Idea(
        dialogue=gathering.dialogue,
        author=None,  # a group has no account; the session speaks for it
        gathering=gathering,
        entered_by=by,
        title=title.strip(),
        body=body.strip(),
        submission_key=key,
    )


def _gathered_comment(
    *, gathering: Gathering, by: User, idea: Idea, body: str, key: uuid.UUID
) -> Comment:
    return Comment(
        idea=idea,
        author=None,
        gathering=gathering,
        entered_by=by,
        body=body.strip(),
        submission_key=key,
    )


def _gathered_save(item: Idea | Comment, *, gathering: Gathering) -> None:
    """Screens and saves a session's post. A second post with the same key is refused by the
    database's unique constraint (IntegrityError), which the caller handles."""
    text = f"{item.title}\n{item.body}" if isinstance(item, Idea) else item.body
    apply_screening(item, screen(text=text, pre_moderated=_gathering_pre_moderated(gathering)))
    item.full_clean(exclude=_HELD_RELATIONS, validate_unique=False, validate_constraints=False)
    item.save()


def _gathered_announce(item: Idea | Comment, *, tags: list[Tag] | None = None) -> None:
    """What follows any new post: its topics, the signals, and (when public) the counters,
    activity and notifications."""
    if isinstance(item, Idea):
        if tags:
            item.tags.set(tags)
        signals.idea_posted.send(sender=Idea, idea=item)
    else:
        signals.comment_posted.send(sender=Comment, comment=item)
    if item.is_published:
        post_published(item=item)


def _gathered_comment_check(gathering: Gathering, idea: Idea) -> None:
    if idea.dialogue_id != gathering.dialogue_id:
        raise ValidationError("That idea belongs to another dialogue.")
    if idea.is_withdrawn:
        raise NotAllowed("This idea has been withdrawn.")
    if not idea.is_published:
        raise NotAllowed("This idea is not public, so it cannot be discussed yet.")


@transaction.atomic
def gathered_idea_create(
    *,
    gathering: Gathering,
    by: User,
    title: str,
    body: str,
    tags: list[Tag] | None = None,
    submission_key: uuid.UUID | None = None,
) -> Idea:
    """An idea a group had at a session, screened and moderated like any resident's; the same
    submission_key for the same session returns the first idea."""
    _gathering_staff_check(by)
    _gathering_open_check(gathering)
    key = submission_key or uuid.uuid4()
    existing = Idea.objects.filter(gathering=gathering, submission_key=key).first()
    if existing is not None:
        return existing
    idea = _gathered_idea(gathering=gathering, by=by, title=title, body=body, key=key)
    try:
        with transaction.atomic():
            _gathered_save(idea, gathering=gathering)
    except IntegrityError:
        # A concurrent double submit won the race: return the idea it created.
        return Idea.objects.get(gathering=gathering, submission_key=key)
    _gathered_announce(idea, tags=tags)
    return idea


@transaction.atomic
def gathered_comment_create(
    *,
    gathering: Gathering,
    by: User,
    idea: Idea,
    body: str,
    submission_key: uuid.UUID | None = None,
) -> Comment:
    """A group's comment on a public idea of the session's dialogue, screened like anyone's."""
    _gathering_staff_check(by)
    _gathering_open_check(gathering)
    _gathered_comment_check(gathering, idea)
    key = submission_key or uuid.uuid4()
    existing = Comment.objects.filter(gathering=gathering, submission_key=key).first()
    if existing is not None:
        return existing
    comment = _gathered_comment(gathering=gathering, by=by, idea=idea, body=body, key=key)
    try:
        with transaction.atomic():
            _gathered_save(comment, gathering=gathering)
    except IntegrityError:
        return Comment.objects.get(gathering=gathering, submission_key=key)
    _gathered_announce(comment)
    return comment


@transaction.atomic
def gathering_upload_stage(
    *, gathering: Gathering, by: User, name: str, data: bytes
) -> GatheringUpload:
    """Reads a spreadsheet into a staged upload for the preview; nothing is posted yet.

    Raises gathering_upload.UploadError (a ValidationError) when the file cannot be read.
    """
    _gathering_staff_check(by)
    _gathering_open_check(gathering)
    parsed = upload_parse(name=name, data=data)
    return GatheringUpload.objects.create(
        gathering=gathering,
        uploaded_by=by,
        file_name=name[-200:],
        file_problems=parsed.file_problems,
        rows=[row.as_json() for row in parsed.rows],
    )


def _upload_row_key(upload: GatheringUpload, line: int) -> uuid.UUID:
    """The same row of the same upload always makes the same post, whatever retries."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"gathering-upload:{upload.pk}:{line}")


@transaction.atomic
def gathering_upload_import(*, upload: GatheringUpload, by: User) -> int:
    """Posts every row of a staged upload, or none: refused while any row has a problem.

    Importing again (a double submit) posts nothing more and returns 0.
    """
    _gathering_staff_check(by)
    locked = (
        GatheringUpload.objects.select_for_update()
        .select_related("gathering__dialogue")
        .get(pk=upload.pk)
    )
    if locked.status == GatheringUpload.Status.IMPORTED:
        return 0
    gathering = locked.gathering
    _gathering_open_check(gathering)
    checked = rows_check(
        dialogue=gathering.dialogue, rows=[UploadRow.from_json(row) for row in locked.rows]
    )
    if locked.file_problems or any(entry.problems for entry in checked):
        raise ValidationError(
            "Some rows have problems. Fix them in the spreadsheet and upload it again: "
            "nothing was imported."
        )
    # The upload's row lock makes this the only import of it, so each row is posted straight
    # away: no look-up for an earlier copy and no savepoint per row (a clash aborts them all).
    for entry in checked:
        key = _upload_row_key(locked, entry.row.line)
        item: Idea | Comment
        if entry.idea is not None:
            item = _gathered_comment(
                gathering=gathering, by=by, idea=entry.idea, body=entry.row.body, key=key
            )
        else:
            item = _gathered_idea(
                gathering=gathering, by=by, title=entry.row.title, body=entry.row.body, key=key
            )
        _gathered_save(item, gathering=gathering)
        _gathered_announce(item, tags=entry.tags)
    locked.status = GatheringUpload.Status.IMPORTED
    locked.imported_count = len(checked)
    locked.imported_at = timezone.now()
    # The posts are the record from now on; a copy of their words must not outlive a
    # moderator's redaction.
    locked.rows = []
    locked.save(update_fields=["status", "imported_count", "imported_at", "rows"])
    return len(checked)


@transaction.atomic
def gathering_upload_discard(*, upload: GatheringUpload, by: User) -> bool:
    """Deletes a staged upload and its rows; an imported one stays (its posts are live)."""
    _gathering_staff_check(by)
    deleted, _ = GatheringUpload.objects.filter(
        pk=upload.pk, status=GatheringUpload.Status.STAGED
    ).delete()
    return bool(deleted)


# Staged rows are unscreened words typed from paper: kept long enough to fix and import,
# not for ever.
STAGED_UPLOAD_DAYS = 14


def gathering_uploads_forget(*, now: datetime | None = None) -> int:
    """Deletes uploads staged more than STAGED_UPLOAD_DAYS ago and never imported or
    discarded; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=STAGED_UPLOAD_DAYS)
    deleted, _ = GatheringUpload.objects.filter(
        status=GatheringUpload.Status.STAGED, created_at__lt=cutoff
    ).delete()
    return deleted
