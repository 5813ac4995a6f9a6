"""Project-wide views: error pages and per-tenant media."""

from __future__ import annotations

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from sitesettings.selectors import signpost_list


def media(request: HttpRequest, path: str) -> FileResponse:
    """Serves an upload of the current tenant only: storage resolves paths inside its folder."""
    try:
        if not default_storage.exists(path):
            raise Http404("No such file")
        handle = default_storage.open(path, "rb")
    except (SuspiciousFileOperation, IsADirectoryError, ValueError):
        raise Http404("No such file") from None
    response = FileResponse(handle)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    # An uploaded SVG opened on its own can run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "townsquare/404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "townsquare/403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "townsquare/500.html", status=500)


def staying_safe(request: HttpRequest) -> HttpResponse:
    return render(request, "townsquare/staying_safe.html", {"signposts": signpost_list()})
