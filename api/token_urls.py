"""Token pages, under /accounts/ on every host."""

from django.urls import path

from api import token_views

urlpatterns = [
    path("api-tokens/", token_views.tokens, name="api_tokens"),
    path(
        "api-tokens/<str:token_key>/revoke/",
        token_views.token_revoke_view,
        name="api_token_revoke",
    ),
]
