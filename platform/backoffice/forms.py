"""Forms of the tenant admin area."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from dialogues.models import Dialogue, Idea, Tag
from sitesettings.models import Signpost, SiteSettings, https_only
from themes.images import LIMITS, image_check
from townsquare.lib.forms import Form, MultilineField
from townsquare.lib.markdown_editor import MarkdownField
from townsquare.lib.video import validate_video_url


class DialogueForm(Form):
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=80, help_text="The dialogue's web address: lowercase letters, digits, hyphens."
    )
    question = forms.CharField(max_length=500, help_text="The question residents answer.")
    description = MarkdownField(
        required=False,
        preview_url_name="backoffice:markdown_preview_dialogues",
        rows=8,
        help_text="Plain text, with simple formatting in Markdown: see “Formatting help”.",
    )
    video_url = forms.URLField(
        required=False,
        assume_scheme="https",
        label="Video link",
        validators=[validate_video_url],
        help_text="Optional: a YouTube or Vimeo link.",
    )
    header_image = forms.FileField(
        required=False,
        label="Header image",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text=(
            "Optional: a picture shown at the top of the dialogue and on its card. "
            f"PNG, JPEG or WebP, up to {LIMITS['header_image'].max_bytes // 1_000_000} MB and "
            f"{LIMITS['header_image'].max_side} pixels on its longest side. "
            "A wide picture (about 3 by 2) looks best."
        ),
    )
    header_image_alt = forms.CharField(
        required=False,
        max_length=250,
        label="Describe the image",
        help_text=(
            "Needed with an image, for people who cannot see it: what it shows, such as "
            "“Young people painting a mural on the underpass”."
        ),
    )
    remove_header_image = forms.BooleanField(required=False, label="Remove the image")
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
        # (bytes, extension) of an upload that passed the image checks; stored only on save.
        self.header_image_checked: tuple[bytes, str] | None = None
        if dialogue is not None and dialogue.header_image:
            self.fields["remove_header_image"].help_text = render_to_string(
                "dialogues/_dialogue_image_current.html", {"dialogue": dialogue}
            )
        else:
            del self.fields["remove_header_image"]

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        taken = Dialogue.objects.filter(slug=slug)
        if self.dialogue is not None:
            taken = taken.exclude(pk=self.dialogue.pk)
        if taken.exists():
            raise forms.ValidationError("Another dialogue already uses this address.")
        return slug

    def clean_header_image(self) -> Any:
        upload = self.cleaned_data.get("header_image")
        if upload:
            self.header_image_checked = image_check(upload=upload, kind="header_image")
        return upload

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "A dialogue must close after it opens.")
        self._clean_header_image_choices(data)
        return data

    def _clean_header_image_choices(self, data: dict[str, Any]) -> None:
        uploaded = bool(data.get("header_image")) or "header_image" in self.errors
        has_image = self.dialogue is not None and bool(self.dialogue.header_image)
        removing = bool(data.get("remove_header_image"))
        if uploaded and removing:
            self.add_error(
                "remove_header_image", "Choose a new image or remove this one, not both."
            )
        elif (uploaded or (has_image and not removing)) and not data.get("header_image_alt"):
            self.add_error("header_image_alt", "Describe the image for people who cannot see it.")
        elif data.get("header_image_alt") and not (uploaded or has_image):
            # Typically a form refused for another reason: browsers never send a file twice.
            self.add_error(
                "header_image",
                "Choose the image this describes. If the form was refused, choose the file "
                "again: browsers do not keep it.",
            )


class OutcomeForm(Form):
    summary = MarkdownField(
        label="Outcome summary",
        preview_url_name="backoffice:markdown_preview_dialogues",
        rows=8,
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


class GatheringForm(Form):
    place = forms.CharField(
        max_length=120, label="Where it was held", help_text="e.g. Kirkby youth club"
    )
    held_on = forms.DateField(
        label="Date of the session",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Not in the future.",
    )
    group_description = forms.CharField(
        required=False,
        max_length=200,
        label="Who took part (optional)",
        help_text="e.g. 12 young people aged 13–17. Never anyone's name.",
    )
    under_18 = forms.BooleanField(
        required=False,
        label="Some of the group are under 18",
        help_text="Their posts wait for a moderator when the site holds under-18s' posts.",
    )

    def clean_held_on(self) -> date:
        held_on: date = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError("The session date cannot be in the future.")
        return held_on


class GatheredIdeaForm(Form):
    title = forms.CharField(max_length=150, help_text="A short summary, up to 150 characters.")
    body = MultilineField(
        label="The idea, in the group's words",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Leave out names, addresses and phone numbers.",
    )
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Topics (optional)",
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "idea")
        super().__init__(*args, **kwargs)
        available = Tag.objects.order_by("name")
        if available.exists():
            self.fields["tags"].queryset = available  # type: ignore[attr-defined]
        else:
            del self.fields["tags"]


class GatheredCommentForm(Form):
    idea = forms.ModelChoiceField(
        queryset=Idea.objects.none(),
        label="The idea it is about",
        empty_label="Choose an idea",
    )
    body = MultilineField(
        label="The comment, in the group's words",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Leave out names, addresses and phone numbers.",
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, ideas: list[Idea], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "comment")
        super().__init__(*args, **kwargs)
        field = self.fields["idea"]
        field.queryset = Idea.objects.filter(pk__in=[idea.pk for idea in ideas])  # type: ignore[attr-defined]
        field.label_from_instance = lambda idea: f"{idea.pk}: {idea.title}"  # type: ignore[attr-defined]


class GatheringUploadForm(Form):
    file = forms.FileField(
        label="Spreadsheet (CSV or XLSX)",
        help_text="Up to 2 MB and 2,000 rows. You will see every row before anything is saved.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "upload")
        super().__init__(*args, **kwargs)
