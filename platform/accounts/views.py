"""Sign-up with generated handle suggestions; the rest of the account pages are allauth's."""

from __future__ import annotations

from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account.utils import complete_signup, perform_login
from allauth.account.views import SignupView as AllauthSignupView
from allauth.core.exceptions import ImmediateHttpResponse
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts import services
from accounts.forms import JoinWithCodeForm, SignupForm
from accounts.handles import handle_suggestions
from accounts.validators import USERNAME_VALIDATORS
from townsquare.ratelimits import limit_posts

CONFIRM_BY_EMAIL = allauth_settings.EmailVerificationMethod.MANDATORY


class SignupView(AllauthSignupView):
    template_name = "account/signup.html"

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = super().get_initial()
        handle = self.request.GET.get("handle", "")
        # A picked suggestion arrives as ?handle=; only a well-formed one is pre-filled.
        if handle and _is_valid_username(handle):
            initial["username"] = handle
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["handle_suggestions"] = handle_suggestions()
        return context

    def form_valid(self, form: SignupForm) -> HttpResponse:
        """Ends on "check your email" whether or not the address already has an account, so
        the page never tells; an existing account's owner is told by email instead.

        The new account is signed in by its emailed link (or later with its password):
        signing it in here would itself tell the two cases apart.
        """
        request = self.request
        try:
            if form.account_already_exists:
                # Costs what making an account costs, so the time taken does not tell either.
                make_password(form.cleaned_data["password1"])
                response: HttpResponse = perform_login(
                    request,
                    None,  # no user: allauth's own enumeration-safe path
                    email_verification=CONFIRM_BY_EMAIL,
                    signup=True,
                    email=form.cleaned_data["email"],
                )
                return response
            user = form.save(request)
            response = complete_signup(request, user, CONFIRM_BY_EMAIL, self.get_success_url())
            return response
        except ImmediateHttpResponse as stop:
            return stop.response


def _is_valid_username(value: str) -> bool:
    try:
        for validate in USERNAME_VALIDATORS:
            validate(value)
    except ValidationError:
        return False
    return True


@limit_posts("join")
def join_with_code(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("/")
    form = JoinWithCodeForm(
        request.POST if request.method == "POST" else None,
        initial={
            "code": request.GET.get("code", "")[:20],
            "username": handle
            if _is_valid_username(handle := request.GET.get("handle", ""))
            else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.join_with_code(
                code=form.cleaned_data["code"],
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                "Welcome! A moderator reads what you post before it appears. You can add an "
                "email address later, in Your data, if you want to hear about replies.",
            )
            return redirect("/")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "handle_suggestions": handle_suggestions()}
    return render(request, "accounts/join_with_code.html", context, status=status)
