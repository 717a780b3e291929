"""An OperationalError is an outage (503) only when the database connection died or could not be
made; on a connection that still answers it is the query's own error, a bug: Django's 500 with
its traceback (archive.security.outage). The outage itself is tested against a stopped
PostgreSQL in test_database_outage.py."""

import pytest
from django.db import OperationalError, connection

from archive.security.outage import DatabaseOutageMiddleware

pytestmark = pytest.mark.django_db


def test_an_error_on_a_working_connection_is_left_to_django_as_a_500(rf):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    middleware = DatabaseOutageMiddleware(lambda request: None)
    assert middleware.process_exception(rf.get("/articles/"), OperationalError("no such table: x")) is None
    assert middleware.process_exception(rf.get("/articles/"), ValueError("a bug")) is None
    assert connection.is_usable()  # and the working connection is left alone
