"""Citation exports (BibTeX, RIS, CSL-JSON, archive JSON), read with bibtexparser and rispy,
and the export links on the article page."""

import json

import bibtexparser
import pytest
import rispy
from bibtexparser import middlewares
from django.urls import reverse
from lxml import html

from archive.articles.archive_json import ARCHIVE_JSON_KEYS
from archive.interop.citations import split_name, split_pages

pytestmark = pytest.mark.django_db

PAPER_URL = "http://testserver/articles/iraq-and-russia-motivations-for-interaction-in-new-conditions/"


def export(client, article, fmt):
    response = client.get(reverse("interop:export_article", args=[article.slug, fmt]))
    assert response.status_code == 200
    return response


def parse_bibtex(text):
    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            middlewares.LatexDecodingMiddleware(),
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
        ],
    )
    assert library.failed_blocks == []
    return library


def test_bibtex_export_parses_with_every_field(client, archive_items):
    response = export(client, archive_items["paper"], "bibtex")
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert (
        response["Content-Disposition"] == f'attachment; filename="asadi2012-{archive_items["paper"].pk}.bib"'
    )
    library = parse_bibtex(response.content.decode())
    [entry] = library.entries
    assert entry.entry_type == "article"
    fields = {f.key: f.value for f in entry.fields}
    assert fields["title"] == "Iraq and Russia: Motivations for Interaction in New Conditions"
    assert [(n.last, n.first) for n in fields["author"]] == [
        (["Asadi"], ["Ali", "Akbar"]),
        (["Karimi"], ["Maryam"]),
    ]
    assert fields["journal"] == "Journal of Middle East Studies"
    assert (fields["year"], fields["volume"], fields["number"], fields["pages"]) == (
        "2012",
        "3",
        "2",
        "10\u201320",
    )  # "10--20", decoded from LaTeX
    assert fields["doi"] == "10.1234/jmes.2012.3"
    assert fields["url"] == PAPER_URL
    assert fields["keywords"] == "Iraq, Russia, Weapons Deal"


def test_bibtex_escapes_latex_specials_and_keeps_unicode(client, make_article):
    article = make_article(
        "Oil & gas: 50% of {budget} #1_x",
        authors=["علی اکبر اسدی"],
        abstract="Costs $5 ~ more^2 \\ less",
        kind="commentary",
    )
    text = export(client, article, "bibtex").content.decode()
    [entry] = parse_bibtex(text).entries
    assert entry.entry_type == "misc"
    fields = {f.key: f.value for f in entry.fields}
    assert fields["title"] == "Oil & gas: 50% of {budget} #1_x"
    assert fields["publisher"] == "The Archive"
    assert [(n.last, n.first) for n in fields["author"]] == [(["اسدی"], ["علی", "اکبر"])]


def test_ris_export_parses_with_rispy(client, archive_items):
    response = export(client, archive_items["paper"], "ris")
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    [record] = rispy.loads(response.content.decode())
    assert record["type_of_reference"] == "JOUR"
    assert record["title"] == "Iraq and Russia: Motivations for Interaction in New Conditions"
    assert record["authors"] == ["Asadi, Ali Akbar", "Karimi, Maryam"]
    assert record["year"] == "2012"
    assert record["date"] == "2012/10/25"
    assert record["secondary_title"] == "Journal of Middle East Studies"
    assert (record["volume"], record["number"], record["start_page"], record["end_page"]) == (
        "3",
        "2",
        "10",
        "20",
    )
    assert record["doi"] == "10.1234/jmes.2012.3"
    assert record["urls"] == [PAPER_URL]
    assert record["keywords"] == ["Iraq", "Russia", "Weapons Deal"]
    assert record["language"] == "en"


def test_csl_json_export(client, archive_items):
    response = export(client, archive_items["paper"], "csl-json")
    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    [item] = json.loads(response.content)
    assert item["type"] == "article-journal"
    assert item["title"] == "Iraq and Russia: Motivations for Interaction in New Conditions"
    assert item["author"] == [
        {"family": "Asadi", "given": "Ali Akbar"},
        {"family": "Karimi", "given": "Maryam"},
    ]
    assert item["issued"] == {"date-parts": [[2012, 10, 25]]}
    assert item["container-title"] == "Journal of Middle East Studies"
    assert (item["volume"], item["issue"], item["page"], item["DOI"]) == (
        "3",
        "2",
        "10-20",
        "10.1234/jmes.2012.3",
    )
    assert item["URL"] == PAPER_URL


def test_archive_json_export_is_importable_shape(client, archive_items):
    response = export(client, archive_items["persian"], "json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    [item] = json.loads(response.content)
    assert tuple(item) == ARCHIVE_JSON_KEYS
    assert item["title"] == "ایران و عراق پس از انتخابات"
    assert item["authors"] == [{"name": "علی اکبر اسدی", "affiliation": ""}]
    assert item["status"] == "published"


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csl-json", "json"])
def test_no_export_of_drafts_or_future_pieces(client, archive_items, fmt):
    for hidden in ("draft", "future"):
        url = reverse("interop:export_article", args=[archive_items[hidden].slug, fmt])
        assert client.get(url).status_code == 404


def test_unknown_export_format_is_404(client, archive_items):
    url = reverse("interop:export_article", args=[archive_items["paper"].slug, "docx"])
    assert client.get(url).status_code == 404


def test_article_page_offers_exports_with_types(client, archive_items):
    paper = archive_items["paper"]
    page = html.fromstring(client.get(paper.get_absolute_url()).content)
    links = {a.get("type"): a.get("href") for a in page.xpath("//section[@class='article__cite']//a")}
    base = f"/export/articles/{paper.slug}"
    assert links == {
        "application/x-bibtex": f"{base}/bibtex/",
        "application/x-research-info-systems": f"{base}/ris/",
        "application/vnd.citationstyles.csl+json": f"{base}/csl-json/",
        "application/json": f"{base}/json/",
    }
    head = {link.get("type"): link.get("href") for link in page.xpath("//head/link[@rel='alternate']")}
    assert head["application/x-bibtex"] == f"{base}/bibtex/"
    assert head["application/x-research-info-systems"] == f"{base}/ris/"
    assert head["application/vnd.citationstyles.csl+json"] == f"{base}/csl-json/"
    for href in links.values():
        assert client.get(href).status_code == 200


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ali Akbar Asadi", ("Asadi", "Ali Akbar")),
        ("Asadi, Ali Akbar", ("Asadi", "Ali Akbar")),
        ("Plato", ("Plato", "")),
        ("  Maryam   Karimi ", ("Karimi", "Maryam")),
    ],
)
def test_split_name(name, expected):
    assert split_name(name) == expected


@pytest.mark.parametrize(
    ("pages", "expected"),
    [("10-20", ("10", "20")), ("10 \u2013 20", ("10", "20")), ("10--20", ("10", "20")), ("7", ("7", ""))],
)
def test_split_pages(pages, expected):
    assert split_pages(pages) == expected
