"""A logging filter that takes email addresses out of every record, tracebacks included."""

from __future__ import annotations

import logging
import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
REPLACEMENT = "[email removed]"


class RedactEmails(logging.Filter):
    """A safety net under the rule that code never logs an address: libraries may (Celery
    logs a failed task's exception, and SMTP errors quote the refused recipient)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "@" in message:
            record.msg, record.args = EMAIL.sub(REPLACEMENT, message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and "@" in record.exc_text:
            record.exc_text = EMAIL.sub(REPLACEMENT, record.exc_text)
        return True


def handlers_redact(logger: logging.Logger) -> None:
    for handler in logger.handlers:
        if not any(isinstance(f, RedactEmails) for f in handler.filters):
            handler.addFilter(RedactEmails())
