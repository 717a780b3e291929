"""Related pieces are kept in the shared "pages" cache per article version (ARCHIVE_RELATED_SECONDS)."""

import datetime

import pytest
from django.core.cache import caches
from django.db.models import F

from archive.articles.models import Article
from archive.search.service import related_articles
from tests.search.conftest import make_oil_shelf


@pytest.fixture
def related_cache(settings):
    settings.ARCHIVE_RELATED_SECONDS = 3600
    caches["pages"].clear()
    yield caches["pages"]
    caches["pages"].clear()


@pytest.fixture
def shelf(make_article, search_index):
    make_oil_shelf(make_article)
    search_index.update()
    return Article.objects.get(title="Oil and Iraq")


def titles(articles):
    return [a.title for a in articles]


def test_kept_until_the_article_changes_and_unpublished_pieces_drop_out(
    related_cache, shelf, make_article, search_index, django_assert_num_queries
):
    first = titles(related_articles(shelf, limit=2))
    assert len(first) == 2 and set(first) <= {"Oil and Iran", "Oil markets", "نفت ایران"}

    # A new, closer piece does not join a kept list: one query, the pieces' rows.
    make_article("Oil and Iraq again", body="<p>Oil and Iraq, Iraq and oil.</p>", keywords=["Energy"])
    search_index.update()
    with django_assert_num_queries(1):
        assert titles(related_articles(shelf, limit=2)) == first

    # A piece unpublished since drops out and a spare id fills its place.
    Article.objects.filter(title=first[0]).update(status=Article.Status.DRAFT)
    after = titles(related_articles(shelf, limit=2))
    assert after[0] == first[1] and len(after) == 2 and first[0] not in after

    # Editing the article works the list out again, from the index as it is now.
    Article.objects.filter(pk=shelf.pk).update(updated_at=F("updated_at") + datetime.timedelta(seconds=1))
    shelf.refresh_from_db()
    assert "Oil and Iraq again" in titles(related_articles(shelf, limit=2))


def test_an_article_not_in_the_index_yet_is_asked_again(related_cache, shelf, make_article, search_index):
    fresh = make_article("Oil and Iraq in brief", body="<p>Oil and Iraq.</p>")
    assert related_articles(fresh) == []  # queued, not indexed: nothing kept
    search_index.update()
    assert "Oil and Iraq" in titles(related_articles(fresh))


def test_off_when_the_setting_is_zero(settings, shelf, make_article, search_index):
    settings.ARCHIVE_RELATED_SECONDS = 0
    before = titles(related_articles(shelf, limit=10))
    make_article("Oil and Iraq again", body="<p>Oil and Iraq, Iraq and oil.</p>")
    search_index.update()
    assert titles(related_articles(shelf, limit=10)) != before
    assert "Oil and Iraq again" in titles(related_articles(shelf, limit=10))
