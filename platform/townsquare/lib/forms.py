"""The base for our forms: labels without Django's trailing colon, as screen readers read them."""

from __future__ import annotations

from typing import Any

from django import forms


class Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class HoneypotForm(Form):
    """Adds a field hidden from people and assistive technology that only bots fill in."""

    website = forms.CharField(  # type: ignore[call-arg]  # template_name is Django 5 API
        required=False,
        label="Leave this empty",
        template_name="townsquare/_honeypot.html",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("website"):
            # Said at the top of the form: the honeypot field itself is invisible.
            raise forms.ValidationError("Something went wrong. Please try again.")
        return cleaned
