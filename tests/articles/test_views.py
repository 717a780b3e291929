"""The reading pages, through Django's test client on real rows."""

import datetime

import pytest
from django.urls import reverse

from archive.articles.html import outline_headings
from archive.articles.models import Article

pytestmark = pytest.mark.django_db


def titles(response, name="articles"):
    return [article.title for article in response.context[name]]


@pytest.fixture
def asadi(make_article):
    """Three public pieces, two of them by Ali Akbar Asadi (with his affiliation line)."""
    affiliation = "PhD Candidate, University of Allameh Tabatabaei & Expert on Middle East Issues"
    return {
        "iraq": make_article(
            "Iraq and the New Russian Policy",
            authors=[("Ali Akbar Asadi", affiliation), ("Second Writer", "Analyst")],
            keywords=["Iraq", "Russia", "Energy"],
            date=datetime.date(2012, 10, 25),
            abstract="Russia returns to Iraq.\n\nArms and oil.",
            body="<p>First paragraph.</p><p>Second paragraph.</p>",
            source_name="Iran Review",
            source_volume="3",
            source_issue="2",
            source_pages="10-14",
            doi="10.1234/ir.2012.7",
            source_url="https://www.iranreview.org/content/Documents/Iraq.htm",
        ),
        "syria": make_article(
            "Syria after the Arab Spring",
            authors=[("Ali Akbar Asadi", affiliation)],
            keywords=["Syria", "iraq"],
            date=datetime.date(2012, 3, 2),
        ),
        "gulf": make_article(
            "Gulf Security Architecture",
            authors=["Someone Else"],
            keywords=["Energy"],
            date=datetime.date(2013, 1, 9),
            kind="paper",
        ),
    }


# --- Home, list, archive ---------------------------------------------------------------------


def test_home_shows_latest_public_pieces_and_keywords(client, asadi, hidden_articles):
    response = client.get("/")
    assert response.status_code == 200
    assert titles(response, "latest") == [
        "Gulf Security Architecture",
        "Iraq and the New Russian Policy",
        "Syria after the Arab Spring",
    ]
    assert {(k.name, k.n) for k in response.context["featured_keywords"]} == {
        ("Iraq", 2),  # the draft and the future piece are not counted
        ("Energy", 2),
        ("Russia", 1),
        ("Syria", 1),
    }
    html = response.content.decode()
    assert "Draft piece on Iraq" not in html
    assert "Future piece on Iraq" not in html
    assert "DraftOnlyKeyword" not in html
    assert 'name="q"' in html  # the search box


def test_article_list_is_newest_first_and_hides_drafts_and_future(client, asadi, hidden_articles):
    response = client.get("/articles/")
    assert response.status_code == 200
    assert titles(response) == [
        "Gulf Security Architecture",
        "Iraq and the New Russian Policy",
        "Syria after the Arab Spring",
    ]
    assert response.context["paginator"].count == 3
    html = response.content.decode()
    assert "3 articles, newest first." in html
    assert "Draft piece" not in html and "Future piece" not in html


def test_article_list_paginates_and_bad_pages_are_404(client, make_article):
    for day in range(1, 26):
        make_article(f"Piece {day:02d}", date=datetime.date(2020, 1, day))
    first = client.get("/articles/")
    assert titles(first) == [f"Piece {day:02d}" for day in range(25, 5, -1)]
    assert 'rel="next" href="?page=2"' in first.content.decode()
    second = client.get("/articles/?page=2")
    assert second.status_code == 200
    assert titles(second) == ["Piece 05", "Piece 04", "Piece 03", "Piece 02", "Piece 01"]
    for bad in ("3", "0", "-1", "abc", "1.5", "99999999999999999999"):
        assert client.get(f"/articles/?page={bad}").status_code == 404, bad


def test_archive_index_counts_only_public_pieces(client, asadi, hidden_articles, today):
    response = client.get("/archive/")
    assert response.status_code == 200
    years = response.context["years"]
    summary = [(y["year"], y["count"], [(m["month"].month, m["count"]) for m in y["months"]]) for y in years]
    assert summary == [(2013, 1, [(1, 1)]), (2012, 2, [(10, 1), (3, 1)])]
    html = response.content.decode()
    assert reverse("archive:month", args=[2012, 10]) in html
    assert str(today.year + 1) not in {str(y["year"]) for y in years}


