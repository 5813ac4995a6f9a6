"""Pages of the central site on the root domain."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from billing.plans import PLANS
from tenants.forms import DemoRequestForm
from tenants.services import demo_request_create
from townsquare.ratelimits import limit_posts


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/landing.html", {"plans": PLANS})


def pricing(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/pricing.html", {"plans": PLANS})


def customer_story(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/customer_story.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/privacy.html")


@limit_posts("demo")
def demo_request(request: HttpRequest) -> HttpResponse:
    form = DemoRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        demo_request_create(request=form.to_model())
        return render(request, "tenants/demo_thanks.html")
    status = 400 if request.method == "POST" else 200
    return render(request, "tenants/demo_request.html", {"form": form}, status=status)
