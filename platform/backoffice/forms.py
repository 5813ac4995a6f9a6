"""Forms of the tenant admin area."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import User
from dialogues.models import Dialogue
from sitesettings.models import Signpost, SiteSettings, https_only
from townsquare.lib.forms import Form
from townsquare.lib.video import validate_video_url


class DialogueForm(Form):
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=80, help_text="The dialogue's web address: lowercase letters, digits, hyphens."
    )
    question = forms.CharField(max_length=500, help_text="The question residents answer.")
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            "You can use simple HTML: paragraphs, bold, lists, links. Anything else is removed."
        ),
    )
    video_url = forms.URLField(
        required=False,
        assume_scheme="https",
        label="Video link",
        validators=[validate_video_url],
        help_text="Optional: a YouTube or Vimeo link.",
    )
    tags = forms.CharField(required=False, max_length=500, help_text="Topics, separated by commas.")
    listed = forms.BooleanField(
        required=False, initial=True, label="List on the home page (otherwise link only)"
    )
    opens_at = forms.DateTimeField(
        required=False,
        label="Opens at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Leave empty to open it by hand.",
    )
    closes_at = forms.DateTimeField(
        required=False,
        label="Closes at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    open_now = forms.BooleanField(
        required=False,
        label="Open it now",
        help_text="Otherwise it is saved as a draft that only staff see.",
    )

    def __init__(self, *args: Any, dialogue: Dialogue | None = None, **kwargs: Any) -> None:
        self.dialogue = dialogue
        super().__init__(*args, **kwargs)
        if dialogue is not None:
            # An existing dialogue opens with the state buttons, never by saving the form.
            del self.fields["open_now"]

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        taken = Dialogue.objects.filter(slug=slug)
        if self.dialogue is not None:
            taken = taken.exclude(pk=self.dialogue.pk)
        if taken.exists():
            raise forms.ValidationError("Another dialogue already uses this address.")
        return slug

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "A dialogue must close after it opens.")
        return data


class OutcomeForm(Form):
    summary = forms.CharField(
        label="Outcome summary",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What the organisation heard and what it will do. Shown on the closed dialogue.",
    )


class InviteForm(Form):
    email = forms.EmailField(label="Their email address")
    role = forms.ChoiceField(choices=[c for c in User.Role.choices if c[0]])


class SiteSettingsForm(forms.ModelForm):  # type: ignore[type-arg,unused-ignore]
    quick_exit_url = forms.URLField(
        assume_scheme="https",
        label="Quick exit address",
        help_text="Where “Emergency exit this page” takes people: a neutral https site.",
    )

    class Meta:
        model = SiteSettings
        fields = [
            "require_verified_email",
            "idea_edit_window_minutes",
            "report_threshold",
            "premoderate_under_18",
            "retention_days",
            "blocked_words",
            "quick_exit_url",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SignpostForm(forms.ModelForm):  # type: ignore[type-arg,unused-ignore]
    url = forms.URLField(required=False, assume_scheme="https", label="Website")

    class Meta:
        model = Signpost
        fields = ["name", "description", "phone", "url", "position"]
        labels = {"url": "Website", "position": "Order"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        if url:
            https_only(url)
        return url


class InviteCodeForm(Form):
    label = forms.CharField(
        max_length=100, help_text="Which session it is for, e.g. Tuesday youth club."
    )
    valid_hours = forms.TypedChoiceField(
        coerce=int,
        choices=[(2, "2 hours"), (4, "4 hours"), (24, "1 day"), (24 * 7, "1 week")],
        label="Works for",
    )
    max_uses = forms.IntegerField(min_value=1, max_value=200, initial=20, label="How many people")


class QuestionForm(Form):
    text = forms.CharField(
        max_length=200, label="Question", help_text="e.g. Which borough do you live in?"
    )
    choices = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Answers",
        help_text="One per line. Everyone can also choose “Prefer not to say”.",
    )

    def clean_choices(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]
        if len(lines) < 2:
            raise forms.ValidationError("Give at least two answers, one per line.")
        if len(lines) > 30 or any(len(line) > 100 for line in lines):
            raise forms.ValidationError("Up to 30 answers of up to 100 characters each.")
        return "\n".join(lines)
