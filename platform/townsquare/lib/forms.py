"""The base for our forms: labels without Django's trailing colon, as screen readers read them."""

from __future__ import annotations

from typing import Any

from django import forms


class Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
