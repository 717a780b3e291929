"""Hostile pieces through the real import (`import_articles` on files in a temp folder): archive
JSON, an HTML page and a Markdown file. Nothing executable is stored, non-http(s) source URLs
are refused (JSON) or dropped with a warning (files), and the article pages stay clean."""

import io
import json

import pytest
from django.core.management import call_command

from archive.articles.models import Article
from tests.articles.test_markup import assert_safe_body, assert_safe_text
from tests.hardening.inline import inline_code

pytestmark = pytest.mark.django_db

HOSTILE_ITEM = {
    "title": "<script>alert(1)</script>Iraq <b onmouseover=alert(1)>now</b>",
    "subtitle": "<img src=x onerror=alert(1)>A subtitle",
    "authors": [
        {
            "name": "Ali <i onclick=x()>Asadi</i><svg onload=alert(1)>",
            "affiliation": '<a href="javascript:alert(1)">Uni</a>',
        },
        {"name": "Mina<iframe src=javascript:alert(1)></iframe> Tehrani"},
    ],
    "date": "2012-10-25",
    "keywords": ["<script>k()</script>Energy", "Oil<img src=x onerror=alert(2)>", "<x/onclick=a()>Gas"],
    "abstract": "First <iframe srcdoc='<script>alert(1)</script>'></iframe>part.\n\nSecond <b>part</b>.",
    "body": '<p onclick="alert(1)">One <a href="javascript:alert(1)">bad</a> <a href="https://ok.example/">good</a>'
    "</p><script>alert(1)</script><p>Two<img src=x onerror=alert(1)></p><svg onload=alert(1)></svg>"
    '<p style="background:url(javascript:alert(1))">Three</p>',
    "source": {
        "name": "<b onclick=x()>Journal</b>",
        "url": 'https://ok.example/a"><script>alert(1)</script>',
    },
}

HOSTILE_HTML = """<!doctype html><html lang="en"><head>
<title>Hostile page <script>alert(1)</script></title>
<meta name="author" content="Layla Hassan<img src=x onerror=alert(1)>">
<meta name="keywords" content="Gulf, <script>x()</script>Oman, Mediation<svg onload=alert(1)>">
<meta name="citation_publication_date" content="2021-03-03">
<link rel="canonical" href="javascript:alert(1)">
<meta property="og:url" content="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">
<script>alert('head')</script><style>body{background:url(javascript:alert(1))}</style>
</head><body onload="alert(1)"><article>
<h1 onclick="alert(1)">Hostile page</h1>
<p>Text with <a href="javascript:alert(1)">a bad link</a> and
<a href="https://ok.example/x">a good one</a>.</p>
<p onmouseover="alert(1)">More text<img src=x onerror=alert(1)><iframe src="javascript:alert(1)"></iframe></p>
<form action="javascript:alert(1)"><input autofocus onfocus="alert(1)"></form>
<p>Last paragraph <object data="javascript:alert(1)"></object>.</p>
</article><script>alert('body')</script></body></html>"""

HOSTILE_MARKDOWN = """---
title: Markdown <script>alert(1)</script>piece
author: Peter <b onclick=x()>van der Berg</b>
date: 2020-05-01
keywords: Oman, <img src=x onerror=alert(1)>Gulf
url: javascript:alert(1)
---

A paragraph with <script>alert(1)</script> raw script and [a link](javascript:alert(1)).

Another <img src=x onerror=alert(1)> paragraph with [a good link](https://ok.example/md).
"""


def run_import(*paths):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_articles", *map(str, paths), "--json", "--status", "published", stdout=out, stderr=err
    )
    return json.loads(out.getvalue())


