"""The insights dashboard and the dialogue report (analysts and admins)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.roles import Capability
from backoffice.access import capability_required


@capability_required(Capability.VIEW_INSIGHTS)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "insights/dashboard.html", {})


@capability_required(Capability.VIEW_INSIGHTS)
def report(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "insights/report.html", {})


@capability_required(Capability.VIEW_INSIGHTS)
def report_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "insights/report.html", {})
