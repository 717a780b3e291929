"""gunicorn settings for production: `gunicorn archive.wsgi` reads this file from the working folder.

Every value can be overridden by environment variable (GUNICORN_CMD_ARGS, or the ones below).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # the proxy in front talks to this
# Searches are CPU-bound (Whoosh in Python): one process per core plus one, each with a couple of
# threads so cheap pages are not queued behind a search on the same worker. GUNICORN_THREADS=1
# gives sync workers (a request per process): lower page latency under load, but a throughput
# that fell further over a 20-minute soak; see docs/soak.md before choosing it.
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 2)
worker_class = "sync" if threads == 1 else "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow forever; jitter avoids all at once.
# A worker is replaced after this many requests (a guard against slow leaks). Each new worker
# opens the index afresh (seconds at 100,000 articles) and starts with an empty page cache.
max_requests = 20000
max_requests_jitter = 2000
# Request line and header limits (the body limits are Django's DATA_UPLOAD_* settings).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# The proxy sets X-Forwarded-Proto / X-Forwarded-For; trust them only from the proxy's address.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")


def post_worker_init(worker):
    # Read the search index's per-segment values before the first request rather than in it
    # (seconds at 100,000 articles). Search still works if this fails: the first search reads them.
    from archive.search.backends import backend

    try:
        backend().warm()
    except Exception:
        worker.log.exception("could not open the search index ahead of requests")
