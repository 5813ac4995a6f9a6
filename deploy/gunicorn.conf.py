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
