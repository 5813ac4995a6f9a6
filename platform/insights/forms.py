"""Forms for staff theme edits and for the similar-ideas check; services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from insights.models import Theme, ThemeMember
from townsquare.lib.forms import Form, MultilineField


class RenameForm(Form):
    label = forms.CharField(
        label="New name", max_length=120, help_text="Up to 120 characters. Kept on every re-run."
    )


class MergeForm(Form):
    target = forms.ModelChoiceField(
        label="Merge into",
        queryset=Theme.objects.none(),
        empty_label="Choose a theme",
        help_text="That theme keeps the contributions of both; this one is merged away.",
        error_messages={
            "required": "Choose the theme to merge this one into.",
            "invalid_choice": "Choose one of the listed themes.",
        },
    )

    def __init__(self, *args: Any, theme: Theme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (  # type: ignore[attr-defined]
            Theme.objects.filter(dialogue_id=theme.dialogue_id, merged_into__isnull=True)
            .exclude(pk=theme.pk)
            .order_by("label")
        )


class SplitForm(Form):
    label = forms.CharField(
        label="Name of the new theme",
        max_length=120,
        help_text="The ticked contributions move to it and stay there on every re-run.",
    )
    members = forms.ModelMultipleChoiceField(
        label="Contributions to move",
        queryset=ThemeMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Tick at least one contribution to move.",
            "invalid_choice": "Tick only contributions listed in this theme.",
            "invalid_pk_value": "Tick only contributions listed in this theme.",
        },
    )

    def __init__(self, *args: Any, members: list[ThemeMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["members"]
        field.queryset = ThemeMember.objects.filter(  # type: ignore[attr-defined]
            pk__in=[member.pk for member in members]
        )
        # Each box is labelled by the contribution it moves, in the page's order.
        field.choices = [(member.pk, _member_label(member)) for member in members]  # type: ignore[attr-defined]


def _member_label(member: ThemeMember) -> str:
    if member.idea is not None:
        return f"Idea: {member.idea.title}"
    if member.comment is not None:
        return f"Comment on “{member.comment.idea.title}”: {member.comment.body[:140]}"
    return "A contribution"


class SimilarForm(Form):
    """What the resident has typed so far; nothing here is saved."""

    title = forms.CharField(max_length=150, required=False)
    body = MultilineField(max_length=5000, required=False)

    def text(self) -> str:
        data = self.cleaned_data if self.is_valid() else {}
        return f"{data.get('title', '')}\n{data.get('body', '')}".strip()
