"""A person's API tokens under /accounts/api-tokens/: made, shown once, listed, revoked."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.current import signed_in_user
from accounts.models import User
from api.forms import TokenForm
from api.selectors import token_list
from api.services import TokenLimitError, token_create, token_revoke
from billing.entitlements import Feature, PlanLimitError, entitlement_check


def _on_central_site() -> bool:
    return connection.schema_name == "public"  # type: ignore[attr-defined]


def _token_owner(request: HttpRequest) -> User:
    """Anyone on a tenant's site; on the central site, platform staff with a second factor
    (the staff API is theirs alone)."""
    user = signed_in_user(request)
    if _on_central_site() and not (user.is_staff and is_mfa_enabled(user)):
        raise Http404("No such page")
    return user


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    user = _token_owner(request)
    refusal = None
    if not _on_central_site():
        try:
            entitlement_check(Feature.API_ACCESS)
        except PlanLimitError as error:
            refusal = error
    form = TokenForm(request.POST if request.method == "POST" else None)
    made = None
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            token, secret = token_create(
                user=user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                valid_days=int(form.cleaned_data["valid_days"] or 0) or None,
            )
        except TokenLimitError as error:
            form.add_error(None, str(error))
        else:
            # Shown in this answer only: the secret is never stored, in the session or
            # anywhere else, so it cannot be shown again.
            made = {"token": token, "secret": secret}
            form = TokenForm()
    context = {
        "form": form,
        "tokens": token_list(user=user),
        "made": made,
        "refusal": refusal,
        "central": _on_central_site(),
    }
    status = 400 if request.method == "POST" and form.errors else 200
    response = render(request, "api/tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_key: str) -> HttpResponse:
    user = _token_owner(request)
    if token_revoke(user=user, token_key=token_key[:25]):
        messages.success(request, "The token is revoked: it no longer works.")
    else:
        messages.error(request, "There is no such token of yours; nothing was changed.")
    return redirect("api_tokens")
