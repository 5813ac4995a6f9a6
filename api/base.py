"""What every tenant API view shares: who may call, how lists page, ETags on detail reads,
and the site's posting limits."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from rest_framework.exceptions import Throttled
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import User
from api.pagination import KeysetPagination, Ordering
from api.permissions import Can, PlanIncludesApi, SiteTakesPosts, TokenScope
from townsquare.ratelimits import count_post, seconds_until_allowed

TENANT_PERMISSIONS = [PlanIncludesApi, IsAuthenticatedOrReadOnly, TokenScope, SiteTakesPosts, Can]


class TenantApiView(APIView):
    """A view of the API on a tenant's host. Subclasses that answer a detail read set
    `etag = True`: its ETag is the digest of the body this caller gets, so a client that
    already has it is answered 304 without the body."""

    permission_classes = TENANT_PERMISSIONS
    etag = False

    def finalize_response(  # type: ignore[override]
        self, request: Request, response: Any, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        # What a caller sees depends on who they are: no shared cache may keep it, and a
        # client's own cache asks again (with the ETag) before reusing it.
        patch_vary_headers(response, ["Authorization", "Cookie"])
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_cache=True)
        if self.etag and request.method in {"GET", "HEAD"} and response.status_code == 200:
            response.render()
            set_response_etag(response)
            conditional = get_conditional_response(
                request._request, etag=response["ETag"], response=response
            )
            if conditional is None:
                return response
            if conditional is not response:
                patch_vary_headers(conditional, ["Authorization", "Cookie"])
            return conditional
        return response

    def signed_in(self) -> User:
        user = self.request.user
        if not isinstance(user, User):
            raise TypeError("A signed-in user is needed here.")
        return user

    def paginate(self, queryset: Any, ordering: Ordering, serializer: Any) -> Any:
        paginator = KeysetPagination()
        page = paginator.paginate_ordered(queryset, self.request, ordering)
        data = serializer(page, many=True, context={"request": self.request}).data
        return paginator.get_paginated_response(data)


def posting_allowed(request: Request, group: str) -> None:
    """The site's own limits on posting (townsquare.ratelimits), counted in the same place
    as the pages count them: the API is no way round them."""
    wait = seconds_until_allowed(request._request, group)
    if wait is not None:
        raise Throttled(
            wait=wait,
            detail="You have posted a lot in a short time. Please wait a little and try again.",
        )


def posting_counted(request: Request, group: str) -> None:
    count_post(request._request, group)
