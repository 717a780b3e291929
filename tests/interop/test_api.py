"""The read-only JSON API under /api/."""

import datetime

import pytest

from archive.articles.archive_json import ARCHIVE_JSON_KEYS
from tests.interop.conftest import PUBLIC_TITLES

pytestmark = pytest.mark.django_db


def get_json(client, url, data=None, status=200):
    response = client.get(url, data or {})
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_root_lists_every_endpoint(client):
    data = get_json(client, "/api/")
    endpoints = data["endpoints"]
    assert endpoints["articles"] == "http://testserver/api/articles/"
    assert endpoints["article"] == "http://testserver/api/articles/SLUG/"
    assert endpoints["authors"] == "http://testserver/api/authors/"
    assert endpoints["keywords"] == "http://testserver/api/keywords/"
    assert endpoints["search"] == "http://testserver/api/search/"
    assert endpoints["autocomplete"] == "http://testserver/api/autocomplete/"
    assert endpoints["oai_pmh"] == "http://testserver/oai/"
    assert endpoints["sitemap"] == "http://testserver/sitemap.xml"
    assert endpoints["opensearch"] == "http://testserver/opensearch.xml"
    assert endpoints["export_formats"] == ["bibtex", "ris", "csl-json", "json"]
    assert data["filters"] == [
        "author",
        "keyword",
        "kind",
        "language",
        "year",
        "source",
        "date_from",
        "date_to",
        "sort",
    ]


def test_articles_list_shows_public_pieces_newest_first(client, archive_items):
    data = get_json(client, "/api/articles/")
    assert data["count"] == 3
    assert (data["page"], data["num_pages"], data["next"], data["previous"]) == (1, 1, None, None)
    assert [a["title"] for a in data["results"]] == [
        "العراق وروسيا في الشرق الأوسط",
        "ایران و عراق پس از انتخابات",
        "Iraq and Russia: Motivations for Interaction in New Conditions",
    ]
    paper = data["results"][2]
    assert paper["authors"] == [
        {
            "name": "Ali Akbar Asadi",
            "affiliation": "PhD Candidate, University of Allameh Tabatabaei & Expert on Middle East Issues",
            "url": "http://testserver/authors/ali-akbar-asadi/",
        },
        {"name": "Maryam Karimi", "affiliation": "", "url": "http://testserver/authors/maryam-karimi/"},
    ]
    assert paper["date"] == "2012-10-25"
    assert paper["kind"] == "paper"
    assert sorted(paper["keywords"]) == ["Iraq", "Russia", "Weapons Deal"]
    assert paper["api_url"] == f"http://testserver/api/articles/{paper['slug']}/"


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        (
            {"author": "ali-akbar-asadi"},
            [
                "العراق وروسيا في الشرق الأوسط",
                "Iraq and Russia: Motivations for Interaction in New Conditions",
            ],
        ),
        (
            {"keyword": "iraq"},
            ["ایران و عراق پس از انتخابات", "Iraq and Russia: Motivations for Interaction in New Conditions"],
        ),
        ({"keyword": "ایران"}, ["ایران و عراق پس از انتخابات"]),
        ({"kind": "paper"}, ["Iraq and Russia: Motivations for Interaction in New Conditions"]),
        ({"language": "ar"}, ["العراق وروسيا في الشرق الأوسط"]),
        ({"year": "2013"}, ["ایران و عراق پس از انتخابات"]),
        ({"date_from": "2013-01-01", "date_to": "2013-12-31"}, ["ایران و عراق پس از انتخابات"]),
        (
            {"sort": "oldest"},
            [
                "Iraq and Russia: Motivations for Interaction in New Conditions",
                "ایران و عراق پس از انتخابات",
                "العراق وروسيا في الشرق الأوسط",
            ],
        ),
        ({"kind": "commentary", "language": "fa"}, ["ایران و عراق پس از انتخابات"]),
        ({"author": "nobody"}, []),
    ],
)
def test_articles_filters(client, archive_items, query, titles):
    data = get_json(client, "/api/articles/", query)
    assert [a["title"] for a in data["results"]] == titles
    assert data["count"] == len(titles)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"kind": "poem"}, "kind"),
        ({"language": "xx"}, "language"),
        ({"year": "soon"}, "year"),
        ({"date_from": "2020-02-30"}, "date_from"),
        ({"page": "0"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"sort": "random"}, "sort"),
    ],
)
def test_bad_filters_are_a_clear_400(client, archive_items, query, field):
    data = get_json(client, "/api/articles/", query, status=400)
    assert data["error"] == "Bad query parameters."
    assert list(data["fields"]) == [field]


