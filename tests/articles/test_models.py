import datetime

import pytest
from django.db import IntegrityError, transaction

from archive.articles.models import Article, Keyword
from archive.articles.services import keyword_get_or_create


@pytest.mark.django_db
def test_keyword_names_are_unique_ignoring_case():
    Keyword.objects.create(name="Iraq", slug="iraq")
    with pytest.raises(IntegrityError), transaction.atomic():
        Keyword.objects.create(name="iraq", slug="iraq-2")
    assert keyword_get_or_create(name="IRAQ") == (Keyword.objects.get(slug="iraq"), False)


@pytest.mark.django_db
def test_import_ref_is_unique_when_set(make_article):
    make_article("One", import_ref="doi:10.1/x")
    make_article("Two")
    make_article("Three")  # two empty refs are fine
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article("Four", import_ref="doi:10.1/x")


@pytest.mark.django_db
def test_published_excludes_drafts_and_future(make_article):
    today = datetime.date(2024, 5, 1)
    make_article("Visible", date=datetime.date(2024, 4, 30))
    make_article("Today", date=today)
    make_article("Draft", status="draft", date=datetime.date(2024, 1, 1))
    make_article("Future", date=datetime.date(2024, 5, 2))
    titles = set(Article.objects.published(today=today).values_list("title", flat=True))
    assert titles == {"Visible", "Today"}


@pytest.mark.django_db
def test_archive_json_export_has_the_fixed_shape(make_article):
    from archive.articles.archive_json import ARCHIVE_JSON_KEYS, article_to_archive_json

    article = make_article(
        "Iraq and Russia",
        authors=[("Ali Akbar Asadi", "PhD Candidate"), "Second Author"],
        keywords=["Iraq", "Russia"],
        date=datetime.date(2012, 10, 25),
        doi="10.1/x",
    )
    data = article_to_archive_json(Article.objects.for_listing().get(pk=article.pk))
    assert tuple(data) == ARCHIVE_JSON_KEYS
    assert data["authors"] == [
        {"name": "Ali Akbar Asadi", "affiliation": "PhD Candidate"},
        {"name": "Second Author", "affiliation": ""},
    ]
    assert data["date"] == "2012-10-25"
    assert sorted(data["keywords"]) == ["Iraq", "Russia"]
    assert data["source"]["doi"] == "10.1/x"
