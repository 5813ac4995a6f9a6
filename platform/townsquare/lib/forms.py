"""The base for our forms: labels without Django's trailing colon, as screen readers read them."""

from __future__ import annotations

import re
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


class MultilineField(forms.CharField):
    """Text from a textarea. Browsers count a line break as one character against maxlength
    but send it as CR LF: kept as CR LF, a text the page accepted would be refused as too
    long. Line breaks are stored as LF and counted once."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


def whole_number(text: str, *, maximum: int = 10**18) -> int | None:
    """A plain ASCII whole number from 0 to maximum, or None. str.isdigit() alone also
    accepts "²" and digit strings too long for int(), which then raise."""
    if not re.fullmatch(r"[0-9]{1,19}", text.strip()):
        return None
    number = int(text)
    return number if number <= maximum else None
