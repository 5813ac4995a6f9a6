"""The resident sign-up form: a pseudonymous username, an email kept private, a password."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from accounts.models import DemographicAnswer, DemographicQuestion, User
from accounts.validators import USERNAME_MAX, USERNAME_VALIDATORS
from townsquare.lib.forms import Form


class SignupForm(AllauthSignupForm):
    # A honeypot: hidden from people and assistive technology, filled in by bots.
    website = forms.CharField(  # type: ignore[call-arg]  # template_name is Django 5 API
        required=False,
        label="Leave this empty",
        template_name="townsquare/_honeypot.html",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    age_band = forms.ChoiceField(
        choices=User.AgeBand.choices,
        required=False,
        label="How old are you? (optional)",
        help_text="Never shown to anyone. It helps us keep younger people safe.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.label = "Username"
        username.help_text = (
            "This is the only name others will see. 3 to 30 letters, digits or underscores. "
            "Do not use your real name, email or phone number."
        )
        username.widget.attrs.pop("placeholder", None)
        username.widget.attrs.update(autocomplete="username", maxlength=str(USERNAME_MAX))
        email = self.fields["email"]
        email.label = "Email address"
        email.help_text = (
            "We send a link to confirm it. It is never shown to anyone else on this site."
        )
        email.widget.attrs.pop("placeholder", None)
        for name in ("password1", "password2"):
            self.fields[name].widget.attrs.pop("placeholder", None)
        self.fields["password1"].label = "Password"
        self.fields["password2"].label = "Password (again)"
        self.questions = list(DemographicQuestion.objects.filter(active=True))
        for question in self.questions:
            self.fields[f"q_{question.pk}"] = forms.ChoiceField(
                choices=[("", "Prefer not to say"), *((c, c) for c in question.choice_list)],
                required=False,
                label=f"{question.text} (optional)",
                help_text="Never shown to anyone; counted only in groups of five or more.",
            )

    def save(self, request: Any) -> User:
        user: User = super().save(request)
        age_band = self.cleaned_data.get("age_band") or ""
        if age_band:
            user.age_band = age_band
            user.save(update_fields=["age_band"])
        DemographicAnswer.objects.bulk_create(
            DemographicAnswer(user=user, question=q, answer=self.cleaned_data[f"q_{q.pk}"])
            for q in self.questions
            if self.cleaned_data.get(f"q_{q.pk}")
        )
        return user

    def validate_unique_email(self, value: str) -> str:
        try:
            return str(super().validate_unique_email(value))
        except forms.ValidationError as error:
            if error.code != "email_taken":
                raise
        # Never said on the page: SignupView answers as for a new address and tells the
        # address's owner by email instead.
        self.account_already_exists = True
        return value

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        if cleaned.get("website"):
            # Said at the top of the form: the honeypot field itself is invisible.
            raise forms.ValidationError("Something went wrong. Please try again.")
        return cleaned


class JoinWithCodeForm(Form):
    code = forms.CharField(max_length=20, label="Code from your youth worker")
    username = forms.CharField(
        max_length=30,
        help_text="The only name others see. Do not use your real name.",
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password (again)",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        for validate in USERNAME_VALIDATORS:
            validate(username)
        return username

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "The two passwords are different.")
        return cleaned
