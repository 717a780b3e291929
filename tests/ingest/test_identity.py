# ruff: noqa: E501  (exact expected messages read better unbroken)
"""Identity that never loses a piece (issue 16): DOI, original URL, file hash, then title +
authors + date; a likely duplicate that is not certain is flagged and saved apart, never merged."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from archive.articles.models import Article
from archive.ingest.identity import identify
from tests.ingest.conftest import DATA, read

pytestmark = pytest.mark.django_db


def report(*paths):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_articles", *[str(p) for p in paths], "--json", stdout=out, stderr=err)
    return json.loads(out.getvalue())


def write_json(tmp_path, items, name="items.json"):
    path = tmp_path / name
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def editorial(issue, **source):
    """A journal's "Editorial": the same title and editor in every issue, each its own DOI."""
    return {
        "title": "Editorial",
        "authors": [{"name": "Nadia Rahimi", "affiliation": "Editor"}],
        "date": f"2021-{issue:02d}-01",
        "kind": "commentary",
        "body": f"Welcome to issue {issue}.",
        "source": {"name": "Gulf Affairs", "issue": str(issue), **source},
    }


def test_same_title_and_first_author_with_different_dois_are_two_pieces(tmp_path):
    items = [editorial(n, doi=f"10.5555/ga.2021.{n}") for n in (1, 2, 3)]
    items[2]["date"] = items[1]["date"]  # even on the same day: the DOIs tell them apart
    path = write_json(tmp_path, items)
    assert [e["status"] for e in report(path)] == ["created", "created", "created"]
    assert sorted(Article.objects.values_list("doi", flat=True)) == [
        "10.5555/ga.2021.1",
        "10.5555/ga.2021.2",
        "10.5555/ga.2021.3",
    ]
    assert sorted(Article.objects.values_list("body", flat=True)) == [
        "<p>Welcome to issue 1.</p>",
        "<p>Welcome to issue 2.</p>",
        "<p>Welcome to issue 3.</p>",
    ]
    # Idempotent: nothing new the second time.
    assert [e["status"] for e in report(path)] == ["duplicate", "duplicate", "duplicate"]
    assert Article.objects.count() == 3


def test_same_title_and_first_author_with_different_urls_are_two_pieces(tmp_path):
    items = [editorial(n, url=f"https://example.org/gulf-affairs/{n}/editorial") for n in (1, 2)]
    items[1]["date"] = items[0]["date"]
    path = write_json(tmp_path, items)
    entries = report(path)
    assert [e["status"] for e in entries] == ["created", "created"]
    assert [e["warnings"] for e in entries] == [[], []]
    assert Article.objects.count() == 2
    assert [e["status"] for e in report(path)] == ["duplicate", "duplicate"]


def test_a_likely_duplicate_is_saved_apart_and_named_in_the_report(tmp_path):
    first, second = editorial(1), editorial(2)  # no DOI, no URL, no file; another date
    path = write_json(tmp_path, [first, second])
    entries = report(path)
    assert [e["status"] for e in entries] == ["created", "created"]
    kept = Article.objects.get(date=datetime.date(2021, 1, 1))
    assert entries[0]["warnings"] == []
    assert entries[1]["warnings"] == [
        f"Likely duplicate of “Editorial” (2021-01-01, article {kept.pk}): the same title and first author, "
        "but another date (2021-01-01). Saved as a separate piece, not merged; if they are one piece, keep one in the admin."
    ]
    assert sorted(Article.objects.values_list("import_ref", flat=True)) == [
        "title:editorial|nadia rahimi",
        "title:editorial|nadia rahimi|2021-02-01",
    ]
    # The second run finds each piece by its own identity: nothing new, nothing overwritten.
    again = report(path)
    assert [e["status"] for e in again] == ["duplicate", "duplicate"]
    assert sorted(Article.objects.values_list("body", flat=True)) == [
        "<p>Welcome to issue 1.</p>",
        "<p>Welcome to issue 2.</p>",
    ]


def test_title_authors_and_date_alike_are_one_piece(tmp_path):
    path = write_json(tmp_path, [editorial(1)])
    assert [e["status"] for e in report(path)] == ["created"]
    changed = editorial(1)
    changed["body"] = "Welcome to the first issue."
    assert [e["status"] for e in report(write_json(tmp_path, [changed], "changed.json"))] == ["updated"]
    assert Article.objects.get().body == "<p>Welcome to the first issue.</p>"


def test_doi_decides_before_the_title(tmp_path, make_article):
    entered = make_article("Editorial remarks", authors=["Someone"], doi="10.5555/GA.2021.1")
    item = editorial(1, doi="10.5555/ga.2021.1")  # another title, the same DOI in another case
    entries = report(write_json(tmp_path, [item]))
    assert [e["status"] for e in entries] == ["updated"]
    assert Article.objects.get().pk == entered.pk
    assert Article.objects.get().title == "Editorial"


