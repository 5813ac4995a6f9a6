"""The form a resident fills in to delete their account."""

from __future__ import annotations

from django import forms

from townsquare.lib.forms import Form


class DeleteAccountForm(Form):
    content = forms.ChoiceField(
        choices=[
            ("keep", "Keep what I posted, shown as “a former participant”"),
            ("remove", "Remove my ideas and comments too"),
        ],
        widget=forms.RadioSelect,
        label="What should happen to what you posted?",
        initial="keep",
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label="Your password, to confirm",
    )
