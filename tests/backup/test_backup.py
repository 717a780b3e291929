"""Backup and restore: export the archive, restore it into an empty one, get the same archive back."""

import datetime
import hashlib
import json

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from archive.articles.archive_json import article_to_archive_json
from archive.articles.html import clean_body_html
from archive.articles.models import Article, Author, Keyword
from archive.articles.services import (
    article_set_linked_translations,
    article_set_translations,
    author_update,
    keyword_get_or_create,
)


def snapshot():
    """Everything a restore must bring back, independent of primary keys."""
    articles = []
    for article in Article.objects.for_listing().order_by("slug"):
        file_bytes = article.original_file.read() if article.original_file else b""
        if article.original_file:
            article.original_file.close()
        articles.append(
            {
                **article_to_archive_json(article),
                "slug": article.slug,
                "import_ref": article.import_ref,
                "authors_slugs": [a.slug for a in article.ordered_authors],
                "original_filename": article.original_filename,
                "original_sha256": article.original_sha256,
                "file_sha256": hashlib.sha256(file_bytes).hexdigest() if file_bytes else "",
                "translations": [(t.language, t.title, t.abstract) for t in article.translations.all()],
                "linked": sorted(a.slug for a in Article.objects.filter(linked_translations=article)),
                "created_at": article.created_at,
                "updated_at": article.updated_at,
            }
        )
    authors = list(Author.objects.order_by("slug").values("name", "slug", "affiliation", "bio"))
    keywords = list(Keyword.objects.order_by("slug").values("name", "slug"))
    return {"articles": articles, "authors": authors, "keywords": keywords}


@pytest.fixture
def archive_content(make_article):
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 40
    first = make_article(
        "Iraq and Russia",
        authors=[("Ali Akbar Asadi", "PhD Candidate, University of Allameh Tabatabaei"), "Second Author"],
        keywords=["Iraq", "Russia"],
        date=datetime.date(2012, 10, 25),
        body=clean_body_html("<p>First paragraph.</p><p>Second <a href='https://example.org'>link</a>.</p>"),
        abstract="An abstract\n\nin two paragraphs.",
        doi="10.1234/xyz",
        source_name="Journal",
        source_url="https://example.org/a",
        import_ref="doi:10.1234/xyz",
        kind="paper",
        original_filename="Asadi - Iraq & Russia (2012).pdf",
        original_sha256=hashlib.sha256(pdf).hexdigest(),
    )
    first.original_file.save("upload.pdf", ContentFile(pdf))
    persian = make_article(
        "یک مقاله فارسی",
        authors=["نویسنده"],
        keywords=["ایران"],
        language="fa",
        date=datetime.date(2019, 3, 1),
    )
    draft = make_article("A draft", authors=["Ali Akbar Asadi"], keywords=["iraq"], status="draft")
    # Titles and abstracts in other languages, and links between pieces (a draft's too).
    article_set_translations(
        article=first, translations=[{"language": "fa", "title": "عراق و روسیه", "abstract": "چکیده"}]
    )
    article_set_linked_translations(article=persian, others=[first, draft])
    make_article("Future piece", date=datetime.date(2099, 1, 1))
    author_update(author=Author.objects.get(name="Ali Akbar Asadi"), bio="Writes on Iraq.\n\nAnd Russia.")
    Author.objects.create(name="No Articles Yet", slug="no-articles-yet", bio="Bio only.")
    keyword_get_or_create(name="Unused keyword")
    return first


@pytest.mark.django_db
def test_export_then_restore_into_an_empty_archive_gives_the_same_archive(
    archive_content, tmp_path, settings, django_capture_on_commit_callbacks
):
    before = snapshot()
    assert [a["linked"] for a in before["articles"]] == [
        ["یک-مقاله-فارسی"],
        [],
        ["یک-مقاله-فارسی"],
        ["a-draft", "iraq-and-russia"],
    ]
    assert len(before["articles"]) == 4 and len(before["authors"]) == 4 and len(before["keywords"]) == 4
    call_command("export_archive", str(tmp_path / "backup"), verbosity=0)

    documents = json.loads((tmp_path / "backup" / "articles.json").read_text())
    assert [d["title"] for d in documents] == ["Iraq and Russia", "یک مقاله فارسی", "A draft", "Future piece"]
    assert documents[2]["status"] == "draft"
    assert len(list((tmp_path / "backup" / "files").rglob("*.pdf"))) == 1

    # An empty instance: no rows, and a media folder of its own.
    Article.objects.all().delete()
    Author.objects.all().delete()
    Keyword.objects.all().delete()
    settings.MEDIA_ROOT = tmp_path / "fresh-media"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_archive", str(tmp_path / "backup"), verbosity=0)
    after = snapshot()
    for old, new in zip(before["articles"], after["articles"], strict=True):
        assert {k: v for k, v in new.items() if old[k] != v} == {}, old["title"]
    assert after == before
    assert (
        tmp_path / "fresh-media" / Article.objects.get(slug="iraq-and-russia").original_file.name
    ).is_file()


@pytest.mark.django_db
def test_restore_refuses_a_non_empty_archive_and_damaged_backups(archive_content, tmp_path):
    backup = tmp_path / "backup"
    call_command("export_archive", str(backup), verbosity=0)
    with pytest.raises(CommandError, match="not empty; export into a new folder"):
        call_command("export_archive", str(backup), verbosity=0)
    with pytest.raises(CommandError, match="The archive is not empty: restore only into a fresh instance"):
        call_command("import_archive", str(backup), verbosity=0)

    Article.objects.all().delete()
    Author.objects.all().delete()
    Keyword.objects.all().delete()
    pdf = next((backup / "files").rglob("*.pdf"))
    pdf.write_bytes(b"tampered")
    with pytest.raises(CommandError, match=r"Article 1: the file files/originals/.*\.pdf is damaged"):
        call_command("import_archive", str(backup), verbosity=0)
    articles = backup / "articles.json"
    articles.write_text(articles.read_text().replace("Iraq and Russia", "Changed"))
    with pytest.raises(CommandError, match=r"articles\.json does not match the checksum"):
        call_command("import_archive", str(backup), verbosity=0)
    (backup / "backup.json").unlink()
    with pytest.raises(CommandError, match=r"holds no backup\.json: not a backup, or an interrupted export"):
        call_command("import_archive", str(backup), verbosity=0)
    assert not Article.objects.exists() and not Author.objects.exists()


@pytest.mark.django_db
def test_a_bad_article_in_a_backup_restores_nothing(archive_content, tmp_path, settings):
    backup = tmp_path / "backup"
    call_command("export_archive", str(backup), verbosity=0)
    manifest = json.loads((backup / "backup.json").read_text())
    documents = json.loads((backup / "articles.json").read_text())
    documents[3]["kind"] = "poem"
    (backup / "articles.json").write_text(json.dumps(documents))
    manifest["articles_sha256"] = hashlib.sha256((backup / "articles.json").read_bytes()).hexdigest()
    (backup / "backup.json").write_text(json.dumps(manifest))
    Article.objects.all().delete()
    Author.objects.all().delete()
    Keyword.objects.all().delete()
    settings.MEDIA_ROOT = tmp_path / "fresh-media"
    with pytest.raises(CommandError, match=r"Article 4 \('Future piece'\) is invalid: .*poem"):
        call_command("import_archive", str(backup), verbosity=0)
    assert not Article.objects.exists() and not Author.objects.exists() and not Keyword.objects.exists()
    assert not list((tmp_path / "fresh-media").rglob("*.pdf"))  # the copied file was removed again
