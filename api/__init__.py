"""The REST API (Django REST Framework) and its OpenAPI description."""
