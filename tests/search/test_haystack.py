"""Haystack is real: the index queue writes through the configured engine, and any engine
Haystack offers can serve the search. Here Haystack's stock Whoosh backend stands in for Solr or
Elasticsearch (the generic path through SearchQuerySet), and our engine answers SearchQuerySet too."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import get_commands
from django.utils import timezone
from haystack.inputs import AutoQuery
from haystack.query import SearchQuerySet

from archive.articles.models import Article
from archive.search import connection, engine, indexing
from archive.search.service import SearchParams, autocomplete, run_search, search_article_ids
from archive.settings import search_connection
from tests.search.conftest import make_oil_shelf


def search(**params):
    return run_search(SearchParams.from_querydict(params))


def titles(results):
    return [hit.title for hit in results.hits]


@pytest.fixture
def stock_whoosh(settings, tmp_path, search_index):
    """Haystack's own WhooshEngine as the default connection, in a folder of its own."""
    original = settings.HAYSTACK_CONNECTIONS
    settings.HAYSTACK_CONNECTIONS = {
        "default": {
            "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
            "PATH": str(tmp_path / "stock"),
        }
    }
    connection.reset()
    assert not connection.uses_our_engine()
    yield search_index
    connection.reset(original)
    assert connection.uses_our_engine()


@pytest.fixture
def stock_corpus(make_article, stock_whoosh):
    make_oil_shelf(make_article)
    stock_whoosh.update()
    return stock_whoosh


def test_queue_writes_through_the_configured_engine(stock_corpus):
    # Every published piece went to Haystack's index (the scheduled one too); drafts did not,
    # and our own index heard nothing.
    assert set(SearchQuerySet().models(Article).values_list("title", flat=True)) == {
        "Oil and Iran",
        "Oil and Iraq",
        "Oil markets",
        "نفت ایران",
        "Oil tomorrow",
    }
    assert engine.indexed_stamps() == {}


def test_generic_path_result_sets_and_hidden_pieces(stock_corpus):
    assert set(titles(search(q="oil"))) == {"Oil and Iran", "Oil and Iraq", "Oil markets", "نفت ایران"}
    assert search(q="oil").count == 4
    assert set(titles(search(q="draft OR tomorrow"))) == set()
    assert set(titles(search(q="iran"))) == {"Oil and Iran", "نفت ایران"}
    assert set(titles(search(q="oil -iran"))) == {"Oil and Iraq", "Oil markets"}
    assert set(titles(search(q="markets OR iraq"))) == {"Oil and Iraq", "Oil markets"}
    assert titles(search(q='"exports oil"')) == ["Oil and Iraq"]
    assert set(titles(search(q="mark*"))) == {"Oil markets"}
    assert set(titles(search(q="author:chen"))) == {"Oil and Iraq", "Oil markets"}
    assert titles(search(q="ایران")) == ["نفت ایران"]
    ids = search_article_ids(SearchParams.from_querydict({"q": "oil", "sort": "oldest"}), limit=2)
    assert [Article.objects.get(pk=pk).title for pk in ids] == ["Oil and Iran", "Oil and Iraq"]


def test_generic_path_filters_sorts_and_pages(stock_corpus):
    assert set(titles(search(q="oil", kind="commentary"))) == {"Oil and Iraq", "Oil markets"}
    assert titles(search(q="oil", language="fa")) == ["نفت ایران"]
    assert set(titles(search(q="oil", year="2019"))) == {"Oil and Iraq", "Oil markets"}
    assert set(titles(search(q="oil", author="bo-chen"))) == {"Oil and Iraq", "Oil markets"}
    assert set(titles(search(q="oil", keyword="iran"))) == {"Oil and Iran", "نفت ایران"}
    assert set(titles(search(q="oil", date_from="2019-03-01"))) == {"Oil markets", "نفت ایران"}
    assert titles(search(author="ann-lee", sort="oldest")) == ["Oil and Iran", "Oil and Iraq", "نفت ایران"]
    assert titles(search(q="oil", sort="newest")) == [
        "نفت ایران",
        "Oil markets",
        "Oil and Iraq",
        "Oil and Iran",
    ]
    page = run_search(SearchParams.from_querydict({"q": "oil", "sort": "newest", "page": "2"}), per_page=3)
    assert (page.count, page.num_pages, titles(page)) == (4, 2, ["Oil and Iran"])


