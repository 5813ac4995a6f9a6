"""What insights keep: each contribution's sentence embedding, the themes they are grouped
into (with the edits staff make to them), and each grouping run's progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dialogues.models import Comment, Dialogue, Idea


class Embedding(models.Model):
    """One contribution's sentence embedding (float32 bytes), tied to the text it was made
    from so an edit makes it stale."""

    idea = models.OneToOneField(
        Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="embedding"
    )
    comment = models.OneToOneField(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="embedding"
    )
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="+")
    model_name = models.CharField(max_length=60)
    # sha256 of the exact text embedded: a different digest means the vector is stale.
    text_digest = models.CharField(max_length=64)
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(idea__isnull=True) ^ models.Q(comment__isnull=True),
                name="embedding_one_contribution",
            ),
        ]
        indexes = [models.Index(fields=["dialogue"], name="embedding_by_dialogue")]

    def __str__(self) -> str:
        kind = "idea" if self.idea_id else "comment"
        return f"Embedding of {kind} {self.idea_id or self.comment_id}"


class ThemeRun(models.Model):
    """One grouping of a dialogue's contributions, run by a Celery task that reports progress."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Grouping"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="theme_runs")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    # Contributions embedded so far out of total: the progress indicator.
    done_count = models.PositiveIntegerField(default=0)
    total_count = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Shown to staff: never contains contribution text.
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        constraints = [
            # One run at a time per dialogue: a second request while one waits or runs fails.
            models.UniqueConstraint(
                fields=["dialogue"],
                condition=models.Q(state__in=["queued", "running"]),
                name="theme_run_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"Theme run {self.pk} ({self.state})"

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / self.total_count) if self.total_count else 0


class Theme(models.Model):
    """A group of contributions that say similar things. A theme staff have named, merged or
    split is kept across runs; a re-run maps its new groups onto such themes by similarity."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="themes")
    label = models.CharField(max_length=120)
    # True once staff rename it: a re-run never overwrites the label then.
    label_by_staff = models.BooleanField(default=False)
    # True for themes staff made or changed (rename, merge target, split): kept across runs.
    edited_by_staff = models.BooleanField(default=False)
    key_phrases = models.JSONField(default=list, blank=True)
    # Mean embedding of its members (float32 bytes), for matching a re-run's groups.
    centroid = models.BinaryField(default=b"")
    # A theme merged into another: its centroid still draws a re-run's groups to the target.
    merged_into = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="merged_from"
    )
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-size", "label"]

    def __str__(self) -> str:
        return self.label


class ThemeMember(models.Model):
    """A contribution in a theme; one theme per contribution. Pinned members were placed by
    staff (a split) and stay where they were put on a re-run."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="members")
    idea = models.OneToOneField(
        Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="theme_member"
    )
    comment = models.OneToOneField(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="theme_member"
    )
    # Cosine similarity to the theme's centroid: the most similar are its representatives.
    similarity = models.FloatField(default=0.0)
    pinned = models.BooleanField(default=False)

    class Meta:
        ordering = ["-similarity"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(idea__isnull=True) ^ models.Q(comment__isnull=True),
                name="theme_member_one_contribution",
            ),
        ]

    def __str__(self) -> str:
        return f"Member of theme {self.theme_id}"