def test_archive_year_and_month_pages(client, asadi, hidden_articles):
    year = client.get("/archive/2012/")
    assert year.status_code == 200
    assert titles(year) == ["Iraq and the New Russian Policy", "Syria after the Arab Spring"]
    assert [(m["month"].month, m["count"]) for m in year.context["months"]] == [(3, 1), (10, 1)]
    assert "<h1>2012</h1>" in year.content.decode()

    month = client.get("/archive/2012/10/")
    assert month.status_code == 200
    assert titles(month) == ["Iraq and the New Russian Policy"]  # the October draft is hidden
    assert "<h1>October 2012</h1>" in month.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/archive/2012/13/", "/archive/2012/0/", "/archive/0/", "/archive/99999/", "/archive/2011/",
     "/archive/2012/5/", "/archive/2012/?page=2"],
)  # fmt: skip
def test_archive_impossible_or_empty_periods_are_404(client, asadi, url):
    assert client.get(url).status_code == 404


# --- Article page ------------------------------------------------------------------------------


def test_article_page_shows_everything_a_reader_needs(client, asadi, hidden_articles):
    response = client.get("/articles/iraq-and-the-new-russian-policy/")
    assert response.status_code == 200
    assert response.context["article"].title == "Iraq and the New Russian Policy"
    assert [a.name for a in response.context["authors"]] == ["Ali Akbar Asadi", "Second Writer"]
    html = response.content.decode()
    assert "<title>Iraq and the New Russian Policy · The Archive</title>" in html
    assert '<time datetime="2012-10-25">25 October 2012</time>' in html
    assert "PhD Candidate, University of Allameh Tabatabaei &amp; Expert on Middle East Issues" in html
    assert html.index("Ali Akbar Asadi") < html.index("Second Writer")
    assert "<p>First paragraph.</p><p>Second paragraph.</p>" in html
    assert "<p>Russia returns to Iraq.</p>" in html and "<p>Arms and oil.</p>" in html
    for name, slug in [("Iraq", "iraq"), ("Russia", "russia"), ("Energy", "energy")]:
        assert f'<a href="/keywords/{slug}/" rel="tag">{name}</a>' in html
    assert "Iran Review, vol. 3, no. 2, pp. 10-14" in html
    assert 'href="https://doi.org/10.1234/ir.2012.7"' in html
    assert 'href="https://www.iranreview.org/content/Documents/Iraq.htm"' in html
    # More by this author: public pieces only, not the piece itself.
    assert [a.title for a in response.context["more_by_author"]] == ["Syria after the Arab Spring"]
    assert "Draft piece on Iraq" not in html and "Future piece on Iraq" not in html
    assert 'lang="en" dir="ltr"' in html
    assert "Preview:" not in html


def test_more_by_the_authors_lists_a_shared_piece_once_newest_first(client, make_article):
    for year, title in [(2015, "Older joint piece"), (2018, "Newer joint piece")]:
        make_article(title, authors=["Ann Lee", "Bo Chen"], date=datetime.date(year, 1, 1))
    make_article("Chen alone", authors=["Bo Chen"], date=datetime.date(2016, 1, 1))
    make_article("Someone else", authors=["Cy Dee"], date=datetime.date(2017, 1, 1))
    article = make_article("The piece", authors=["Ann Lee", "Bo Chen"], date=datetime.date(2020, 1, 1))
    response = client.get(article.get_absolute_url())
    assert [a.title for a in response.context["more_by_author"]] == [
        "Newer joint piece",
        "Chen alone",
        "Older joint piece",
    ]


def test_persian_article_is_right_to_left(client, make_article):
    make_article("روسیه و عراق", language="fa", authors=["علی اکبر اسدی"])
    response = client.get(reverse("articles:detail", args=["روسیه-و-عراق"]))
    assert response.status_code == 200
    html = response.content.decode()
    # The page is the interface's (English here); the piece carries its own language and direction.
    assert '<html lang="en" dir="ltr">' in html
    assert 'class="article" lang="fa" dir="rtl"' in html


def test_drafts_future_and_unknown_articles_are_404(client, asadi, hidden_articles):
    assert client.get(hidden_articles["draft"].get_absolute_url()).status_code == 404
    assert client.get(hidden_articles["future"].get_absolute_url()).status_code == 404
    assert client.get("/articles/no-such-piece/").status_code == 404


