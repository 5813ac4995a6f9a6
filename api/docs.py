"""The OpenAPI description of the tenant API and its interactive documentation, both on
sites whose plan includes the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views import View
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request

from api.permissions import PlanIncludesApi
from api.problems import PlanRefused


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 description, generated from the views by drf-spectacular."""

    permission_classes = [PlanIncludesApi]


class DocsView(View):
    """Swagger UI at /api/docs/, from our own static files (drf-spectacular-sidecar's copy):
    no CDN, and nothing inline, so the site's CSP (script-src and style-src 'self') holds.
    The page reads /api/schema/ and starts Swagger UI from `api/docs.js`.

    A site whose plan has no API gets a plain page (403) saying so, with where its admins
    choose a plan: a person opened this address in a browser, so the answer is a page, not
    problem JSON. The check is the API's own (PlanIncludesApi)."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            PlanIncludesApi().has_permission(Request(request), self)
        except PlanRefused as refusal:
            context = {"message": refusal.detail, "upgrade_url": refusal.upgrade_url}
            return render(request, "api/docs_refused.html", context, status=403)
        context = {"schema_url": reverse("api-schema")}
        return render(request, "api/docs.html", context)
