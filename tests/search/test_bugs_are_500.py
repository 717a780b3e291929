"""A bug in a search is a 500 with its traceback logged, at every door; a 503 is only for an index
that cannot be read (issue 15.6: any exception became "search unavailable", and the feed and
export wrapper retried once and returned an empty list, a 200)."""

import logging

import pytest

from archive.search.backends.whoosh.backend import WhooshBackend


class Bug(Exception):
    pass


def broken(*args, **kwargs):
    raise Bug("a bug in the engine's code")


@pytest.fixture
def buggy_engine(monkeypatch, indexed_article):
    indexed_article("Iraq and Russia")
    for method in ("search", "article_ids", "titles_starting"):
        monkeypatch.setattr(WhooshBackend, method, broken)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "door",
    [
        "/search/?q=iraq",
        "/api/search/?q=iraq",
        "/feeds/search/atom/?q=iraq",
        "/feeds/search/rss/?q=iraq",
        "/export/search/json/?q=iraq",
        "/export/search/bibtex/?q=iraq",
        "/api/autocomplete/?q=zzz",
    ],
)
def test_a_bug_in_a_search_is_a_500_with_its_traceback(client, buggy_engine, caplog, door):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(door)
    assert response.status_code == 500
    logged = [record for record in caplog.records if record.name == "django.request"]
    assert logged and logged[-1].exc_info and logged[-1].exc_info[0] is Bug


@pytest.mark.django_db
def test_the_test_client_sees_the_bug_itself(client, buggy_engine):
    with pytest.raises(Bug):
        client.get("/feeds/search/atom/?q=iraq")
