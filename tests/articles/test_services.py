"""article_create and article_update: the one way to make and change an article (issue 13)."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from archive.articles.models import Article, Author, Keyword
from archive.articles.services import OriginalFile, article_create, article_update, author_get_or_create

pytestmark = pytest.mark.django_db


def stored(name):
    return (Path(settings.MEDIA_ROOT) / name).exists()


def test_create_sets_fields_byline_in_order_keywords_and_the_file(django_capture_on_commit_callbacks):
    known = author_get_or_create(name="Hana Aziz", affiliation="Energy analyst")[0]
    article = article_create(
        title="Gas Flaring in Southern Iraq",
        date="2021-05-17",
        kind="report",
        body="<p>Flaring wastes gas.</p>",
        doi="10.1234/flaring",
        authors=["Omar Khalid", known, ("Sara Karimi", "Research Fellow"), {"name": "omar khalid"}],
        keywords=["Gas", Keyword.objects.create(name="Basra", slug="basra"), "gas"],
        original=OriginalFile(b"%PDF-1.4 test", "Flaring report.pdf"),
    )
    article.refresh_from_db()
    assert (article.title, article.slug, article.date, article.kind, article.status) == (
        "Gas Flaring in Southern Iraq",
        "gas-flaring-in-southern-iraq",
        datetime.date(2021, 5, 17),
        "report",
        "draft",
    )
    assert [(a.name, a.affiliation) for a in article.ordered_authors] == [
        ("Omar Khalid", ""),
        ("Hana Aziz", "Energy analyst"),
        ("Sara Karimi", "Research Fellow"),
    ]
    assert sorted(k.name for k in article.keywords.all()) == ["Basra", "Gas"]
    assert article.original_filename == "Flaring report.pdf"
    assert article.original_file.name.startswith("originals/") and article.original_file.name.endswith(".pdf")
    assert article.original_file.read() == b"%PDF-1.4 test"
    assert article.text_from_ocr is False


def test_update_changes_only_what_it_is_given(django_capture_on_commit_callbacks):
    article = article_create(
        title="One",
        date=datetime.date(2020, 1, 1),
        authors=["A Writer"],
        keywords=["Oil"],
        original=OriginalFile(b"first", "one.txt"),
    )
    first_file = article.original_file.name
    with django_capture_on_commit_callbacks(execute=True):
        article_update(article=article, title="One, revised", original=OriginalFile(b"second", "one.txt"))
    article.refresh_from_db()
    assert article.title == "One, revised"
    assert article.slug == "one"  # a slug, once given, stays
    assert [a.name for a in article.ordered_authors] == ["A Writer"]
    assert [k.name for k in article.keywords.all()] == ["Oil"]
    assert article.original_file.read() == b"second"
    assert not stored(first_file)  # the file it replaced is gone after the commit
    article_update(article=article, authors=[], keywords=[], text_from_ocr=True)
    article.refresh_from_db()
    assert (article.ordered_authors, list(article.keywords.all()), article.text_from_ocr) == ([], [], True)


def test_validation_errors_name_the_field_and_leave_nothing():
    with pytest.raises(ValidationError) as raised:
        article_create(
            title="Bad kind",
            date="2020-01-01",
            kind="essay",
            authors=["Nobody Yet"],
            original=OriginalFile(b"data", "x.txt"),
        )
    assert raised.value.message_dict == {"kind": ["Value 'essay' is not a valid choice."]}
    assert Article.objects.count() == 0
    assert Author.objects.count() == 0
    assert not any(Path(settings.MEDIA_ROOT).rglob("original*.txt"))
    with pytest.raises(TypeError, match="Articles have no field 'colour'"):
        article_create(title="X", date="2020-01-01", colour="red")


def test_a_taken_import_ref_is_the_databases_error():
    article_create(title="First", date="2020-01-01", import_ref="doi:10.1/x")
    with pytest.raises(IntegrityError):
        article_create(title="Second", date="2020-01-01", import_ref="doi:10.1/x")


def test_a_new_author_record_for_a_namesake():
    first = article_create(title="First", date="2020-01-01", authors=["Ali Rezaei"])
    second = article_create(
        title="Second",
        date="2020-01-01",
        authors=[{"name": "Ali Rezaei", "affiliation": "Reporter", "new": True}],
    )
    assert first.ordered_authors[0].pk != second.ordered_authors[0].pk
    assert sorted(Author.objects.values_list("slug", flat=True)) == ["ali-rezaei", "ali-rezaei-2"]