def test_date_range_the_wrong_way_round_is_400(client):
    data = get_json(
        client, "/api/articles/", {"date_from": "2020-01-02", "date_to": "2020-01-01"}, status=400
    )
    assert data["fields"] == {"__all__": ["date_from is after date_to."]}


def test_pagination_walks_every_article_once(client, make_article):
    for n in range(7):
        make_article(f"Piece {n}", date=datetime.date(2020, 1, 1 + n))
    titles, url, pages = [], "/api/articles/?page_size=3&kind=commentary", 0
    while url:
        data = get_json(client, url.removeprefix("http://testserver"))
        titles += [a["title"] for a in data["results"]]
        url = data["next"]
        pages += 1
    assert pages == 3
    assert titles == [f"Piece {n}" for n in range(6, -1, -1)]
    last = get_json(client, "/api/articles/", {"page_size": 3, "page": 3})
    assert last["previous"] == "http://testserver/api/articles/?page_size=3&page=2"
    error = get_json(client, "/api/articles/", {"page_size": 3, "page": 4}, status=404)
    assert error["error"] == "There is no page 4; the last page is 3."


def test_article_detail_is_archive_json_with_links(client, archive_items):
    paper = archive_items["paper"]
    data = get_json(client, f"/api/articles/{paper.slug}/")
    assert {k: data[k] for k in ARCHIVE_JSON_KEYS}["title"] == paper.title
    assert set(ARCHIVE_JSON_KEYS) <= set(data)
    assert data["source"] == {
        "name": "Journal of Middle East Studies",
        "volume": "3",
        "issue": "2",
        "pages": "10-20",
        "doi": "10.1234/jmes.2012.3",
        "url": "https://example.org/iraq-russia",
    }
    assert data["exports"]["bibtex"] == f"http://testserver/export/articles/{paper.slug}/bibtex/"
    assert data["url"] == f"http://testserver/articles/{paper.slug}/"


def test_hidden_articles_are_404_and_never_listed(client, archive_items):
    for hidden in ("draft", "future"):
        data = get_json(client, f"/api/articles/{archive_items[hidden].slug}/", status=404)
        assert "No public article" in data["error"]
    listed = {a["title"] for a in get_json(client, "/api/articles/", {"page_size": 100})["results"]}
    assert listed == PUBLIC_TITLES


def test_authors_and_keywords_count_only_public_pieces(client, archive_items):
    authors = get_json(client, "/api/authors/")
    assert [(a["name"], a["articles"]) for a in authors["results"]] == [
        ("Ali Akbar Asadi", 2),
        ("Maryam Karimi", 1),
        ("علی اکبر اسدی", 1),
    ]
    assert authors["results"][0]["articles_url"] == "http://testserver/api/articles/?author=ali-akbar-asadi"
    keywords = get_json(client, "/api/keywords/")
    assert [(k["name"], k["articles"]) for k in keywords["results"]] == [
        ("Iraq", 2),
        ("Russia", 2),
        ("Weapons Deal", 1),
        ("ایران", 1),
    ]
    assert get_json(client, "/api/keywords/", {"page_size": 2, "page": 2})["results"][1]["name"] == "ایران"


@pytest.mark.parametrize("url", ["/api/articles/", "/api/authors/", "/api/keywords/"])
def test_list_query_count_does_not_grow_with_items(client, make_article, django_assert_max_num_queries, url):
    for n in range(3):
        make_article(f"Piece {n}", authors=[f"Author {n}", "Shared"], keywords=[f"k{n}", "shared"])
    with django_assert_max_num_queries(10) as small:
        client.get(url, {"page_size": 100})
    for n in range(3, 30):
        make_article(f"Piece {n}", authors=[f"Author {n}", "Shared"], keywords=[f"k{n}", "shared"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        data = get_json(client, url, {"page_size": 100})
    assert data["count"] >= 30
