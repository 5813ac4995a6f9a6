"""The account behind a request, for views that are only reached signed in."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    """The signed-in user; views call it behind login_required or a capability check."""
    user = request.user
    if not isinstance(user, User):
        raise Http404("Not signed in")
    return user


def user_or_none(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None
