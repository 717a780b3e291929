# ruff: noqa: E501  (exact expected messages read better unbroken)
"""Re-importing a piece an editor has changed since: the editor's edits are never undone silently
(archive.ingest.merge). Found by the soak: a re-import of an unchanged file put back a title the
editor had changed (docs/soak.md)."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from archive.articles.models import Article, Author, Keyword
from archive.articles.services import article_update
from archive.backup.services import archive_export, archive_restore
from archive.ingest.models import PendingUpload
from tests.ingest.conftest import DATA, read

pytestmark = pytest.mark.django_db

OIL = "Kurdish Oil Exports After the Pipeline Ruling"


def report(*paths):
    out = io.StringIO()
    call_command("import_articles", *[str(p) for p in paths], "--json", stdout=out, stderr=io.StringIO())
    return [(entry["status"], entry["warnings"]) for entry in json.loads(out.getvalue())]


def items():
    return json.loads(read("articles.json"))


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_an_unchanged_file_leaves_the_editors_changes_alone(tmp_path):
    assert report(DATA / "articles.json") == [("created", []), ("created", [])]
    oil = Article.objects.get(title=OIL)
    article_update(article=oil, title="Kurdish Oil After the Ruling", status="draft", keywords=["Oil"])

    assert report(DATA / "articles.json") == [("duplicate", []), ("duplicate", [])]
    oil.refresh_from_db()
    assert (oil.title, oil.status, [k.name for k in oil.keywords.all()]) == (
        "Kurdish Oil After the Ruling",
        "draft",
        ["Oil"],
    )


def test_a_changed_file_brings_its_changes_and_keeps_the_editors(tmp_path):
    report(DATA / "articles.json")
    oil = Article.objects.get(title=OIL)
    article_update(article=oil, title="Kurdish Oil After the Ruling")
    changed = items()
    changed[0]["body"] = "The ruling came after nine years."
    changed[0]["source"]["pages"] = "10-15"

    assert report(write(tmp_path, "changed.json", changed)) == [("updated", []), ("duplicate", [])]
    oil.refresh_from_db()
    assert (oil.title, oil.body, oil.source_pages) == (
        "Kurdish Oil After the Ruling",
        "<p>The ruling came after nine years.</p>",
        "10-15",
    )


def test_when_both_changed_a_field_the_editors_value_stays_and_the_report_says_so(tmp_path):
    report(DATA / "articles.json")
    oil = Article.objects.get(title=OIL)
    article_update(article=oil, title="Kurdish Oil After the Ruling", body="<p>Edited.</p>")
    changed = items()
    changed[0]["title"] = "Kurdish Oil Exports After the Arbitration"
    changed[0]["body"] = "A new body."
    changed[0]["kind"] = "paper"

    assert report(write(tmp_path, "changed.json", changed)) == [
        (
            "updated",
            [
                "Kept the archive's title “Kurdish Oil After the Ruling”: an editor changed it after the last import, and the file now says “Kurdish Oil Exports After the Arbitration”. Change it in the admin if the file is right.",
                "Kept the archive's body: an editor changed it after the last import, and the file's body changed too. Compare them in the admin if the file is right.",
            ],
        ),
        ("duplicate", []),
    ]
    oil.refresh_from_db()
    assert (oil.title, oil.body, oil.kind) == ("Kurdish Oil After the Ruling", "<p>Edited.</p>", "paper")
    # The file's new values are the base now: importing it again changes and reports nothing.
    assert report(tmp_path / "changed.json") == [("duplicate", []), ("duplicate", [])]


def test_a_file_corrected_to_the_editors_value_is_quiet(tmp_path):
    report(DATA / "articles.json")
    oil = Article.objects.get(title=OIL)
    article_update(article=oil, title="Kurdish Oil After the Ruling")
    changed = items()
    changed[0]["title"] = "Kurdish Oil After the Ruling"

    assert report(write(tmp_path, "changed.json", changed)) == [("duplicate", []), ("duplicate", [])]
    changed[0]["title"] = "Kurdish Oil, Two Years On"
    assert report(write(tmp_path, "again.json", changed)) == [("updated", []), ("duplicate", [])]
    assert Article.objects.filter(title="Kurdish Oil, Two Years On").count() == 1


def test_a_file_reimported_after_the_check_screen_keeps_the_editors_corrections(client, tmp_path):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "a-long-password-1")
    client.force_login(user)
    client.post(
        reverse("ingest:upload"), {"files": [SimpleUploadedFile("article.docx", read("article.docx"))]}
    )
    pending = PendingUpload.objects.get()
    form = {
        "title": "Oman's Quiet Mediation, Revisited",
        "subtitle": "How a small state keeps talking to everyone",
        "authors": "Layla Hassan | Senior Fellow, Gulf Research Center\nPeter van der Berg\nMina Tehrani",
        "date": "2021-03-03",
        "kind": "commentary",
        "language": "en",
        "status": "published",
        "abstract": "",
        "body": "<p>Oman has long acted as a discreet channel.</p>",
        "keywords": "Oman; Mediation",
        **dict.fromkeys(
            ("source_name", "source_volume", "source_issue", "source_pages", "doi", "source_url"), ""
        ),
    }
    assert client.post(reverse("ingest:review", kwargs={"pk": pending.pk}), form).status_code == 302

    (tmp_path / "article.docx").write_bytes(read("article.docx"))
    assert report(tmp_path / "article.docx") == [("duplicate", [])]
    article = Article.objects.get()
    assert (article.title, article.body, sorted(k.name for k in article.keywords.all())) == (
        "Oman's Quiet Mediation, Revisited",
        "<p>Oman has long acted as a discreet channel.</p>",
        ["Mediation", "Oman"],
    )


def test_a_piece_imported_before_digests_were_kept_takes_the_files_values_once(tmp_path):
    report(DATA / "articles.json")
    Article.objects.update(import_digest={})
    oil = Article.objects.get(title=OIL)
    article_update(article=oil, title="Kurdish Oil After the Ruling")

    assert report(DATA / "articles.json") == [("updated", []), ("duplicate", [])]
    assert Article.objects.filter(title=OIL).count() == 1
    assert all(article.import_digest for article in Article.objects.all())  # recorded from now on


def test_a_backup_keeps_what_the_next_reimport_compares_with(tmp_path):
    report(DATA / "articles.json")
    digests = dict(Article.objects.values_list("title", "import_digest"))
    archive_export(directory=tmp_path / "backup")
    for model in (Article, Author, Keyword):
        model.objects.all().delete()
    archive_restore(directory=tmp_path / "backup")
    assert dict(Article.objects.values_list("title", "import_digest")) == digests
