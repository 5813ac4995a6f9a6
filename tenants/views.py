"""Pages of the central site on the root domain."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from billing.plans import PLANS


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/landing.html", {"plans": PLANS})


def pricing(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/pricing.html", {"plans": PLANS})


def customer_story(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/customer_story.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/privacy.html")
