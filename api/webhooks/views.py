"""Admin pages for webhook endpoints: list, add, edit, pause, test, delete, deliveries.

Admins only (MANAGE_INTEGRATIONS); every action is a form POST answered with a redirect,
so everything works without JavaScript. A new or rotated secret is shown once: it waits in
the session for the next page and is removed as it is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.current import signed_in_user
from accounts.roles import Capability, user_can
from api.webhooks import selectors, services, tasks
from api.webhooks.forms import EndpointForm
from api.webhooks.models import Endpoint

View = Callable[..., HttpResponse]
CAPABILITY = Capability.MANAGE_INTEGRATIONS


def _admins_only(view: View) -> View:
    """The same rule as backoffice's capability_required (which this layer cannot import),
    with the attributes the admin menu reads."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_can(request.user, CAPABILITY):
            raise PermissionDenied("Your role does not include this.")
        return view(request, *args, **kwargs)

    wrapped.required_capability = CAPABILITY  # type: ignore[attr-defined]
    wrapped.staff_only = True  # type: ignore[attr-defined]
    return wrapped


def _endpoint(endpoint_id: int) -> Endpoint:
    endpoint = selectors.endpoint_get(endpoint_id=endpoint_id)
    if endpoint is None:
        raise Http404("No such endpoint")
    return endpoint


def _secret_key(endpoint_id: int) -> str:
    return f"webhooks:secret:{endpoint_id}"


def _form_errors(form: EndpointForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error)


@_admins_only
def endpoints(request: HttpRequest) -> HttpResponse:
    context = {"endpoints": selectors.endpoint_list(), "refusal": selectors.plan_refusal()}
    return render(request, "webhooks/endpoints.html", context)


@_admins_only
def endpoint_add(request: HttpRequest) -> HttpResponse:
    refusal = selectors.plan_refusal()
    form = EndpointForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            endpoint = services.endpoint_create(by=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            request.session[_secret_key(endpoint.pk)] = endpoint.secret
            messages.success(request, "The endpoint is added. Copy its signing secret now.")
            return redirect("webhooks:endpoint", endpoint_id=endpoint.pk)
    context = {"form": form, "refusal": refusal, "endpoint": None}
    return render(request, "webhooks/endpoint_form.html", context)


@_admins_only
@never_cache
def endpoint_show(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(endpoint_id)
    context = {
        "endpoint": endpoint,
        "deliveries": selectors.deliveries_recent(endpoint=endpoint),
        "new_secret": request.session.pop(_secret_key(endpoint.pk), None),
        "refusal": selectors.plan_refusal(),
    }
    return render(request, "webhooks/endpoint.html", context)


@_admins_only
def endpoint_edit(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(endpoint_id)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
    }
    form = EndpointForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_update(endpoint=endpoint, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "The endpoint is saved.")
            return redirect("webhooks:endpoint", endpoint_id=endpoint.pk)
    context = {"form": form, "refusal": None, "endpoint": endpoint}
    return render(request, "webhooks/endpoint_form.html", context)


@_admins_only
@require_POST
def endpoint_pause(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(endpoint_id)
    services.endpoint_pause(endpoint=endpoint)
    messages.success(request, "The endpoint is paused: nothing is sent to it until you resume.")
    return redirect("webhooks:endpoint", endpoint_id=endpoint.pk)


@_admins_only
@require_POST
def endpoint_resume(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(endpoint_id)
    tasks.deliveries_queue(services.endpoint_resume(endpoint=endpoint))
    messages.success(request, "The endpoint is active again.")
    return redirect("webhooks:endpoint", endpoint_id=endpoint.pk)


@_admins_only
@require_POST
def endpoint_rotate(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(endpoint_id)
    request.session[_secret_key(endpoint.pk)] = services.endpoint_secret_rotate(endpoint=endpoint)
    messages.success(
        request,
        "A new signing secret is made. Deliveries are signed with both the new and the old "
        "secret for 24 hours, so there is time to update the receiving system.",
    )
    return redirect("webhooks:endpoint", endpoint_id=endpoint.pk)


@_admins_only
@require_POST
def endpoint_test(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(endpoint_id)
    try:
        delivery = services.endpoint_ping(endpoint=endpoint)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        tasks.deliveries_queue([delivery.pk])
        messages.success(
            request, "A test event is on its way. Reload this page to see how it went."
        )
    return redirect("webhooks:endpoint", endpoint_id=endpoint.pk)


@_admins_only
def endpoint_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(endpoint_id)
    if request.method == "POST":
        services.endpoint_delete(endpoint=endpoint)
        messages.success(request, "The endpoint and its deliveries are deleted.")
        return redirect("webhooks:endpoints")
    return render(request, "webhooks/endpoint_delete.html", {"endpoint": endpoint})


@_admins_only
@require_POST
def delivery_redeliver(request: HttpRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    endpoint = _endpoint(endpoint_id)
    delivery = selectors.delivery_get(endpoint=endpoint, delivery_id=delivery_id)
    if delivery is None:
        raise Http404("No such delivery")
    if services.delivery_redeliver(delivery=delivery):
        tasks.deliveries_queue([delivery.pk])
        messages.success(request, "The delivery is being sent again, with the same id.")
    elif not endpoint.is_active:
        messages.error(request, "Resume the endpoint before sending anything to it.")
    else:
        messages.error(request, "That delivery is still being tried.")
    return redirect("webhooks:endpoint", endpoint_id=endpoint.pk)