def assert_article_is_safe(client, article):
    for text in [article.title, article.subtitle, article.abstract, article.source_name]:
        assert_safe_text(text)
        assert "<" not in text or "script" not in text.lower()
    for author in article.ordered_authors:
        assert_safe_text(author.name)
        assert_safe_text(author.affiliation)
    for keyword in article.keywords.all():
        assert_safe_text(keyword.name)
    assert_safe_body(article.body)
    assert "alert" not in article.body
    assert article.source_url == "" or article.source_url.startswith(("http://", "https://"))
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert inline_code(html) == []
    assert "<script>alert" not in html and "onerror=alert" not in html and "onload=alert" not in html
    return html


def test_hostile_json_items_are_stored_clean_and_bad_source_urls_refused(client, tmp_path, search_index):
    items = [
        HOSTILE_ITEM,
        {"title": "Script URL", "date": "2012-01-01", "source": {"url": "javascript:alert(1)"}},
        {
            "title": "Data URL",
            "date": "2012-01-01",
            "source": {"url": "data:text/html,<script>alert(1)</script>"},
        },
        {"title": "Spaced URL", "date": "2012-01-01", "source": {"url": " javascript:alert(1)"}},
    ]
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(items))
    report = run_import(path)
    assert [entry["status"] for entry in report] == ["created", "failed", "failed", "failed"]
    assert report[1]["error"] == "Item 2: “source.url” “javascript:alert(1)” is not an http(s) URL."
    assert report[2]["error"] == (
        "Item 3: “source.url” “data:text/html,” is not an http(s) URL."  # the <script> block was cut first
    )
    assert "is not an http(s) URL" in report[3]["error"]
    assert Article.objects.count() == 1

    article = Article.objects.get()
    assert article.title == "Iraq now"
    assert article.subtitle == "A subtitle"
    assert [a.name for a in article.ordered_authors] == ["Ali Asadi", "Mina Tehrani"]
    assert article.ordered_authors[0].affiliation == "Uni"
    assert sorted(k.name for k in article.keywords.all()) == ["Energy", "Gas", "Oil"]
    assert article.abstract == "First part.\n\nSecond part."
    assert article.body == (
        '<p>One <a rel="nofollow noopener noreferrer">bad</a> '
        '<a href="https://ok.example/" rel="nofollow noopener noreferrer">good</a></p><p>Two</p><p>Three</p>'
    )
    assert article.source_name == "Journal"
    assert article.source_url == 'https://ok.example/a">'
    html = assert_article_is_safe(client, article)
    assert "https://ok.example/a&quot;&gt;" in html  # escaped wherever it is shown


def test_hostile_html_and_markdown_files_are_stored_clean(client, tmp_path, search_index):
    (tmp_path / "hostile.html").write_text(HOSTILE_HTML)
    (tmp_path / "hostile.md").write_text(HOSTILE_MARKDOWN)
    report = {entry["source"].rsplit("/", 1)[-1]: entry for entry in run_import(tmp_path)}
    assert {name: entry["status"] for name, entry in report.items()} == {
        "hostile.html": "created",
        "hostile.md": "created",
    }
    assert "Dropped a source URL that is not http(s): javascript:alert(1)" in report["hostile.md"]["warnings"]

    page = Article.objects.get(original_filename="hostile.html")
    assert page.title == "Hostile page"
    assert [a.name for a in page.ordered_authors] == ["Layla Hassan"]
    assert sorted(k.name for k in page.keywords.all()) == ["Gulf", "Mediation", "Oman"]
    assert page.source_url == ""  # neither the javascript: canonical link nor the data: og:url
    assert "bad link" in page.body and "Last paragraph" in page.body
    assert_article_is_safe(client, page)

    markdown = Article.objects.get(original_filename="hostile.md")
    assert markdown.title == "Markdown piece"
    assert [a.name for a in markdown.ordered_authors] == ["Peter van der Berg"]
    assert sorted(k.name for k in markdown.keywords.all()) == ["Gulf", "Oman"]
    assert markdown.source_url == ""
    assert 'href="https://ok.example/md"' in markdown.body
    assert_article_is_safe(client, markdown)