def test_generic_path_facets_and_rendering(stock_corpus):
    results = search(q="oil")
    counts = {
        name: {item["value"]: item["count"] for item in items} for name, items in results.facets.items()
    }
    assert counts == {
        "author": {"ann-lee": 3, "bo-chen": 2},
        "keyword": {"energy": 2, "iran": 2, "markets": 1},
        "kind": {"commentary": 2, "paper": 1, "report": 1},
        "language": {"en": 3, "fa": 1},
        "year": {2018: 1, 2019: 2, 2020: 1},
    }
    assert {item["label"] for item in results.facets["author"]} == {"Ann Lee", "Bo Chen"}
    [hit] = search(q="sanctions").hits
    assert (hit.title, hit.url, hit.authors, hit.date, hit.kind) == (
        "Oil and Iran",
        "/articles/oil-and-iran/",
        ["Ann Lee"],
        datetime.date(2018, 1, 5),
        "paper",
    )
    assert str(hit.snippet) == "<mark>Sanctions</mark> &amp; the &lt;oil&gt; trade."
    assert [item["label"] for item in autocomplete("oil mar")] == ["Oil markets"]


def test_generic_path_follows_deletes_and_check_index(stock_corpus):
    article = Article.objects.get(title="Oil markets")
    Article.objects.filter(title="Oil and Iran").update(title="Oil and Persia")  # no signal: stale
    article.delete()
    stock_corpus.update()
    assert set(titles(search(q="oil"))) == {"Oil and Iran", "Oil and Iraq", "نفت ایران"}
    report = indexing.compare()
    assert (report["database"], report["index"]) == (4, 4)
    assert report["stale"] == [Article.objects.get(title="Oil and Persia").pk]
    assert indexing.repair()["stale"] == []
    assert set(titles(search(q="oil"))) == {"Oil and Persia", "Oil and Iraq", "نفت ایران"}


def test_rebuild_through_another_engine(stock_corpus):
    Article.objects.filter(title="Oil markets").update(title="Oil bourses")  # no signal
    assert indexing.rebuild() is None
    assert indexing.compare()["stale"] == []
    assert "Oil bourses" in titles(search(q="oil"))


def test_our_engine_answers_search_queryset(make_article, search_index):
    make_oil_shelf(make_article)
    search_index.update()
    sqs = SearchQuerySet().models(Article).auto_query("oil").filter(date__lte=datetime.date(2020, 12, 31))
    assert sqs.count() == 4
    assert [r.title for r in sqs.order_by("date")] == [
        "Oil and Iran",
        "Oil and Iraq",
        "Oil markets",
        "نفت ایران",
    ]
    commentary = sqs.filter(kind_exact="commentary").facet("author_slug")
    assert {r.title for r in commentary} == {"Oil and Iraq", "Oil markets"}
    assert commentary.facet_counts()["fields"]["author_slug"] == [("bo-chen", 2), ("ann-lee", 1)]
    narrowed = (
        SearchQuerySet()
        .filter(content=AutoQuery("oil"), date__lte=datetime.date(2020, 12, 31))
        .exclude(title="iran")
        .exclude(title="markets")
    )
    assert {r.title for r in narrowed} == {"Oil and Iraq", "نفت ایران"}
    # The generic path gives what the fast path gives, on our engine too.
    params = SearchParams.from_querydict({"q": "oil -iran", "sort": "oldest"})
    today = timezone.localdate()
    page = connection.search_page(params, today, start=0, stop=10, text_query=connection.query_sq(params.q))
    assert (
        [row["title"] for row in page.rows] == titles(run_search(params)) == ["Oil and Iraq", "Oil markets"]
    )


def test_haystack_rebuild_commands_are_ours():
    commands = get_commands()
    assert {commands[name] for name in ("rebuild_index", "update_index", "clear_index")} == {"archive.search"}


def test_search_url_setting(tmp_path):
    assert search_connection("", tmp_path)["ENGINE"] == "archive.search.backend.ArchiveWhooshEngine"
    assert search_connection("solr://127.0.0.1:8983/solr/archive", tmp_path) == {
        "ENGINE": "haystack.backends.solr_backend.SolrEngine",
        "URL": "http://127.0.0.1:8983/solr/archive",
    }
    assert search_connection("elasticsearch+https://es.example:9200/archive", tmp_path) == {
        "ENGINE": "haystack.backends.elasticsearch7_backend.Elasticsearch7SearchEngine",
        "URL": "https://es.example:9200/",
        "INDEX_NAME": "archive",
    }
    assert search_connection("whoosh:///srv/ix", tmp_path)["PATH"] == "/srv/ix"
    with pytest.raises(ImproperlyConfigured, match="ARCHIVE_SEARCH_URL"):
        search_connection("redis://x", tmp_path)
