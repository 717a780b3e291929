# ruff: noqa: E501  (exact expected texts read better unbroken)
"""The admin upload, end to end with Django's test client: upload, check, save, read, download."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archive.articles.models import Article
from archive.ingest.models import PendingUpload
from tests.ingest.conftest import read

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "a-long-password-1")
    client.force_login(user)
    return client


def upload(client, *names):
    files = [SimpleUploadedFile(name, read(name)) for name in names]
    return client.post(reverse("ingest:upload"), {"files": files})


def value(page, name):
    """The value of an input or textarea called `name` in a rendered form."""
    html = page.content.decode()
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S
    )
    return match.group(1) if match else None


def test_the_article_list_has_an_upload_button(editor):
    page = editor.get(reverse("admin:articles_article_changelist"))
    assert page.status_code == 200
    assert f'<a href="{reverse("ingest:upload")}" class="addlink">Upload</a>' in page.content.decode()


def test_upload_pages_are_staff_only(client):
    for url in (reverse("ingest:upload"), reverse("ingest:pending")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_upload_check_save_read_download(editor, client, django_capture_on_commit_callbacks):
    response = upload(editor, "article.docx")
    pending = PendingUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ingest:review", kwargs={"pk": pending.pk})

    page = editor.get(response["Location"])
    assert page.status_code == 200
    assert value(page, "title") == "Oman&#x27;s Quiet Mediation"
    assert value(page, "subtitle") == "How a small state keeps talking to everyone"
    assert value(page, "authors") == (
        "Layla Hassan | Senior Fellow, Gulf Research Center\nPeter van der Berg | Senior Fellow, Gulf Research "
        "Center\nMina Tehrani | Senior Fellow, Gulf Research Center"
    )
    assert value(page, "date") == "2021-03-03"
    assert value(page, "keywords") == "Oman; Mediation; Gulf Security; Iran; Strait of Hormuz"
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    assert "Likely duplicate" not in page.content.decode()

    form = {
        "title": "Oman's Quiet Mediation",
        "subtitle": "How a small state keeps talking to everyone",
        "authors": "Layla Hassan | Senior Fellow, Gulf Research Center\nPeter van der Berg\nMina Tehrani",
        "date": "2021-03-03",
        "kind": "commentary",
        "language": "en",
        "status": "published",
        "abstract": "",
        "body": "<p>Oman has long acted as a discreet channel.</p><script>alert(1)</script>",
        "keywords": "Oman; Mediation",
        "source_name": "",
        "source_volume": "",
        "source_issue": "",
        "source_pages": "",
        "doi": "",
        "source_url": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        saved = editor.post(reverse("ingest:review", kwargs={"pk": pending.pk}), form)
    article = Article.objects.get()
    assert saved.status_code == 302
    assert saved["Location"] == reverse("admin:articles_article_change", args=[article.pk])
    assert PendingUpload.objects.count() == 0
    assert article.body == "<p>Oman has long acted as a discreet channel.</p>"
    assert [a.name for a in article.ordered_authors] == ["Layla Hassan", "Peter van der Berg", "Mina Tehrani"]
    assert article.original_filename == "article.docx"
    assert article.original_file.name.startswith("originals/") and article.original_file.name.endswith(
        ".docx"
    )

    client.logout()
    found = client.get("/api/search/", {"q": "Oman mediation"}).json()
    assert found["count"] == 1
    assert [r["title"] for r in found["results"]] == ["Oman's Quiet Mediation"]
    assert found["results"][0]["url"].endswith(article.get_absolute_url())
    public = client.get(article.get_absolute_url())
    assert public.status_code == 200
    download_url = reverse("originals:download", kwargs={"slug": article.slug})
    assert f'href="{download_url}"' in public.content.decode()
    download = client.get(download_url)
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="article.docx"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(download.streaming_content) == read("article.docx")


def test_missing_title_is_named_and_required(editor):
    upload(editor, "seed_004.txt")
    pending = PendingUpload.objects.get()
    page = editor.get(reverse("ingest:review", kwargs={"pk": pending.pk}))
    html = page.content.decode()
    assert "Title is missing: the file has no title line. Type the title in." in html
    assert (
        value(page, "keywords")
        == "Alignment; Irag; ISIS; Russia; The Arab Uprisings; The Regional Order of West Asia"
    )
    assert value(page, "abstract").startswith("The 1970s coincided with the expansion")
    saved = editor.post(
        reverse("ingest:review", kwargs={"pk": pending.pk}),
        {"title": "", "date": "2019-01-01", "kind": "paper", "language": "en", "status": "draft"},
    )
    assert saved.status_code == 200
    assert saved.context["form"].errors["title"] == ["This field is required."]
    assert Article.objects.count() == 0


def test_a_likely_duplicate_is_flagged_before_saving(editor, make_article):
    existing = make_article(
        "Oman's Quiet Mediation", authors=["Layla Hassan"], date=datetime.date(2021, 3, 3)
    )
    upload(editor, "article.docx")
    page = editor.get(reverse("ingest:review", kwargs={"pk": PendingUpload.objects.get().pk}))
    assert (
        f'Likely duplicate: <a href="{reverse("admin:articles_article_change", args=[existing.pk])}">'
        "Oman&#x27;s Quiet Mediation</a> (2021-03-03) has the same title and first author."
    ) in page.content.decode()


def test_the_same_file_is_flagged(editor):
    upload(editor, "article.docx")
    first = PendingUpload.objects.get()
    data = {
        "title": "Renamed",
        "authors": "",
        "date": "2021-03-03",
        "kind": "commentary",
        "language": "en",
        "status": "draft",
    }
    editor.post(reverse("ingest:review", kwargs={"pk": first.pk}), data)
    upload(editor, "article.docx")
    page = editor.get(reverse("ingest:review", kwargs={"pk": PendingUpload.objects.get().pk}))
    assert "has the same file." in page.content.decode()


def test_several_files_and_a_bad_one(editor):
    bad = SimpleUploadedFile("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    files = [
        SimpleUploadedFile("wrapped.pdf", read("wrapped.pdf")),
        SimpleUploadedFile("article.html", read("article.html")),
        bad,
    ]
    response = editor.post(reverse("ingest:upload"), {"files": files})
    assert response["Location"] == reverse("ingest:pending")
    html = editor.get(response["Location"]).content.decode()
    assert "Photo.pdf is named .pdf but its contents are a PNG image, not a PDF." in html  # admin capitalises
    assert sorted(PendingUpload.objects.values_list("filename", flat=True)) == ["article.html", "wrapped.pdf"]
    assert "Water Diplomacy in the Tigris-Euphrates Basin" in html


def test_drafts_originals_are_not_public(editor, client):
    upload(editor, "article.docx")
    pending = PendingUpload.objects.get()
    data = {
        "title": "Oman draft",
        "date": "2021-03-03",
        "kind": "commentary",
        "language": "en",
        "status": "draft",
    }
    editor.post(reverse("ingest:review", kwargs={"pk": pending.pk}), data)
    article = Article.objects.get()
    url = reverse("originals:download", kwargs={"slug": article.slug})
    assert editor.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 404


def test_discard(editor):
    upload(editor, "article.docx")
    pending = PendingUpload.objects.get()
    assert editor.get(reverse("ingest:discard", kwargs={"pk": pending.pk})).status_code == 405
    editor.post(reverse("ingest:discard", kwargs={"pk": pending.pk}))
    assert PendingUpload.objects.count() == 0
