"""The admin's form for an endpoint: its address, a note, and the events it receives."""

from __future__ import annotations

from django import forms

from api.webhooks.addresses import url_problem
from api.webhooks.models import SUBSCRIBABLE
from townsquare.lib.forms import Form


class EndpointForm(Form):
    url = forms.CharField(
        label="Endpoint address",
        help_text="An https:// address on the public internet, such as "
        "https://example.org/hooks/townsquare.",
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter the address deliveries are sent to."},
    )
    description = forms.CharField(
        label="Description (optional)",
        max_length=200,
        required=False,
        help_text="What receives these events, for your team. Up to 200 characters.",
    )
    event_types = forms.MultipleChoiceField(
        label="Events to send",
        choices=[(t.value, t.label) for t in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one event.",
            "invalid_choice": "Choose only the events listed.",
        },
    )

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"]).strip()
        problem = url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url
