"""Every response carries the security headers, and no page holds what the CSP would block."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from tests.hardening.inline import inline_code

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def test_the_inline_finder_finds_what_the_csp_blocks():
    html = """<html><head><style>p{}</style><script>alert(1)</script>
    <script type="application/ld+json">{"a": 1}</script><script src="/static/x.js"></script></head>
    <body onload="x()"><p style="color:red">a</p><a href="javascript:alert(1)">b</a></body></html>"""
    assert [problem.split(": ", 1)[1] for problem in inline_code(html)] == [
        "<style> element",
        "inline <script> code",
        "<body onload=...> event handler",
        "<p style=...> inline style",
        "<a href=javascript:...>",
    ]


@pytest.mark.django_db
def test_every_security_header_on_a_page_over_https(client, make_article):
    article = make_article("Headers", authors=["A. Writer"])
    response = client.get(article.get_absolute_url(), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["Content-Security-Policy"] == CSP + "; upgrade-insecure-requests"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Permissions-Policy"].startswith("accelerometer=(), camera=(), geolocation=()")


@pytest.mark.django_db
def test_plain_http_gets_the_csp_without_upgrading_local_requests(client):
    response = client.get("/")
    assert response["Content-Security-Policy"] == CSP
    assert "Strict-Transport-Security" not in response  # HSTS is only sent over https


@pytest.mark.django_db
def test_errors_and_admin_carry_the_headers_too(client):
    for url, status in [("/no-such-page/", 404), ("/admin/login/", 200)]:
        response = client.get(url, secure=True)
        assert response.status_code == status
        assert response["Content-Security-Policy"].startswith("default-src 'self'")
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_secure_cookies_follow_the_setting(client, settings, editor):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    response = client.get("/admin/login/", secure=True)
    assert response.cookies["csrftoken"]["secure"] is True
    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": "editor",
            "password": "a-long-passphrase-42",
            "csrfmiddlewaretoken": response.cookies["csrftoken"].value,
        },
        secure=True,
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["sessionid"]["httponly"] is True


def public_urls(article, author, keyword):
    urls = [
        "/",
        "/about/",
        "/articles/",
        article.get_absolute_url(),
        "/archive/",
        reverse("archive:year", kwargs={"year": 2020}),
        reverse("archive:month", kwargs={"year": 2020, "month": 1}),
        "/authors/",
        author.get_absolute_url(),
        "/keywords/",
        keyword.get_absolute_url(),
        "/search/?q=hostile",
        "/search/?q=",
        "/no-such-page/",
    ]
    return urls


HOSTILE_BODY = (
    '<p onclick="alert(1)" style="color:red">Body <a href="javascript:alert(2)">link</a></p>'
    "<script>alert(3)</script><style>p{}</style><svg onload=alert(4)><circle/></svg>"
)


@pytest.fixture
def hostile_article(make_article):
    from archive.articles.html import clean_body_html, clean_text

    return make_article(
        clean_text('Title <script>alert("t")</script><b onmouseover=alert(1)>bold</b>'),
        authors=[clean_text("<img src=x onerror=alert(1)>Writer")],
        keywords=[clean_text("<style>x</style>Iraq")],
        body=clean_body_html(HOSTILE_BODY),
        abstract='An abstract with <script>alert("a")</script> as text',
    )


@pytest.mark.django_db
def test_public_pages_hold_nothing_the_csp_would_block(client, hostile_article, search_index):
    author = hostile_article.ordered_authors[0]
    keyword = hostile_article.keywords.get()
    checked = 0
    for url in public_urls(hostile_article, author, keyword):
        response = client.get(url)
        assert response.status_code in {200, 404}, url
        assert inline_code(response.content.decode()) == [], url
        checked += 1
    assert checked == 14
    page = client.get(hostile_article.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(&quot;a&quot;)&lt;/script&gt;" in page  # the abstract, escaped


def admin_urls(obj_by_model):
    """The admin index, each app page, and every registered model's list, add and change pages."""
    urls = ["/admin/", "/admin/password_change/"]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse("admin:app_list", kwargs={"app_label": opts.app_label}))
        for name in ("changelist", "add"):
            try:
                urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}"))
            except NoReverseMatch:
                continue
        obj = obj_by_model.get(model) or model.objects.order_by("pk").first()
        if obj is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]))
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk]))
    return sorted(set(urls))


@pytest.mark.django_db
def test_admin_pages_hold_nothing_the_csp_would_block(client, editor, hostile_article):
    from archive.articles.models import Article, Author, Keyword

    client.force_login(editor)
    urls = admin_urls(
        {
            Article: hostile_article,
            Author: hostile_article.ordered_authors[0],
            Keyword: hostile_article.keywords.get(),
        }
    )
    assert len(urls) >= 20
    rendered = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code in {200, 403}, url  # 403: axes' logs cannot be added by hand
        assert inline_code(response.content.decode()) == [], url
        rendered += response.status_code == 200
    assert rendered >= 20
    client.logout()
    login = client.get("/admin/login/")
    assert inline_code(login.content.decode()) == []
