"""The central site's forms."""

from __future__ import annotations

from django import forms

from tenants.models import DemoRequest
from townsquare.lib.forms import HoneypotForm


class DemoRequestForm(HoneypotForm):
    name = forms.CharField(max_length=120, label="Your name")
    organisation = forms.CharField(max_length=200)
    role = forms.CharField(max_length=120, label="Your role")
    email = forms.EmailField(label="Work email address")
    phone = forms.CharField(max_length=40, required=False, label="Phone (optional)")
    message = forms.CharField(
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What would you like to talk about? (optional)",
    )
    consent = forms.BooleanField(
        label="You may contact me about a demo. We won't share your contact details."
    )

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"].strip()
        if phone and sum(ch.isdigit() for ch in phone) < 7:
            raise forms.ValidationError(
                "Enter a phone number with at least 7 digits, or leave it empty."
            )
        return phone

    def to_model(self) -> DemoRequest:
        data = {k: v for k, v in self.cleaned_data.items() if k != "website"}
        return DemoRequest(**data)
