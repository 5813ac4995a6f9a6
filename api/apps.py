"""App config for the API: personal access tokens live in every schema (tenant users and
platform staff alike)."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from api import schema  # noqa: F401  (registers the OpenAPI security schemes)
