"""URLs served on the root domain: the central site and the platform staff console."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from billing.webhooks import stripe_webhook
from tenants import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("pricing/", views.pricing, name="pricing"),
    path("customers/merseyside/", views.customer_story, name="customer_story"),
    path("privacy/", views.privacy, name="privacy"),
    path("demo/", views.demo_request, name="demo_request"),
    path("demo/thanks/", views.demo_thanks, name="demo_thanks"),
    path("signup/", views.signup, name="signup"),
    path("signup/check/", views.signup_check, name="signup_check"),
    path("signup/<str:token>/", views.signup_status, name="signup_status"),
    path("signup/<str:token>/pay/", views.signup_pay, name="signup_pay"),
    path("api/", include("api.staff_urls")),
    # Staff sign in (with their second factor) here; sign-up is closed on the central site.
    # Residents join on their organisation's site; here, sign-up means an organisation's.
    path("accounts/signup/", RedirectView.as_view(pattern_name="signup")),
    path("accounts/", include("api.token_urls")),
    path("accounts/", include("allauth.urls")),
    path("staff/", admin.site.urls),
    # Stripe posts its events here; the signature, not a CSRF token, proves the sender.
    path("billing/stripe/webhook/", stripe_webhook, name="stripe_webhook"),
]

handler400 = "townsquare.views.bad_request"
handler403 = "townsquare.views.permission_denied"
handler404 = "townsquare.views.page_not_found"
handler500 = "townsquare.views.server_error"
