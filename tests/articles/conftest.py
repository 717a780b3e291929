"""Fixtures for the reading pages and the admin: a small well-known set of articles and clients."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def staff_client(client, django_user_model):
    """A logged-in superuser: an editor with every permission."""
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", None)
    client.force_login(user)
    return client


@pytest.fixture
def hidden_articles(make_article, today):
    """A draft and a future-dated piece by a public author, with a public keyword."""
    return {
        "draft": make_article(
            "Draft piece on Iraq",
            authors=["Ali Akbar Asadi", "Draft Only Author"],
            keywords=["Iraq", "DraftOnlyKeyword"],
            date=datetime.date(2012, 10, 1),
            status="draft",
        ),
        "future": make_article(
            "Future piece on Iraq",
            authors=["Ali Akbar Asadi"],
            keywords=["Iraq"],
            date=today + datetime.timedelta(days=1),
        ),
    }


@pytest.fixture
def count_queries():
    """The number of queries a GET makes; asserts the page answered 200."""

    def count(client, url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(ctx.captured_queries)

    return count
