"""A dialogue (the organisation's question), the ideas residents post in it, and the
conversation around each idea: comments, official responses, ratings and status changes."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from moderation.models import Moderated
from townsquare.lib.video import validate_video_url, video_embed_url

# The expression the search index is built on; queries must use the same one to hit it.
IDEA_SEARCH_VECTOR = SearchVector("title", "body", config="english")


class Tag(models.Model):
    name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Dialogue(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        ARCHIVED = "archived", "Archived"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    question = models.CharField(max_length=500)
    # What staff write (Markdown) and, made from it when saved, the sanitised HTML shown as-is
    # (townsquare.lib.markdown), so no page view renders Markdown.
    description_markdown = models.TextField(blank=True)
    description = models.TextField(blank=True)
    video_url = models.URLField(blank=True, validators=[validate_video_url])
    # A checked, re-encoded picture in the tenant's media (dialogues/<random>.<ext>), its alt
    # text, and its size in pixels so pages reserve its place before it loads.
    header_image = models.CharField(max_length=200, blank=True)
    header_image_alt = models.CharField(max_length=250, blank=True)
    header_image_width = models.PositiveIntegerField(null=True, blank=True)
    header_image_height = models.PositiveIntegerField(null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="dialogues")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)

    class Moderation(models.TextChoices):
        POST = "post", "Publish at once, review afterwards"
        PRE = "pre", "Hold every post until a moderator approves it"

    moderation = models.CharField(max_length=4, choices=Moderation.choices, default=Moderation.POST)
    listed = models.BooleanField(
        default=True, help_text="Unlisted dialogues are reachable by link only."
    )
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    outcome_markdown = models.TextField(blank=True)
    outcome_summary = models.TextField(blank=True)
    outcome_published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__isnull=True)
                | models.Q(closes_at__isnull=True)
                | models.Q(closes_at__gt=models.F("opens_at")),
                name="dialogue_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dialogues:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": "A dialogue must close after it opens."})

    @property
    def is_public(self) -> bool:
        return self.state != self.State.DRAFT

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def video_embed(self) -> str:
        return video_embed_url(self.video_url) if self.video_url else ""

    @property
    def header_image_url(self) -> str:
        return default_storage.url(self.header_image) if self.header_image else ""


class Gathering(models.Model):
    """A session held in person (a youth club, a drop-in, paper cards at a stall) whose
    contributions staff enter on the group's behalf. Publicly it is its place and date only:
    never who typed the posts in, and never anyone's name."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="gatherings")
    place = models.CharField(max_length=120, help_text="e.g. Kirkby youth club")
    held_on = models.DateField()
    group_description = models.CharField(
        max_length=200, blank=True, help_text="e.g. 12 young people aged 13–17. No names."
    )
    # With the site's under-18 setting on, the group's posts wait for a moderator, as those
    # of residents who said they are under 18 do.
    under_18 = models.BooleanField(default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.place}, {self.held_on:%d %b %Y}"

    def clean(self) -> None:
        if self.held_on and self.held_on > timezone.localdate():
            raise ValidationError({"held_on": "The session date cannot be in the future."})
        if not self.place.strip():
            raise ValidationError({"place": "Say where the session was held."})


class Idea(Moderated):
    class Status(models.TextChoices):
        NONE = "", "No status yet"
        UNDER_CONSIDERATION = "under_consideration", "Under consideration"
        ACCEPTED = "accepted", "Accepted"
        NOT_TAKEN_FORWARD = "not_taken_forward", "Not taken forward"
        DONE = "done", "Done"

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="ideas")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="ideas"
    )
    # Contributions staff entered for a group met in person: shown as the session, and the
    # author stays empty so nothing that names or notifies authors reaches the staff member.
    # RESTRICT: a session cannot be deleted while its contributions exist (deleting the whole
    # dialogue still takes both).
    gathering = models.ForeignKey(
        Gathering, on_delete=models.RESTRICT, null=True, blank=True, related_name="ideas"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=150)
    body = models.TextField(max_length=5000)
    tags = models.ManyToManyField(Tag, blank=True, related_name="ideas")
    status = models.CharField(max_length=30, choices=Status.choices, default="", blank=True)
    status_explanation = models.TextField(blank=True, max_length=5000)
    # Idempotency: a form submitted twice carries the same key and creates one idea.
    submission_key = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Counters kept by the services, so listing ideas never aggregates comments or ratings.
    comment_count = models.PositiveIntegerField(default=0)
    rating_count = models.PositiveIntegerField(default=0)
    rating_total = models.PositiveIntegerField(default=0)
    responded_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "submission_key"], name="idea_one_per_submission"
            ),
            models.UniqueConstraint(
                fields=["gathering", "submission_key"], name="idea_gathered_once"
            ),
        ]
        indexes = [
            models.Index(fields=["dialogue", "-created_at"], name="idea_newest"),
            models.Index(fields=["dialogue", "-last_activity_at"], name="idea_activity"),
            GinIndex(IDEA_SEARCH_VECTOR, name="idea_search"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dialogues:idea", kwargs={"slug": self.dialogue.slug, "idea_id": self.pk})

    @property
    def rating_average(self) -> float | None:
        return round(self.rating_total / self.rating_count, 1) if self.rating_count else None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Comment(Moderated):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="comments"
    )
    # One level of replies: a reply's parent is always a top-level comment.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    # Contributions staff entered for a group met in person: shown as the session, and the
    # author stays empty so nothing that names or notifies authors reaches the staff member.
    # RESTRICT: a session cannot be deleted while its contributions exist (deleting the whole
    # dialogue still takes both).
    gathering = models.ForeignKey(
        Gathering, on_delete=models.RESTRICT, null=True, blank=True, related_name="comments"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(max_length=3000)
    # Written by staff as the organisation: shown with a badge and distinct style.
    is_official = models.BooleanField(default=False)
    submission_key = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "submission_key"], name="comment_one_per_submission"
            ),
            models.UniqueConstraint(
                fields=["gathering", "submission_key"], name="comment_gathered_once"
            ),
        ]
        indexes = [models.Index(fields=["idea", "created_at"], name="comment_by_idea")]

    def __str__(self) -> str:
        return f"Comment {self.pk} on idea {self.idea_id}"


class Rating(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings"
    )
    stars = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="rating_one_per_resident"),
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="rating_one_to_five"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stars}★ on idea {self.idea_id}"


class StatusChange(models.Model):
    """The public history of an idea's status, each with the organisation's explanation."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=30, choices=Idea.Status.choices)
    explanation = models.TextField(max_length=5000)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} for idea {self.idea_id}"


class GatheringUpload(models.Model):
    """A spreadsheet of a session's contributions, parsed and waiting for staff to check the
    preview. Nothing in it is a post until it is imported, all rows at once."""

    class Status(models.TextChoices):
        STAGED = "staged", "Waiting for a check"
        IMPORTED = "imported", "Imported"

    gathering = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    # Problems with the file as a whole (an unknown column), shown above the rows.
    file_problems = models.JSONField(default=list)
    # One object per spreadsheet row: its row number and the cells of our columns, as text.
    # Emptied on import: from then on the posts are the record, and a moderator's later
    # redaction must not survive in a copy.
    rows = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.STAGED)
    imported_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Upload {self.pk} for {self.gathering}"
