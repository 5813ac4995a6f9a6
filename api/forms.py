"""The form for making a personal access token."""

from __future__ import annotations

from django import forms

from api.models import ApiToken
from townsquare.lib.forms import Form

VALIDITY_CHOICES = [
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "A year"),
    ("", "Until I revoke it"),
]


class TokenForm(Form):
    name = forms.CharField(
        max_length=80,
        label="Name",
        help_text="What it is for, so you recognise it later, e.g. “Council dashboard”.",
    )
    scope = forms.ChoiceField(
        choices=ApiToken.Scope.choices,
        widget=forms.RadioSelect,
        initial=ApiToken.Scope.READ,
        label="What it may do",
    )
    valid_days = forms.ChoiceField(
        choices=VALIDITY_CHOICES, initial="90", label="Works for", required=False
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the token a name.")
        return name
