"""Filters, facets with counts, sorts, pagination, and what the public never sees."""

import datetime

from archive.articles.models import Article
from archive.search.service import (
    SearchRequest,
    autocomplete,
    related_articles,
    run_search,
    search_article_ids,
)


def search(**params):
    return run_search(SearchRequest.from_querydict(params), per_page=params.pop("per_page", 20))


def titles(results):
    return [hit.title for hit in results.hits]


def test_filters(oil_shelf):
    assert set(titles(search(q="oil", kind="commentary"))) == {"Oil and Iraq", "Oil markets"}
    assert titles(search(q="oil", language="fa")) == ["نفت ایران"]
    assert set(titles(search(q="oil", year="2019"))) == {"Oil and Iraq", "Oil markets"}
    assert set(titles(search(q="oil", author="bo-chen"))) == {"Oil and Iraq", "Oil markets"}
    assert set(titles(search(q="oil", keyword="iran"))) == {"Oil and Iran", "نفت ایران"}
    assert set(titles(search(q="oil", date_from="2019-01-01", date_to="2019-12-31"))) == {
        "Oil and Iraq",
        "Oil markets",
    }
    assert set(titles(search(q="oil", date_from="2019-03-01"))) == {"Oil markets", "نفت ایران"}
    # Filters alone browse.
    assert titles(search(author="bo-chen", sort="oldest")) == ["Oil and Iraq", "Oil markets"]


def test_facets_with_counts(oil_shelf):
    facets = search(q="oil").facets
    counts = {name: {item["value"]: item["count"] for item in items} for name, items in facets.items()}
    assert counts == {
        "author": {"ann-lee": 3, "bo-chen": 2},
        "keyword": {"energy": 2, "iran": 2, "markets": 1},
        "kind": {"commentary": 2, "paper": 1, "report": 1},
        "language": {"en": 3, "fa": 1},
        "year": {2018: 1, 2019: 2, 2020: 1},
        "source": {"Gulf Review": 1},
    }
    assert {item["label"] for item in facets["author"]} == {"Ann Lee", "Bo Chen"}
    assert [item["value"] for item in facets["year"]] == [2020, 2019, 2018]


def test_sorts(oil_shelf):
    assert titles(search(q="oil", sort="newest")) == [
        "نفت ایران",
        "Oil markets",
        "Oil and Iraq",
        "Oil and Iran",
    ]
    assert titles(search(q="oil", sort="oldest")) == [
        "Oil and Iran",
        "Oil and Iraq",
        "Oil markets",
        "نفت ایران",
    ]
    assert titles(search(q="oil markets"))[0] == "Oil markets"


def test_pagination(oil_shelf):
    first = run_search(SearchRequest.from_querydict({"q": "oil", "sort": "newest"}), per_page=3)
    second = run_search(SearchRequest.from_querydict({"q": "oil", "sort": "newest", "page": "2"}), per_page=3)
    assert (first.count, first.num_pages, second.page) == (4, 2, 2)
    assert titles(first) == ["نفت ایران", "Oil markets", "Oil and Iraq"]
    assert titles(second) == ["Oil and Iran"]
    third = run_search(SearchRequest.from_querydict({"q": "oil", "page": "3"}), per_page=3)
    assert third.page_out_of_range and third.hits == []


def test_drafts_and_future_never_visible(oil_shelf):
    hidden = {"Oil draft", "Oil tomorrow"}
    assert not hidden & set(titles(search(q="oil")))
    assert not hidden & set(titles(search(q="draft OR tomorrow")))
    assert not hidden & {item["label"] for item in autocomplete("oil", limit=20)}
    ids = search_article_ids(SearchRequest.from_querydict({"q": "oil"}), limit=50)
    assert set(Article.objects.filter(pk__in=ids).values_list("title", flat=True)) == {
        "Oil and Iran",
        "Oil and Iraq",
        "Oil markets",
        "نفت ایران",
    }
    related = related_articles(Article.objects.get(title="Oil and Iraq"), limit=10)
    assert {a.title for a in related} == {"Oil and Iran", "Oil markets", "نفت ایران"}


def test_search_article_ids_in_result_order(oil_shelf):
    ids = search_article_ids(SearchRequest.from_querydict({"q": "oil", "sort": "oldest"}), limit=2)
    assert [Article.objects.get(pk=pk).title for pk in ids] == ["Oil and Iran", "Oil and Iraq"]


def test_autocomplete(oil_shelf):
    assert autocomplete("ann") == [{"label": "Ann Lee", "url": "/authors/ann-lee/", "type": "author"}]
    assert autocomplete("mark") == [
        {"label": "Markets", "url": "/keywords/markets/", "type": "keyword"},
        {"label": "Oil markets", "url": "/articles/oil-markets/", "type": "article"},
    ]
    assert autocomplete("") == []


def test_params_never_raise():
    params = SearchRequest.from_querydict(
        {
            "q": "x\x00",
            "year": "20x1",
            "kind": "bogus",
            "page": "-1",
            "sort": "up",
            "date_from": "2020-13-01",
            "author": "<script>",
            "language": "xx",
        }
    )
    assert params.q == "x"
    assert set(params.errors) == {"year", "kind", "page", "sort", "date_from", "author", "language"}
    assert (params.filters, params.page, params.sort) == ({}, 1, "relevance")
    assert params.errors["date_from"] == "Enter a date such as 25 October 2012, 2012-10-25 or 2012."
    assert params.errors["year"] == "Enter a year from 1 to 9999."


def test_dates_as_readers_write_them():
    def dates(**given):
        search = SearchRequest.from_querydict(given)
        return search.date_from, search.date_to, search.errors

    assert dates(date_from="2012-10-25") == (datetime.date(2012, 10, 25), None, {})
    assert dates(date_from="25 October 2012", date_to="2013") == (
        datetime.date(2012, 10, 25),
        datetime.date(2013, 12, 31),
        {},
    )
    assert dates(date_from="October 2012", date_to="February 2012") == (
        datetime.date(2012, 10, 1),
        None,
        {"date_to": "The end date is before the start date."},
    )
    assert dates(date_from="۲۰۱۲", date_to="Feb 2024") == (
        datetime.date(2012, 1, 1),
        datetime.date(2024, 2, 29),
        {},
    )
