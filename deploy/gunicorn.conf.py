"""gunicorn settings shared by `make run` and the production image."""

import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}").split(",")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
# No access log: client addresses are personal data; the proxy logs what operations need.
accesslog = None
errorlog = "-"
pythonpath = ",".join(
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), part)
    for part in ("", "platform")
)
wsgi_app = "townsquare.wsgi:application"
# Load Django once in the master, then fork: a worker answers its first request at once
# instead of importing the whole project on it (seconds on a busy two-core machine), and the
# workers share the loaded code's memory. Nothing connects at import, so no connection is
# shared across the fork.
preload_app = True
