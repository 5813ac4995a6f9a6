"""Forms anyone can fill in, signed in or not: reports and safeguarding concerns."""

from __future__ import annotations

from django import forms

from moderation.models import Report, SafeguardingConcern
from townsquare.lib.forms import HoneypotForm, MultilineField


class ReportForm(HoneypotForm):
    reason = forms.ChoiceField(
        choices=Report.Reason.choices, widget=forms.RadioSelect, label="What is wrong with it?"
    )
    details = MultilineField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Anything else we should know? (optional)",
    )


class ConcernForm(HoneypotForm):
    category = forms.ChoiceField(
        choices=SafeguardingConcern.Category.choices,
        widget=forms.RadioSelect,
        label="What are you worried about?",
    )
    message = MultilineField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Tell us more (only our safeguarding leads will read this)",
    )
