"""Stripe's webhook endpoint on the root domain: verify, store once, hand to the worker."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing import services
from billing import stripe_gateway as gateway

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    if not gateway.enabled():
        return JsonResponse({"error": "Billing is not configured."}, status=404)
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > settings.STRIPE_WEBHOOK_MAX_BYTES:
        return JsonResponse({"error": "The body is too large."}, status=400)
    payload = request.body
    if len(payload) > settings.STRIPE_WEBHOOK_MAX_BYTES:
        return JsonResponse({"error": "The body is too large."}, status=400)
    try:
        _event, created = services.webhook_receive(
            payload=payload, signature=request.headers.get("Stripe-Signature", "")
        )
    except gateway.SignatureInvalidError:
        return JsonResponse({"error": "The signature does not match."}, status=400)
    except ValueError:
        return JsonResponse({"error": "The body is not a Stripe event."}, status=400)
    return JsonResponse({"received": True, "duplicate": not created})
