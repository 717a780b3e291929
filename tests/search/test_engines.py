"""One engine-neutral suite over both engines (PRODUCT.md "Running it"): the built-in engine,
and Haystack's generic path, which any Haystack engine (Solr, Elasticsearch) takes; here
Haystack's stock Whoosh backend stands in for them. The same fixture, the same assertions."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import get_commands
from haystack.query import SearchQuerySet

from archive.articles.models import Article
from archive.search import indexing
from archive.search.backends import backend
from archive.search.backends import haystack as haystack_backend
from archive.search.service import SearchRequest, autocomplete, run_search, search_article_ids
from archive.settings import search_connection
from tests.search.conftest import make_oil_shelf

PUBLIC = {"Oil and Iran", "Oil and Iraq", "Oil markets", "نفت ایران"}


def search(**params):
    return run_search(SearchRequest.from_querydict(params))


def titles(results):
    return [hit.title for hit in results.hits]


@pytest.fixture(params=["builtin", "haystack"])
def engine(request, settings, tmp_path, search_index):
    """The engine under test, empty; `engine.update()` drains the queue into it."""
    if request.param == "haystack":
        original = settings.HAYSTACK_CONNECTIONS
        settings.HAYSTACK_CONNECTIONS = {
            "default": {
                "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
                "PATH": str(tmp_path / "stock"),
            }
        }
        settings.ARCHIVE_SEARCH_BACKEND = "archive.search.backends.haystack.HaystackBackend"
        haystack_backend.reset()
        yield search_index
        haystack_backend.reset(original)
    else:
        yield search_index


@pytest.fixture
def shelf(make_article, engine):
    make_oil_shelf(make_article)
    engine.update()
    return engine


def test_queue_writes_through_the_configured_engine(shelf, settings):
    # Every published piece went to the index (the scheduled one too); drafts did not.
    assert set(backend().stamps()) == set(
        Article.objects.filter(status="published").values_list("pk", flat=True)
    )
    assert len(backend().stamps()) == 5
    if "haystack" in settings.ARCHIVE_SEARCH_BACKEND:
        assert set(SearchQuerySet().models(Article).values_list("title", flat=True)) == PUBLIC | {
            "Oil tomorrow"
        }


def test_result_sets_and_hidden_pieces(shelf):
    assert set(titles(search(q="oil"))) == PUBLIC
    assert search(q="oil").count == 4
    assert set(titles(search(q="draft OR tomorrow"))) == set()
    assert set(titles(search(q="iran"))) == {"Oil and Iran", "نفت ایران"}
    assert set(titles(search(q="oil -iran"))) == {"Oil and Iraq", "Oil markets"}
    assert set(titles(search(q="markets OR iraq"))) == {"Oil and Iraq", "Oil markets"}
    assert titles(search(q='"exports oil"')) == ["Oil and Iraq"]
    assert set(titles(search(q="mark*"))) == {"Oil markets"}
    assert set(titles(search(q="author:chen"))) == {"Oil and Iraq", "Oil markets"}
    assert titles(search(q="ایران")) == ["نفت ایران"]
    ids = search_article_ids(SearchRequest.from_querydict({"q": "oil", "sort": "oldest"}), limit=2)
    assert [Article.objects.get(pk=pk).title for pk in ids] == ["Oil and Iran", "Oil and Iraq"]


def test_plain_words_rank_every_word_first(shelf):
    results = search(q="exports oil")
    assert titles(results)[0] == "Oil and Iraq"
    assert (results.count, results.count_all) == (4, 1)
    assert set(titles(results)) == PUBLIC


def test_filters_sorts_and_pages(shelf):
    assert set(titles(search(q="oil", kind="commentary"))) == {"Oil and Iraq", "Oil markets"}
    assert titles(search(q="oil", language="fa")) == ["نفت ایران"]
    assert set(titles(search(q="oil", year="2019"))) == {"Oil and Iraq", "Oil markets"}
    assert set(titles(search(q="oil", author="bo-chen"))) == {"Oil and Iraq", "Oil markets"}
    assert set(titles(search(q="oil", keyword="iran"))) == {"Oil and Iran", "نفت ایران"}
    assert set(titles(search(q="oil", date_from="2019-03-01"))) == {"Oil markets", "نفت ایران"}
    assert titles(search(q="oil", source="Gulf Review")) == ["Oil and Iraq"]
    assert titles(search(author="ann-lee", sort="oldest")) == ["Oil and Iran", "Oil and Iraq", "نفت ایران"]
    assert titles(search(q="oil", sort="newest")) == [
        "نفت ایران",
        "Oil markets",
        "Oil and Iraq",
        "Oil and Iran",
    ]
    page = run_search(SearchRequest.from_querydict({"q": "oil", "sort": "newest", "page": "2"}), per_page=3)
    assert (page.count, page.num_pages, titles(page)) == (4, 2, ["Oil and Iran"])


def test_facets_and_rendering(shelf):
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
        "source": {"Gulf Review": 1},
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


def test_follows_deletes_and_check_index(shelf):
    article = Article.objects.get(title="Oil markets")
    Article.objects.filter(title="Oil and Iran").update(title="Oil and Persia")  # no signal: stale
    article.delete()
    shelf.update()
    assert set(titles(search(q="oil"))) == {"Oil and Iran", "Oil and Iraq", "نفت ایران"}
    report = indexing.compare()
    assert (report["database"], report["index"]) == (4, 4)
    assert report["stale"] == [Article.objects.get(title="Oil and Persia").pk]
    assert indexing.repair()["stale"] == []
    assert set(titles(search(q="oil"))) == {"Oil and Persia", "Oil and Iraq", "نفت ایران"}


def test_rebuild(shelf):
    Article.objects.filter(title="Oil markets").update(title="Oil bourses")  # no signal
    indexing.rebuild()
    assert indexing.compare()["stale"] == []
    assert "Oil bourses" in titles(search(q="oil"))


def test_haystack_rebuild_commands_are_ours():
    commands = get_commands()
    assert {commands[name] for name in ("rebuild_index", "update_index", "clear_index")} == {"archive.search"}


def test_search_url_setting(tmp_path):
    assert search_connection("", tmp_path)["ENGINE"] == "haystack.backends.simple_backend.SimpleEngine"
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
