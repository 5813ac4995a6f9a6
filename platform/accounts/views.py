"""Sign-up with generated handle suggestions; the rest of the account pages are allauth's."""

from __future__ import annotations

from typing import Any

from allauth.account.views import SignupView as AllauthSignupView
from django.core.exceptions import ValidationError

from accounts.handles import handle_suggestions
from accounts.validators import USERNAME_VALIDATORS


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


def _is_valid_username(value: str) -> bool:
    try:
        for validate in USERNAME_VALIDATORS:
            validate(value)
    except ValidationError:
        return False
    return True
