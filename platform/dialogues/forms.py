"""Forms residents and staff fill in; they validate shape, the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from dialogues.models import Idea, Tag
from townsquare.lib.forms import Form, MultilineField


class IdeaForm(Form):
    title = forms.CharField(
        max_length=150, help_text="A short summary of your idea, up to 150 characters."
    )
    body = MultilineField(
        label="Your idea",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Explain your idea. Please do not include names, addresses or phone numbers.",
    )
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Optional: what is your idea about?",
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        available = Tag.objects.order_by("name")
        if available.exists():
            self.fields["tags"].queryset = available  # type: ignore[attr-defined]
        else:
            del self.fields["tags"]


class IdeaEditForm(Form):
    title = forms.CharField(max_length=150)
    body = MultilineField(label="Your idea", max_length=5000, widget=forms.Textarea)


class CommentForm(Form):
    body = MultilineField(
        label="Your comment",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)


class RatingForm(Form):
    stars = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, f"{n} star{'s' if n > 1 else ''}") for n in range(1, 6)],
        widget=forms.RadioSelect,
        label="Your rating",
        error_messages={"invalid_choice": "Choose between 1 and 5 stars."},
    )


class ResponseForm(Form):
    body = MultilineField(
        label="Official response", max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)


class StatusForm(Form):
    status = forms.ChoiceField(choices=[c for c in Idea.Status.choices if c[0]])
    explanation = MultilineField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Residents see this explanation with the status.",
    )