def test_future_piece_appears_when_its_day_arrives(client, make_article, today):
    piece = make_article("Tomorrow's piece", date=today + datetime.timedelta(days=1))
    assert client.get(piece.get_absolute_url()).status_code == 404
    Article.objects.filter(pk=piece.pk).update(date=today)
    assert client.get(piece.get_absolute_url()).status_code == 200
    assert titles(client.get("/articles/")) == ["Tomorrow's piece"]


# --- Authors and keywords --------------------------------------------------------------------


def test_author_page_lists_public_pieces_with_a_chart(client, asadi, hidden_articles):
    response = client.get("/authors/ali-akbar-asadi/")
    assert response.status_code == 200
    assert titles(response) == ["Iraq and the New Russian Policy", "Syria after the Arab Spring"]
    assert response.context["per_year"] == [{"year": 2012, "count": 2}]
    html = response.content.decode()
    assert "<h1>Ali Akbar Asadi</h1>" in html
    assert "PhD Candidate, University of Allameh Tabatabaei" in html
    assert "Draft piece" not in html and "Future piece" not in html


def test_author_with_only_hidden_pieces_is_404(client, asadi, hidden_articles):
    assert client.get("/authors/draft-only-author/").status_code == 404
    assert client.get("/authors/nobody/").status_code == 404
    assert client.get("/authors/ali-akbar-asadi/?page=2").status_code == 404


def test_keyword_page_merges_case_variants_and_hides_drafts(client, asadi, hidden_articles):
    response = client.get("/keywords/iraq/")
    assert response.status_code == 200
    assert titles(response) == ["Iraq and the New Russian Policy", "Syria after the Arab Spring"]
    assert response.context["per_year"] == [{"year": 2012, "count": 2}]
    assert "<h1>Keyword: <bdi>Iraq</bdi></h1>" in response.content.decode()
    assert client.get("/keywords/draftonlykeyword/").status_code == 404
    assert client.get("/keywords/nothing/").status_code == 404


def test_author_and_keyword_indexes_count_public_pieces_only(client, asadi, hidden_articles):
    authors = client.get("/authors/")
    assert authors.status_code == 200
    assert [(a.name, a.n) for a in authors.context["authors"]] == [
        ("Ali Akbar Asadi", 2),
        ("Second Writer", 1),
        ("Someone Else", 1),
    ]
    assert "Draft Only Author" not in authors.content.decode()

    keywords = client.get("/keywords/")
    assert keywords.status_code == 200
    assert [(k.name, k.n) for k in keywords.context["keywords"]] == [
        ("Energy", 2),
        ("Iraq", 2),
        ("Russia", 1),
        ("Syria", 1),
    ]
    assert "DraftOnlyKeyword" not in keywords.content.decode()
    assert client.get("/keywords/?page=2").status_code == 404


def test_about_page_credits_global_voices(client, db):
    response = client.get("/about/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Global Voices" in html
    assert "CC BY 3.0" in html
    assert 'href="https://creativecommons.org/licenses/by/3.0/"' in html


# --- Query counts: constant in the number of items -----------------------------------------------


def _populate(make_article, n, *, start=0):
    for i in range(start, start + n):
        make_article(
            f"Counted piece {i}",
            authors=["Constant Author", f"Co-author {i}"],
            keywords=["Constant", f"Topic {i}"],
            date=datetime.date(2015, 1 + i % 12, 1 + i % 28),
        )


LIST_PAGES = [
    "/", "/articles/", "/archive/", "/archive/2015/", "/archive/2015/1/", "/authors/",
    "/authors/constant-author/", "/keywords/", "/keywords/constant/",
]  # fmt: skip


def test_list_pages_make_a_constant_number_of_queries(client, make_article, count_queries):
    _populate(make_article, 3)
    few = {url: count_queries(client, url) for url in LIST_PAGES}
    _populate(make_article, 27, start=3)
    many = {url: count_queries(client, url) for url in LIST_PAGES}
    assert many == few  # each page: the same number of queries for 3 items as for 30
    assert max(many.values()) <= 8, many


def test_article_page_queries_do_not_grow_with_authors_keywords_or_other_pieces(
    client, make_article, count_queries
):
    make_article("Small", authors=["Solo"], keywords=["One"], date=datetime.date(2020, 1, 1))
    small = count_queries(client, "/articles/small/")
    make_article(
        "Large",
        authors=[f"Writer {i}" for i in range(8)],
        keywords=[f"Word {i}" for i in range(15)],
        date=datetime.date(2020, 1, 1),
    )
    for i in range(6):
        make_article(f"Other {i}", authors=["Writer 0", "Writer 1"], date=datetime.date(2019, 1, 1 + i))
    large = count_queries(client, "/articles/large/")
    assert small == large
    assert large <= 6


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/", "The Archive"),
        ("/articles/", "Articles · The Archive"),
        ("/archive/", "By date · The Archive"),
        ("/archive/2012/", "2012 · The Archive"),
        ("/archive/2012/3/", "March 2012 · The Archive"),
        ("/authors/", "Authors · The Archive"),
        ("/authors/ali-akbar-asadi/", "Ali Akbar Asadi · The Archive"),
        ("/keywords/", "Keywords · The Archive"),
        ("/keywords/energy/", "Energy · The Archive"),
        ("/articles/syria-after-the-arab-spring/", "Syria after the Arab Spring · The Archive"),
        ("/about/", "About · The Archive"),
    ],
)
def test_every_page_has_its_title(client, asadi, url, title):
    response = client.get(url)
    assert response.status_code == 200
    assert f"<title>{title}</title>" in response.content.decode()


