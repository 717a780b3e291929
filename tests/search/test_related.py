"""Related pieces are kept in the shared "pages" cache per article version (ARCHIVE_RELATED_SECONDS)."""

import datetime

import pytest
from django.core.cache import caches
from django.db.models import F

from archive.articles.models import Article
from archive.search.backends.whoosh import live
from archive.search.backends.whoosh.backend import _key_terms
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


def test_the_key_terms_are_whooshs_bo1_from_the_kept_segment_statistics(
    shelf, make_article, search_index, monkeypatch
):
    """Related pieces pick an article's key terms as Whoosh's `key_terms_from_text` does (Bo1),
    with each word's counts summed over the segments from the statistics the searcher keeps per
    segment (remembered for segments of _SEGMENT_TERMS_FROM documents or more, at most
    _SEGMENT_TERMS_MAX terms each)."""
    monkeypatch.setattr(live, "_SEGMENT_TERMS_FROM", 1)
    monkeypatch.setattr(live, "_SEGMENT_TERMS_MAX", 5)
    make_article("Gas and oil in Iraq", body="<p>Gas, oil and Iraq; the Gulf's gas.</p>")
    search_index.update()  # a second segment
    state = live.live()
    assert len(state.leaves) == 2
    for text in ["Oil and Iraq: the oil of Iraq, Iran and the markets", "نفت ایران و عراق"]:
        expected = state.searcher.key_terms_from_text("text", text, numterms=30)
        got = _key_terms(state, text, 30)
        assert [(word, round(weight, 9)) for word, weight in got] == [
            (word, round(weight, 9)) for word, weight in expected
        ]
        assert got  # words the index holds
    assert _key_terms(state, "zzzqx qqqzz", 30) == []  # no word the index holds: no key terms
    for reader, _offset in state.leaves:
        assert 0 < len(live._segment_values(reader)[("cf", "text")]) <= 5
