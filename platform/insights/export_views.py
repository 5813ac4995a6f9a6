"""Staff pages for exports (placeholder until built)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.roles import Capability
from backoffice.access import capability_required


@capability_required(Capability.VIEW_INSIGHTS)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "insights/dashboard.html", {})
