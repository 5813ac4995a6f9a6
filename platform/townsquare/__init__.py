"""The Townsquare Django project: settings, URLconfs, the Celery app and server entry points."""

from townsquare.celery import app as celery_app

__all__ = ["celery_app"]
