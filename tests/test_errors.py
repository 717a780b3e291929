"""The archive's own error pages (archive/errors.py): the right status for every address, the site's
design (header, search box, stylesheet, footer) and a way on; JSON under /api/. The 500 page renders
with the database refusing every query."""

import datetime
import re

import pytest
from django.core.cache import caches
from django.db import OperationalError, connection
from django.test import Client

from archive.articles.models import Article
from archive.errors import plain_500, server_error

SITE_PARTS = [
    '<header class="site-header" lang="en">',
    '<input id="site-search" class="search-box__input" type="search" name="q"',
    '<main id="main" class="site-main" tabindex="-1">',
    '<footer class="site-footer" lang="en">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    '<a href="/">The home page</a>',
    '<a href="/articles/">All articles, newest first</a>',
]


def h1(html):
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)


def section_titles(html, heading_id):
    """Titles listed in the section labelled by `heading_id`, in order."""
    match = re.search(rf'aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    return re.findall(r'<li [^>]*><a href="[^"]*">(.*?)</a>', match.group(1)) if match else []


def assert_site_page(html):
    for part in SITE_PARTS:
        assert part in html, part
    assert re.search(r'<link rel="stylesheet" href="/static/css/archive[^"]*\.css">', html)
    assert 'rel="canonical"' not in html and 'property="og:url"' not in html


@pytest.fixture
def six_pieces(make_article):
    titles = [f"Piece number {n}" for n in range(1, 7)]
    for n, title in enumerate(titles, start=1):
        make_article(title, date=datetime.date(2020, 1, n))
    make_article("A draft nobody sees", date=datetime.date(2020, 2, 1), status="draft")
    return titles


@pytest.mark.django_db
def test_an_address_no_page_answers_gets_our_404_with_the_latest_pieces(client, six_pieces):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_site_page(html)
    assert h1(html) == "Page not found"
    assert "There is no page at this address." in html
    assert section_titles(html, "latest-heading") == [f"Piece number {n}" for n in (6, 5, 4, 3, 2)]
    assert "closest-heading" not in html


