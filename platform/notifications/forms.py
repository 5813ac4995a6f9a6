"""The email preference form."""

from __future__ import annotations

from django import forms

from notifications.models import EmailPreference


class EmailPreferenceForm(forms.Form):
    mode = forms.ChoiceField(
        choices=EmailPreference.Mode.choices,
        widget=forms.RadioSelect,
        label="Email me about activity I follow",
    )
