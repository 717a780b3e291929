"""HTML, JSON and XML go out gzip-compressed to clients that accept it (archive/middleware.py);
downloads and static files are left alone; a cached page is compressed for each visitor."""

import gzip

import pytest
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.test import Client

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.mark.django_db
def test_pages_are_compressed_for_clients_that_accept_gzip(client, make_article):
    make_article("Compressed piece", authors=["Nadia Kerman"], abstract="Words " * 100)
    paths = ["/", "/articles/", "/authors/nadia-kerman/", "/api/articles/", "/feeds/atom/", "/sitemap.xml"]
    for path in paths:
        plain = client.get(path)
        packed = client.get(path, **GZIP)
        assert plain.status_code == packed.status_code == 200, path
        assert "Content-Encoding" not in plain, path
        assert packed["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in packed["Vary"], path
        assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content) / 2, path
        assert gzip.decompress(packed.content) == plain.content, path


@pytest.mark.django_db
def test_error_pages_are_compressed_too(client):
    response = client.get("/no/such/page/", **GZIP)
    assert response.status_code == 404
    assert response["Content-Encoding"] == "gzip"
    assert b"<h1>Page not found</h1>" in gzip.decompress(response.content)


@pytest.mark.django_db
def test_pages_with_a_csrf_token_differ_in_length_each_time(client):
    """BREACH needs one secret at one compressed length: Django masks the CSRF token afresh in
    every response and pads every gzip stream with a random number of bytes."""
    lengths = {len(client.get("/admin/login/", **GZIP).content) for _ in range(12)}
    assert len(lengths) > 1


@pytest.mark.django_db
def test_downloads_of_originals_are_sent_as_they_are(client, make_article):
    article = make_article("With an original")
    data = b"%PDF-1.4\n" + b"0 0 0 RG\n" * 2000
    article.original_file.save("original.pdf", ContentFile(data))
    response = client.get(f"/originals/{article.slug}/", **GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert b"".join(response.streaming_content) == data


@pytest.mark.django_db(transaction=True)
def test_a_cached_page_is_compressed_once_and_sent_as_each_visitor_takes_it(settings, make_article):
    """The page cache keeps a page gzip-compressed: browsers that accept gzip get those very
    bytes (no compression per visit), others the page as rendered."""
    settings.ARCHIVE_PAGE_CACHE_SECONDS = 300
    caches["pages"].clear()
    try:
        make_article("Cached piece", abstract="Words " * 100)
        first = Client().get("/articles/", **GZIP)  # rendered and compressed, then kept
        plain = Client().get("/articles/")  # from the cache
        again = [Client().get("/articles/", **GZIP) for _ in range(3)]  # from the cache
        assert first["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
        assert gzip.decompress(first.content) == plain.content
        for response in again:
            assert response["Content-Encoding"] == "gzip"
            assert "Accept-Encoding" in response["Vary"] and "Accept-Encoding" in plain["Vary"]
            assert int(response["Content-Length"]) == len(response.content)
            assert gzip.decompress(response.content) == plain.content
        assert len({response.content for response in again}) == 1  # compressed once, when kept
    finally:
        caches["pages"].clear()


def test_the_favicon_is_answered_at_the_site_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
