"""The central site's forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.http import QueryDict
from django.urls import reverse

from accounts.models import User
from billing.plans import COMMUNITY, PAID_PLANS, TRIAL, Plan
from tenants.models import DemoRequest
from tenants.selectors import subdomain_problem
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


START_TRIAL = "trial"
START_PAID = "paid"


@dataclass(frozen=True)
class Preselection:
    """What the pricing page's link chose for the sign-up form, and a plan key it refused."""

    initial: dict[str, str]
    plan: Plan | None = None
    unknown_plan: str = ""


def signup_preselection(query: QueryDict) -> Preselection:
    """Reads `?plan=<key>&start=<trial|paid>`: only the catalogue's paid plans are chosen.

    The free trial is how every plan starts, so `?plan=trial` chooses nothing and is no error;
    any other unknown key is named back to the visitor, and the form keeps its default plan.
    """
    initial: dict[str, str] = {}
    start = query.get("start", "")
    if start in {START_TRIAL, START_PAID}:
        initial["start"] = start
    key = query.get("plan", "").strip()
    chosen = next((plan for plan in PAID_PLANS if plan.key == key), None)
    if chosen is not None:
        initial["plan"] = chosen.key
        return Preselection(initial=initial, plan=chosen)
    if key and key != TRIAL.key:
        return Preselection(initial=initial, unknown_plan=key[:40])
    return Preselection(initial=initial)


class SignupForm(HoneypotForm):
    """Everything an organisation needs for its site: a free trial, or card first."""

    organisation = forms.CharField(max_length=200, label="Organisation name")
    slug = forms.CharField(
        # Longer names get the DNS-label message from clean_slug, like the live check.
        max_length=200,
        label="Your site's address",
        help_text="Lowercase letters, digits and hyphens, such as north-west-vrp.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "none",
                # Its errors are said in the status line (signup.html), live or submitted.
                "aria-describedby": "id_slug_helptext slug-status",
            }
        ),
    )
    admin_email = forms.EmailField(
        label="Your work email address",
        help_text="We send you a link to confirm it. Residents never see it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Choose a password",
        help_text="At least 8 characters, not a common password. You sign in as “admin”.",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    plan = forms.ChoiceField(
        label="Which plan do you want?",
        help_text="See what each includes on the pricing page.",
        choices=[(p.key, f"{p.name} – {p.price_text}") for p in PAID_PLANS],
        initial=COMMUNITY.key,
        widget=forms.RadioSelect,
    )
    start = forms.ChoiceField(
        label="How would you like to start?",
        choices=[
            (START_TRIAL, "With a free 30-day trial: no card now, we ask for one as it ends"),
            (START_PAID, "Pay now by card: your site is made as soon as the payment goes through"),
        ],
        initial=START_TRIAL,
        widget=forms.RadioSelect,
    )
    submit_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, paying_enabled: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not paying_enabled:
            # Without Stripe keys there is nothing to pay with: every site starts as a trial.
            del self.fields["start"]
        # htmx asks about the name as it is typed; without JavaScript, submitting checks it.
        self.fields["slug"].widget.attrs.update(
            {
                "hx-get": reverse("signup_check"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#slug-status",
                "hx-swap": "outerHTML",
                "hx-sync": "this:replace",
            }
        )

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"].strip().lower()
        problem = subdomain_problem(slug=slug)
        if problem:
            raise forms.ValidationError(problem)
        return slug

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            someone = User(username="admin", email=cleaned.get("admin_email", ""))
            try:
                password_validation.validate_password(password, user=someone)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned
