"""The exports form: which dialogue, which dataset, which file format."""

from __future__ import annotations

from django import forms

from dialogues.models import Dialogue
from insights.exports import DATASETS
from townsquare.lib.forms import Form

FORMAT_CHOICES = [
    ("csv", "CSV (opens in any spreadsheet)"),
    ("xlsx", "Excel (XLSX)"),
]


class ExportForm(Form):
    dialogue = forms.ModelChoiceField(
        # Each form copies the queryset (and runs it in the request's schema).
        queryset=Dialogue.objects.order_by("-created_at"),
        required=False,
        to_field_name="slug",
        empty_label="Every dialogue",
        label="Dialogue",
    )
    dataset = forms.ChoiceField(
        choices=[(dataset.key, dataset.label) for dataset in DATASETS.values()],
        widget=forms.RadioSelect,
        initial="ideas",
        label="What to export",
    )
    file_format = forms.ChoiceField(
        choices=FORMAT_CHOICES, widget=forms.RadioSelect, initial="csv", label="File format"
    )