@pytest.mark.django_db
def test_a_page_a_view_refuses_is_our_404_too(client, six_pieces):
    for path in ["/articles/?page=99", "/authors/nobody/", "/keywords/nothing/", "/archive/2020/13/"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert h1(response.content.decode()) == "Page not found", path


@pytest.mark.django_db
def test_a_missing_article_offers_the_closest_titles(client, indexed_article):
    indexed_article("Iraq and Russia: Motivations for Interaction", date=datetime.date(2012, 10, 25))
    indexed_article("Russia and the Caucasus", date=datetime.date(2015, 1, 1))
    indexed_article("Football in Brazil", date=datetime.date(2014, 6, 1))
    indexed_article("Iraq and Russia, a draft", status="draft")

    response = client.get("/articles/iraq-russia-motivatons/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_site_page(html)
    assert h1(html) == "No article at this address"
    assert section_titles(html, "closest-heading") == [
        "Iraq and Russia: Motivations for Interaction",
        "Russia and the Caucasus",
    ]
    assert '<a href="/search/?q=iraq%20russia%20motivatons">Search for “iraq russia motivatons”' in html
    # The latest pieces are the public ones, newest first.
    assert section_titles(html, "latest-heading") == [
        "Russia and the Caucasus",
        "Football in Brazil",
        "Iraq and Russia: Motivations for Interaction",
    ]


@pytest.mark.django_db
def test_a_missing_articles_closest_titles_are_kept_and_unpublished_ones_drop_out(
    client, indexed_article, settings
):
    """A removed piece's address is asked for again and again (old links, crawlers): its closest
    titles are searched once and kept (ARCHIVE_RELATED_SECONDS), not searched on every 404."""
    settings.ARCHIVE_RELATED_SECONDS = 3600
    caches["pages"].clear()
    indexed_article("Iraq and Russia: Motivations for Interaction", date=datetime.date(2012, 10, 25))
    caucasus = indexed_article("Russia and the Caucasus", date=datetime.date(2015, 1, 1))
    first = section_titles(client.get("/articles/iraq-russia/").content.decode(), "closest-heading")
    assert first == ["Iraq and Russia: Motivations for Interaction", "Russia and the Caucasus"]

    # A closer piece published since does not join the kept list...
    indexed_article("Iraq and Russia", date=datetime.date(2016, 1, 1))
    html = client.get("/articles/iraq-russia/").content.decode()
    assert section_titles(html, "closest-heading") == first
    # ...and a piece unpublished since drops out at once.
    caucasus.status = Article.Status.DRAFT
    caucasus.save()
    html = client.get("/articles/iraq-russia/").content.decode()
    assert section_titles(html, "closest-heading") == ["Iraq and Russia: Motivations for Interaction"]
    caches["pages"].clear()


@pytest.mark.django_db
def test_a_draft_article_address_is_a_404_that_names_no_draft(client, indexed_article):
    draft = indexed_article("Secret draft on Oman", status="draft")
    html = client.get(draft.get_absolute_url()).content.decode()
    assert h1(html) == "No article at this address"
    assert "Secret draft" not in html


@pytest.mark.django_db
def test_a_missing_article_whose_address_has_no_words_offers_no_search(client, search_index):
    response = client.get("/articles/12345/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "closest-heading" not in html and "Search for" not in html


@pytest.mark.django_db
def test_the_api_answers_its_errors_in_json(client):
    response = client.get("/api/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "Not found."}


@pytest.mark.django_db
def test_a_host_we_do_not_serve_gets_our_400(client, six_pieces):
    response = client.get("/articles/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert_site_page(html)
    assert h1(html) == "Bad request"
    assert section_titles(html, "latest-heading")[0] == "Piece number 6"


@pytest.mark.django_db
def test_a_form_without_its_csrf_cookie_gets_our_403(six_pieces):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "editor", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert_site_page(html)
    assert h1(html) == "The form could not be sent"
    assert "Your browser did not send the cookie this form needs" in html


@pytest.mark.django_db
def test_a_form_with_a_stale_csrf_token_gets_our_403(six_pieces):
    client = Client(enforce_csrf_checks=True)
    client.get("/admin/login/")  # sets the CSRF cookie
    response = client.post("/admin/login/", {"username": "editor", "csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403
    html = response.content.decode()
    assert h1(html) == "The form could not be sent"
    assert "security check failed, so nothing was saved" in html


@pytest.mark.django_db
def test_a_page_the_user_may_not_see_gets_our_403(client, django_user_model, six_pieces):
    clerk = django_user_model.objects.create_user("clerk", password="a-long-passphrase-42", is_staff=True)
    client.force_login(clerk)
    response = client.get("/admin/ingest/upload/")
    assert response.status_code == 403
    html = response.content.decode()
    assert_site_page(html)
    assert h1(html) == "Permission denied"


@pytest.mark.urls("tests.error_urls")
def test_the_500_page_needs_no_database(client):
    """No `db` mark: any query in the 500 page would fail, and the plain page would come instead."""
    client.raise_request_exception = False
    response = client.get("/test-only/fail/")
    assert response.status_code == 500
    html = response.content.decode()
    assert_site_page(html)
    assert h1(html) == "Something went wrong on our side"
    assert "latest-heading" not in html


def refuse(execute, sql, params, many, context):
    raise OperationalError("the database is down")


@pytest.mark.django_db
def test_pages_render_their_error_page_while_the_database_is_down(client, six_pieces):
    client.raise_request_exception = False
    with connection.execute_wrapper(refuse):
        broken = client.get("/articles/")
        missing = client.get("/no/such/page/")
    assert broken.status_code == 500
    html = broken.content.decode()
    assert_site_page(html)
    assert h1(html) == "Something went wrong on our side"
    # A 404 while the database is down: the page, without its latest pieces.
    assert missing.status_code == 404
    html = missing.content.decode()
    assert h1(html) == "Page not found"
    assert "latest-heading" not in html


def test_a_500_page_that_cannot_render_falls_back_to_plain_html(rf):
    response = server_error(rf.get("/"), template_name="no-such-template.html")
    assert response.status_code == 500
    html = response.content.decode()
    assert html == plain_500()
    assert "<h1>Server error</h1>" in html and '<a href="/">Home page</a>' in html


@pytest.mark.django_db
def test_api_errors_under_500_are_json(client):
    client.raise_request_exception = False
    with connection.execute_wrapper(refuse):
        response = client.get("/api/articles/")
    assert response.status_code == 500
    assert response.json() == {"error": "Server error."}