def test_an_edited_doi_keeps_the_identity_it_was_imported_with(tmp_path):
    path = write_json(tmp_path, [editorial(1, doi="10.5555/ga.2021.1")])
    report(path)
    Article.objects.update(doi="10.5555/ga.2021.1-corrected")
    assert [e["status"] for e in report(path)] == ["duplicate"]  # the editor's DOI stays
    assert list(Article.objects.values_list("doi", flat=True)) == ["10.5555/ga.2021.1-corrected"]


def test_the_same_html_page_from_two_urls_is_two_pieces(tmp_path):
    """A real file saved from two addresses (a series that republishes under one title)."""
    html = read("article.html").decode()
    other = html.replace(
        "https://example.org/2020/09/caspian-caviar-sanctions",
        "https://example.org/2021/03/caspian-caviar-sanctions",
    )
    assert other != html
    (tmp_path / "a.html").write_text(html, encoding="utf-8")
    (tmp_path / "b.html").write_text(other, encoding="utf-8")
    entries = report(tmp_path / "a.html", tmp_path / "b.html")
    assert [e["status"] for e in entries] == ["created", "created"]
    assert sorted(Article.objects.values_list("source_url", flat=True)) == [
        "https://example.org/2020/09/caspian-caviar-sanctions",
        "https://example.org/2021/03/caspian-caviar-sanctions",
    ]
    assert [e["status"] for e in report(tmp_path / "a.html", tmp_path / "b.html")] == [
        "duplicate",
        "duplicate",
    ]


def test_the_same_file_is_one_piece_whatever_its_name(tmp_path):
    (tmp_path / "one.pdf").write_bytes(read("wrapped.pdf"))
    (tmp_path / "two.pdf").write_bytes(read("wrapped.pdf"))
    assert [e["status"] for e in report(tmp_path / "one.pdf", tmp_path / "two.pdf")] == [
        "created",
        "duplicate",
    ]


def test_identify_names_what_it_found(make_article):
    a = make_article(
        "Editorial", authors=["Nadia Rahimi"], date=datetime.date(2021, 1, 1), doi="10.5555/ga.1"
    )
    fields = {
        "title": "Editorial",
        "authors": [{"name": "Nadia Rahimi", "affiliation": ""}],
        "date": "2021-01-01",
        "source": {"doi": "10.5555/ga.2", "url": ""},
    }
    identity = identify(fields)
    assert identity.article is None
    assert [(item.article.pk, item.reason, item.separate) for item in identity.likely] == [
        (a.pk, "the same title and first author, but a different DOI", True)
    ]
    assert identity.duplicates == []
    fields["source"]["doi"] = ""
    identity = identify(fields)
    assert (identity.article.pk, identity.reason) == (a.pk, "the same title, authors and date")
    assert identify({**fields, "title": "Editorial", "date": "2021-05-05"}).duplicates[0].reason == (
        "the same title and first author, but another date (2021-01-01)"
    )


def test_dry_run_reports_the_identity_without_writing(tmp_path):
    items = [editorial(n, doi=f"10.5555/ga.2021.{n}") for n in (1, 2)]
    out = io.StringIO()
    call_command(
        "import_articles",
        str(write_json(tmp_path, items)),
        "--json",
        "--dry-run",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert [e["status"] for e in json.loads(out.getvalue())] == ["created", "created"]
    assert Article.objects.count() == 0


def test_report_keys_are_the_fixed_ones(tmp_path):
    entries = report(write_json(tmp_path, [editorial(1), editorial(2)]), DATA / "articles.json")
    assert {tuple(sorted(e)) for e in entries} == {("error", "fields", "source", "status", "warnings")}
    assert {e["status"] for e in entries} <= {"created", "updated", "duplicate", "failed"}


def test_a_piece_another_import_committed_since_identify_looked_is_not_saved_twice(tmp_path, monkeypatch):
    """Two imports of one file at once (tests/hardening/test_concurrency.py met this on
    PostgreSQL): the other import commits the piece after this one's identify() found nothing, so
    its identity is taken when this one claims it. It must be found, not saved a second time."""
    from archive.ingest import services

    other = []

    def identify_while_another_import_commits(fields, **kwargs):
        found = identify(fields, **kwargs)
        if not other:  # the other import's piece lands right after this first look
            other.append("importing")
            other[0] = services.import_item(editorial(1), source="other-import.json#0")
        return found

    monkeypatch.setattr(services, "identify", identify_while_another_import_commits)

    result = services.import_item(editorial(1), source="this-import.json#0")

    assert other[0].status == "created"
    assert result.status == "duplicate"
    assert Article.objects.count() == 1
