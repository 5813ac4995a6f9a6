"""The email preference form."""

from __future__ import annotations

from django import forms

from notifications.models import EmailPreference
from townsquare.lib.forms import Form


class EmailPreferenceForm(Form):
    mode = forms.ChoiceField(
        choices=EmailPreference.Mode.choices,
        widget=forms.RadioSelect,
        label="Email me about activity I follow",
    )
