"""Reusable test harness: live server, Celery worker, browser with axe, Sentry endpoint."""