# Queries per reading page, rendered (the page cache is off in tests): the same for 3 pieces as
# for 25. E.g. an author page: the author, the count, pieces per year, the page, its bylines, its
# titles in other languages (a list shows the reader's first).
READING_PAGE_QUERIES = {
    "/": 4,
    "/articles/": 4,
    # The piece, bylines, keywords, translations, the same text in other languages, more by its authors.
    "/articles/piece-0/": 6,
    "/authors/ann-lee/": 6,
    "/keywords/oil/": 6,
    "/archive/": 1,
    "/archive/2020/": 6,
    "/authors/": 2,
    "/keywords/": 2,
}


@pytest.mark.parametrize("pieces", [3, 25])
def test_reading_pages_take_a_fixed_number_of_queries(
    client, make_article, django_assert_num_queries, pieces
):
    for i in range(pieces):
        make_article(f"Piece {i}", authors=["Ann Lee", f"Writer {i}"], keywords=["Oil", f"Topic {i}"])
    for url, queries in READING_PAGE_QUERIES.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200, url


# --- the outline of an article page ---


def test_body_headings_follow_on_from_the_page_title():
    assert outline_headings("<h3>A</h3><p>x</p><h5 lang='fa'>B</h5><h3>C</h3>") == (
        "<h2>A</h2><p>x</p><h3 lang='fa'>B</h3><h2>C</h2>"
    )
    assert outline_headings("<h2>A</h2><h3>B</h3>") == "<h2>A</h2><h3>B</h3>"
    assert (
        outline_headings("<p>No <header>heading</header></p><hr>") == "<p>No <header>heading</header></p><hr>"
    )


@pytest.mark.django_db
def test_an_article_page_skips_no_heading_level(client, make_article):
    article = make_article("Sections", body="<p>Intro.</p><h4>First part</h4><p>a</p><h4>Second part</h4>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert (
        '<div class="article__body"><p>Intro.</p><h2>First part</h2><p>a</p><h2>Second part</h2></div>'
        in html
    )
    assert article.body == "<p>Intro.</p><h4>First part</h4><p>a</p><h4>Second part</h4>"  # stored as given


def test_a_deep_list_page_reads_only_ids_past_the_rows_it_skips(client, make_article):
    """The skipped rows of a page are read from the (status, date, id) index alone: the query
    with the OFFSET selects ids, and only the page's own rows are read whole."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for day in range(1, 26):
        make_article(f"Piece {day:02d}", date=datetime.date(2020, 1, day))
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/articles/?page=2")
    assert titles(second) == ["Piece 05", "Piece 04", "Piece 03", "Piece 02", "Piece 01"]
    offset = [q["sql"] for q in queries.captured_queries if "OFFSET" in q["sql"]]
    assert len(queries.captured_queries) == READING_PAGE_QUERIES["/articles/"] + 1  # the ids first
    assert len(offset) == 1
    assert offset[0].startswith('SELECT "articles_article"."id" AS "pk" FROM "articles_article" WHERE')
