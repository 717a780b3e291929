"""A database outage answers 503 with `Retry-After` and says so, on every page.

When PostgreSQL restarts or cannot be reached, a query raises Django's `OperationalError` (or
`InterfaceError` on a connection that died). Left alone that is a 500 with a traceback per
request. `DatabaseOutageMiddleware` turns it into a 503: an HTML page saying the database is
unavailable for a moment (JSON `{"error", "retry_after"}` under `/api/`), with `Retry-After`. An
`OperationalError` on a connection that still answers (a query a bug made invalid, such as a
missing table) is not an outage: it stays a 500 with its traceback.

The outage is logged at WARNING (no traceback) once per process per `LOG_EVERY` seconds, with
the number of requests answered 503 since, rather than once per request.
"""

import contextlib
import json
import logging
import threading
import time

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy

log = logging.getLogger("archive.database")

OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER = 30  # seconds; a restart takes a few, a failover longer
LOG_EVERY = 60.0
MESSAGE = gettext_lazy(
    "The database is unavailable for a moment, so this page cannot be shown. "
    "Nothing you saved is lost. Please try again in half a minute."
)


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return answer_outage(request, exception)


def answer_outage(request, exception):
    """The outage's 503 when `exception` is a database outage, else None (not an outage: Django's
    500, with the traceback logged). Also for error pages, which middleware does not see."""
    if not isinstance(exception, OUTAGE_ERRORS) or not connection_lost():
        return None
    _note_outage(exception)
    return outage_response(request)


def connection_lost(alias=DEFAULT_DB_ALIAS):
    """True when the error came from a database that could not be reached or a connection that
    died under the request (a restart, even one over by now). False when the same connection
    still runs a query: then the error was the query's own (a missing table: a bug)."""
    connection = connections[alias]
    if connection.connection is None:
        return True  # it could not connect at all
    try:
        usable = connection.is_usable()
    except Exception:
        usable = False
    if not usable:
        with contextlib.suppress(Exception):  # the next request connects afresh
            connection.close()
    return not usable


_lock = threading.Lock()
_state = {"logged_at": float("-inf"), "since": 0}


def _note_outage(exception):
    now = time.monotonic()
    with _lock:
        _state["since"] += 1
        if now - _state["logged_at"] < LOG_EVERY:
            return
        count, _state["since"], _state["logged_at"] = _state["since"], 0, now
    first_line = (str(exception).strip().splitlines() or [""])[0][:200]
    log.warning(
        "The database is unavailable (%s: %s); %d request(s) answered 503 with Retry-After %d s",
        type(exception).__name__,
        first_line,
        count,
        RETRY_AFTER,
    )


def outage_response(request):
    if request.path_info.startswith("/api/"):
        body = json.dumps({"error": str(MESSAGE), "retry_after": RETRY_AFTER})
        response = HttpResponse(body, status=503, content_type="application/json")
    else:
        try:
            body = render_to_string(
                "security/database_unavailable.html", {"message": MESSAGE}, request=request
            )
        except Exception:  # the page itself must not need the database; if it does, plain text
            body = str(MESSAGE)
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    # Logged above, once a minute; not once more per request by django.request at ERROR.
    response._has_been_logged = True
    return response
