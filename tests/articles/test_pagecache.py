"""Reading pages come from the page cache until a committed change retires them.

These tests commit for real (transactional database) with the cache switched on, and look at
what a visitor sees after each kind of change."""

import datetime

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from archive.articles.models import Article, Author
from archive.articles.services import author_merge, author_update, keyword_rename
from archive.search.service import clear_search_cache

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.ARCHIVE_PAGE_CACHE_SECONDS = 300
    caches["pages"].clear()
    clear_search_cache()
    yield
    caches["pages"].clear()


def page(path, client=None):
    response = (client or Client()).get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_a_second_visit_is_served_from_the_cache_with_the_same_headers(
    make_article, django_assert_num_queries
):
    make_article("Cached piece", authors=["Nadia Kerman"], keywords=["Oil"])
    first = Client().get("/articles/")
    with django_assert_num_queries(1):  # the content version, nothing else
        again = Client().get("/articles/")
    assert again.content == first.content
    assert "Cached piece" in again.content.decode()
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert again["X-Frame-Options"] == first["X-Frame-Options"]


def test_edits_show_at_once_on_every_page(make_article):
    article = make_article("Old title", authors=["Nadia Kerman"], keywords=["Oil"])
    pages = ["/", "/articles/", f"/articles/{article.slug}/", "/authors/nadia-kerman/", "/keywords/oil/"]
    for path in pages:
        assert "Old title" in page(path)

    article.title = "New title"
    article.save()

    for path in pages:
        html = page(path)
        assert "New title" in html and "Old title" not in html, path


def test_renames_merges_and_deletes_retire_cached_pages(make_article):
    article = make_article("Piece on gas", authors=["Nadia Kerman", "N. Kerman"], keywords=["Gas"])
    other = make_article("Piece on coal", authors=["Omid Farahani"])
    path = f"/articles/{article.slug}/"
    assert "N. Kerman" in page(path) and "Piece on coal" in page("/articles/")

    keyword_rename(keyword=article.keywords.get(), name="Natural gas")
    assert "Natural gas" in page(path)

    author_update(author=Author.objects.get(name="Nadia Kerman"), name="Nadia Kermani")
    assert "Nadia Kermani" in page(path)

    author_merge(source=Author.objects.get(name="N. Kerman"), target=Author.objects.get(name="Nadia Kermani"))
    assert "N. Kerman<" not in page(path) and "N. Kerman," not in page(path)

    other.delete()
    assert "Piece on coal" not in page("/articles/")


def test_a_scheduled_piece_appears_on_its_day(make_article, monkeypatch):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    make_article("Scheduled piece", date=tomorrow)
    assert "Scheduled piece" not in page("/articles/")

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert "Scheduled piece" in page("/articles/")


def test_visitors_with_a_session_always_get_a_fresh_page(make_article, admin_user):
    article = make_article("Session piece")
    staff = Client()
    staff.force_login(admin_user)
    assert "Session piece" in page("/articles/", staff)
    assert "Session piece" in page("/articles/")  # cached for visitors

    # A change that commits without a signal (a raw update) is seen by staff at once; visitors
    # get it when the cache entry expires or anything else changes.
    Article.objects.filter(pk=article.pk).update(title="Raw title")
    assert "Raw title" in page("/articles/", staff)
    assert "Session piece" in page("/articles/")


def test_the_cache_can_be_switched_off(make_article, settings):
    article = make_article("Switch piece")
    settings.ARCHIVE_PAGE_CACHE_SECONDS = 0
    assert "Switch piece" in page("/articles/")
    Article.objects.filter(pk=article.pk).update(title="Switched title")
    assert "Switched title" in page("/articles/")


def test_one_bump_per_transaction_and_none_for_a_rolled_back_one(make_article):
    from django.db import transaction

    from archive.articles.pagecache import current_version

    before = current_version()
    with transaction.atomic():
        make_article(
            "Piece with a byline", authors=["Nadia Kerman", "Omid Farahani"], keywords=["Oil", "Gas"]
        )
    assert current_version() == before + 1

    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint that rolls back
                make_article("Rolled back piece")
                raise RuntimeError
        except RuntimeError:
            pass
        make_article("Kept piece")
    assert current_version() == before + 2
    assert "Kept piece" in page("/articles/") and "Rolled back piece" not in page("/articles/")


def test_a_deploy_retires_cached_pages(make_article):
    """The cache is on disk and outlives restarts; migrate (run by every deploy) retires what the
    old templates rendered."""
    from django.core.management import call_command

    article = make_article("Deployed piece")
    assert "Deployed piece" in page("/articles/")
    Article.objects.filter(pk=article.pk).update(title="Retitled by raw SQL")  # no signal, no bump
    assert "Deployed piece" in page("/articles/")
    call_command("migrate", verbosity=0, interactive=False)
    assert "Retitled by raw SQL" in page("/articles/")


def test_counts_and_charts_are_remembered_for_fresh_pages_until_a_change(make_article, admin_user):
    """Visitors with a session get a fresh page, but its count and per-year chart (the costly
    queries of an author or keyword page) are remembered until the archive changes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_article("First by Kerman", authors=["Nadia Kerman"], date=datetime.date(2019, 3, 1))
    make_article("Second by Kerman", authors=["Nadia Kerman"], date=datetime.date(2021, 3, 1))
    staff = Client()
    staff.force_login(admin_user)

    def visit():
        with CaptureQueriesContext(connection) as queries:
            html = page("/authors/nadia-kerman/", staff)
        aggregates = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
        return html, aggregates

    html, aggregates = visit()
    assert "2 articles." in html and len(aggregates) == 2  # the count and the chart
    html, aggregates = visit()
    assert "2 articles." in html and aggregates == []

    make_article("Third by Kerman", authors=["Nadia Kerman"], date=datetime.date(2021, 6, 1))
    html, aggregates = visit()
    assert "3 articles." in html and len(aggregates) == 2
    assert "3 pieces from 2019 to 2021; the most, 2, in 2021." in html


@pytest.fixture
def unwritable_cache(settings, tmp_path):
    """A "pages" cache on disk whose folder cannot be made (a file stands in its way; as root,
    permissions would not stop it)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file")
    backend = "django.core.cache.backends.filebased.FileBasedCache"
    working = settings.CACHES
    settings.CACHES = {**working, "pages": {"BACKEND": backend, "LOCATION": str(blocker / "pages")}}
    yield blocker / "pages"
    settings.CACHES = working  # before `page_cache` empties the cache


def test_pages_are_rendered_when_the_cache_cannot_be_written(unwritable_cache, make_article, caplog):
    make_article("Served without a cache")
    with caplog.at_level("ERROR", logger="archive.pagecache"):
        assert "Served without a cache" in page("/articles/")
        assert "Served without a cache" in page("/articles/")
    assert "The page cache cannot be read; rendering without it" in caplog.text
    assert "The page cache cannot be written; rendering without it" in caplog.text
