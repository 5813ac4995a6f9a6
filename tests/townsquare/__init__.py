"""Tests for the project package: settings, health, routing, isolation, Sentry, Celery."""
