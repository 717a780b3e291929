"""The search page, the JSON API, autocomplete, the related hook, the known traps, check_index."""

import json
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.search.backends import backend
from archive.search.backends.whoosh import store


def test_search_page(client, iraq_shelf):
    response = client.get("/search/", {"q": "iraq"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 results" in html  # the OCR'd "Irag" too
    assert "<mark>Iraq</mark>" in html
    assert "Hidden draft" not in html
    assert 'href="/authors/ali-akbar-asadi/"' in html
    assert "?q=iraq&amp;kind=paper" in html  # a facet link
    assert "<script>" not in html.split("</main>")[0]


def test_empty_search_shows_the_help_the_whole_archive_facets_and_latest_pieces(client, iraq_shelf):
    response = client.get("/search/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<details class="search-help" open>' in html
    assert "4 pieces in the archive." in html
    assert html.index("Energy markets after sanctions") < html.index("Iraq and Russia")  # newest first
    assert "Hidden draft" not in html
    assert "?author=ali-akbar-asadi" in html and "?keyword=energy" in html  # the archive's facets
    # One search box: the page's form, not the header's as well.
    assert html.count('type="search"') == 1


def test_search_page_says_what_matched(client, make_article, search_index):
    make_article(
        "Russia and Iraq after the uprisings", body="<p>The Arab uprisings changed Russia's role in Iraq.</p>"
    )
    make_article("Russia in Iraq", body="<p>Russia's role in Iraq.</p>")
    make_article("Uprisings elsewhere", body="<p>Tunisia.</p>")
    search_index.update()
    html = client.get(
        "/search/", {"q": "how did the arab uprisings change russia's role in iraq"}
    ).content.decode()
    assert "1 piece contains all your words; 2 more contain some." in html
    assert "Missing: <s><bdi>arab</bdi></s>, <s><bdi>uprisings</bdi></s>, <s><bdi>change</bdi></s>" in html
    api = client.get("/api/search/", {"q": "iraq uprisings"}).json()
    assert (api["count"], api["count_all_words"]) == (3, 1)
    found = [(r["title"], r["missing_words"]) for r in api["results"]]
    assert found[0] == ("Russia and Iraq after the uprisings", [])
    assert sorted(found[1:]) == [("Russia in Iraq", ["uprisings"]), ("Uprisings elsewhere", ["iraq"])]


def test_bad_page_is_404(client, iraq_shelf):
    assert client.get("/search/", {"q": "iraq", "page": "9"}).status_code == 404
    assert client.get("/search/", {"q": "iraq", "page": "x"}).status_code == 404
    assert client.get("/api/search/", {"q": "iraq", "page": "9"}).status_code == 404


def test_api_search(client, iraq_shelf):
    data = client.get("/api/search/", {"q": "iraq", "sort": "oldest"}).json()
    assert data["count"] == 3
    assert [r["title"] for r in data["results"]] == [
        "Iraq and Russia: Motivations for Interaction",
        "Energy markets after sanctions",
        "Alignment in the neoclassical realism programme",
    ]
    first = data["results"][0]
    assert first["url"] == "http://testserver/articles/iraq-and-russia-motivations-for-interaction/"
    assert first["authors"] == ["Ali Akbar Asadi"]
    assert first["date"] == "2012-10-25"
    assert "<mark>Iraq</mark>" in first["snippet"]
    assert data["facets"]["year"] == [
        {"value": 2021, "label": "2021", "count": 1},
        {"value": 2019, "label": "2019", "count": 1},
        {"value": 2012, "label": "2012", "count": 1},
    ]
    assert data["suggestion"] is None


def test_api_autocomplete(client, iraq_shelf):
    data = client.get("/api/autocomplete/", {"q": "ener"}).json()
    assert data == {
        "results": [
            {"label": "Energy", "url": "/keywords/energy/", "type": "keyword"},
            {
                "label": "Energy markets after sanctions",
                "url": "/articles/energy-markets-after-sanctions/",
                "type": "article",
            },
        ]
    }


def test_related_hook_on_article_page(client, iraq_shelf):
    html = client.get("/articles/energy-markets-after-sanctions/").content.decode()
    assert "Related pieces" in html
    assert 'href="/articles/iraq-and-russia-motivations-for-interaction/"' in html
    assert "Hidden draft" not in html


def test_autocomplete_script_is_external(client, iraq_shelf):
    html = client.get("/").content.decode()
    assert 'src="/static/js/autocomplete.js"' in html
    assert 'data-autocomplete-url="/api/autocomplete/"' in html


TRAPS = [
    "\x00",
    "x" * 10_000,
    "y" * 30_000,
    "*e*",
    "*",
    "a~9",
    "[a TO z]",
    "(" * 500 + "iraq" + ")" * 500,
    '"unbalanced',
    'iraq "',
    "OR",
    "NOT",
    "-",
    "author:",
    'title:"',
    "iraq " * 1000,
    "¿?!§%&/",
    "\ud800"[:0] + "\u202e",
]


@pytest.mark.parametrize("q", TRAPS, ids=range(len(TRAPS)))
def test_known_traps_answer_fast(client, iraq_shelf, q):
    for path in ("/search/", "/api/search/"):
        # CPU seconds of this process, so a loaded machine does not fail it; a trap that blows up
        # (a regex or a query expansion gone exponential) takes far longer than this.
        started = time.process_time()
        response = client.get(path, {"q": q})
        assert response.status_code == 200
        assert time.process_time() - started < 2.0


def test_query_count_does_not_grow_with_results(client, make_article, search_index):
    make_article("Steppe one", authors=["Ann Lee"], keywords=["Steppe"])
    search_index.update()
    with CaptureQueriesContext(connection) as few:
        assert client.get("/search/", {"q": "steppe"}).status_code == 200
    for n in range(15):
        make_article(f"Steppe {n}", authors=[f"Author {n}"], keywords=[f"Key {n}", "Steppe"])
    search_index.update()
    with CaptureQueriesContext(connection) as many:
        response = client.get("/search/", {"q": "steppe"})
    assert "16 results" in response.content.decode()
    assert len(many) == len(few)
    assert len(few) <= 4


def test_check_index_json_and_repair(make_article, search_index, capsys):
    ok = make_article("Kept piece")
    stale = make_article("Stale piece")
    missing = make_article("Missing piece")
    search_index.update()
    from archive.articles.models import Article

    Article.objects.filter(pk=stale.pk).update(title="Changed quietly")  # no signal
    with store.write_lock():
        store.write_documents(
            documents=[{"id": "999999", "title": "Orphan", "date": "20200101", "slug": "o", "stamp": ""}],
            delete_ids=[missing.pk],
        )
    call_command("check_index", "--json")
    report = json.loads(capsys.readouterr().out)
    whole = {"damaged": [], "pending": 0, "pending_since": None, "problems": []}  # files whole, writable
    assert report == {
        "database": 3,
        "index": 3,
        "missing": [missing.pk],
        "stale": [stale.pk],
        "orphaned": [999999],
        **whole,
    }
    call_command("check_index", "--repair", "--json")
    assert json.loads(capsys.readouterr().out) == {
        "database": 3,
        "index": 3,
        "missing": [],
        "stale": [],
        "orphaned": [],
        **whole,
    }
    assert ok.pk in backend().stamps()


def test_check_index_repair_builds_a_missing_index(make_article, search_index, settings, tmp_path, capsys):
    make_article("Only piece")
    settings.ARCHIVE_INDEX_DIR = tmp_path / "fresh"
    backend().forget()
    call_command("check_index", "--repair")
    assert "Repaired 1 document(s)." in capsys.readouterr().out
    call_command("check_index", "--json")
    assert json.loads(capsys.readouterr().out)["index"] == 1
    backend().forget()


def test_api_search_page_size(client, iraq_shelf):
    whole = [r["title"] for r in client.get("/api/search/", {"q": "iraq"}).json()["results"]]
    data = client.get("/api/search/", {"q": "iraq", "page_size": "1"}).json()
    assert (data["count"], data["num_pages"], len(data["results"])) == (3, 3, 1)
    second = client.get("/api/search/", {"q": "iraq", "page_size": "1", "page": "2"}).json()
    assert [r["title"] for r in data["results"] + second["results"]] == whole[:2]
    bad = client.get("/api/search/", {"q": "iraq", "page_size": "1000"}).json()
    assert bad["errors"] == {"page_size": "Enter a number from 1 to 100."}
