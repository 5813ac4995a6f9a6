"""The report form anyone can fill in, signed in or not."""

from __future__ import annotations

from django import forms

from moderation.models import Report, SafeguardingConcern
from townsquare.lib.forms import Form


class ReportForm(Form):
    reason = forms.ChoiceField(
        choices=Report.Reason.choices, widget=forms.RadioSelect, label="What is wrong with it?"
    )
    details = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Anything else we should know? (optional)",
    )
    # A honeypot: hidden from people and assistive technology, filled in by bots.
    website = forms.CharField(  # type: ignore[call-arg]  # template_name is Django 5 API
        required=False,
        label="Leave this empty",
        template_name="accounts/_honeypot.html",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("website"):
            raise forms.ValidationError("Something went wrong. Please try again.")
        return cleaned


class ConcernForm(Form):
    category = forms.ChoiceField(
        choices=SafeguardingConcern.Category.choices,
        widget=forms.RadioSelect,
        label="What are you worried about?",
    )
    message = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Tell us more (only our safeguarding leads will read this)",
    )
    website = forms.CharField(  # type: ignore[call-arg]  # template_name is Django 5 API
        required=False,
        label="Leave this empty",
        template_name="accounts/_honeypot.html",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("website"):
            raise forms.ValidationError("Something went wrong. Please try again.")
        return cleaned
