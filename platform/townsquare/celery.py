"""The Celery app: tasks run in the schema of the tenant that sent them."""

import logging
import os

from celery.signals import after_setup_logger, after_setup_task_logger
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townsquare.settings")

app = CeleryApp("townsquare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _redact_worker_logs(logger: logging.Logger, **kwargs: object) -> None:
    """The worker sets up its own log handlers; they get the same email filter as the web's."""
    from townsquare.logredact import handlers_redact

    handlers_redact(logger)
