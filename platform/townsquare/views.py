"""Project-wide views: error pages, per-tenant media, the safety page and the quick exit."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth import logout
from django.core.exceptions import SuspiciousOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sitesettings.selectors import signpost_list, site_settings_get
from townsquare.lib.problems import API_PREFIX, problem_response


def media(request: HttpRequest, path: str) -> FileResponse:
    """Serves an upload of the current tenant only: storage resolves paths inside its folder
    or object prefix, so no path reaches another schema's files."""
    try:
        if not default_storage.exists(path):
            raise Http404("No such file")
        handle = default_storage.open(path, "rb")
    except (SuspiciousOperation, IsADirectoryError, FileNotFoundError, ValueError):
        raise Http404("No such file") from None
    response = FileResponse(handle)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    # An uploaded SVG opened on its own can run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _for_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _for_api(request):
        return problem_response(400, "The request could not be read.", "bad_request")
    return render(request, "townsquare/400.html", status=400)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _for_api(request):
        return problem_response(404, "There is nothing at this address.", "not_found")
    return render(request, "townsquare/404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _for_api(request):
        return problem_response(403, "You may not do this.", "permission_denied")
    return render(request, "townsquare/403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if _for_api(request):
        return problem_response(
            500, "Something went wrong on our side; it has been reported.", "server_error"
        )
    return render(request, "townsquare/500.html", status=500)


def staying_safe(request: HttpRequest) -> HttpResponse:
    return render(request, "townsquare/staying_safe.html", {"signposts": signpost_list()})


def _sent_from_elsewhere(request: HttpRequest) -> bool:
    """Whether the browser says another site (or another tenant) sent this request.

    Fetch metadata first; browsers without it are judged by the Referer. With neither, the
    request counts as ours: for someone leaving in a hurry, being signed out matters more
    than the nuisance of a forged sign-out.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    referer = request.headers.get("Referer", "")
    return bool(referer) and urlsplit(referer).netloc != request.get_host()


@require_GET
def quick_exit(request: HttpRequest) -> HttpResponse:
    """The emergency exit: ends the session, then goes to the site's neutral address.

    A GET, so it is a plain link that works without JavaScript (a form's redirect to
    another site would be blocked by our CSP's form-action) and can be reached with
    location.replace, which keeps this site's page out of the history. A GET that signs
    people out could be triggered from other sites; it is only obeyed from our own pages
    (or typed): anything else just goes to the neutral address.
    """
    if not _sent_from_elsewhere(request):
        logout(request)  # flushes the session: sign-in, drafts, everything in it
    response = HttpResponseRedirect(site_settings_get().quick_exit_url)
    response["Cache-Control"] = "no-store"
    # The neutral site is not told where the person came from.
    response["Referrer-Policy"] = "no-referrer"
    return response
