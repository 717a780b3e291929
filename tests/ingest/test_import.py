# ruff: noqa: E501  (exact expected messages read better unbroken)
"""The import service and `import_articles`: archive JSON, CSV, files, folders, zips."""

import datetime
import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archive.articles.archive_json import ARCHIVE_JSON_KEYS
from archive.articles.models import Article, Author, Keyword
from archive.ingest.importer import import_paths
from tests.ingest.conftest import DATA, read, zip_bytes

pytestmark = pytest.mark.django_db

SEED_000_TITLE = "Iraq and Russia: Motivations for Interaction in New Conditions"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_articles", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def report(*args):
    out, err = run(*args, "--json")
    return json.loads(out), err


def test_archive_json_creates_articles_through_the_services(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        results = import_paths([DATA / "articles.json"])
    assert [(r.source.split("/")[-1], r.status, r.error) for r in results] == [
        ("articles.json#1", "created", ""),
        ("articles.json#2", "created", ""),
    ]
    oil = Article.objects.get(title="Kurdish Oil Exports After the Pipeline Ruling")
    assert oil.subtitle == "What the arbitration means for Erbil and Baghdad"
    assert [(a.name, a.affiliation) for a in oil.ordered_authors] == [
        ("Hana Aziz", "Energy analyst"),
        ("Marco Conti", ""),
    ]
    assert oil.date == datetime.date(2023, 4, 2)
    assert (
        oil.body
        == "<p>The ruling came after nine years of proceedings.</p>\n<p>Both governments now need a new revenue deal.</p>"
    )
    assert sorted(k.name for k in oil.keywords.all()) == ["Kurdistan", "Oil", "Turkey"]
    assert (oil.source_name, oil.source_volume, oil.source_issue, oil.source_pages) == (
        "Energy Notes",
        "4",
        "2",
        "10-14",
    )
    assert oil.doi == "10.1234/en.2023.42"
    assert oil.import_ref == "doi:10.1234/en.2023.42"
    assert oil.slug == "kurdish-oil-exports-after-the-pipeline-ruling"
    basra = Article.objects.get(title="Basra's Water Crisis")
    assert basra.body == "<p>Salt water moved up the <b>Shatt al-Arab</b>.</p>"
    assert (basra.kind, basra.language, basra.status) == ("commentary", "en", "published")
    assert basra.import_ref == "title:basra s water crisis|hana aziz"
    assert Author.objects.count() == 2
    assert sorted(Keyword.objects.values_list("name", flat=True)) == [
        "Kurdistan",
        "Oil",
        "Turkey",
        "Water",
        "iraq",
    ]


def test_import_is_idempotent_and_updates_changed_pieces(tmp_path):
    assert [r["status"] for r in report(DATA / "articles.json")[0]] == ["created", "created"]
    assert [r["status"] for r in report(DATA / "articles.json")[0]] == ["duplicate", "duplicate"]
    items = json.loads(read("articles.json"))
    items[1]["body"] = "Salt water moved up the river again."
    items[0]["keywords"].append("Erbil")
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(items), encoding="utf-8")
    assert [r["status"] for r in report(changed)[0]] == ["updated", "updated"]
    assert Article.objects.count() == 2
    assert (
        Article.objects.get(title="Basra's Water Crisis").body
        == "<p>Salt water moved up the river again.</p>"
    )
    assert [r["status"] for r in report(changed)[0]] == ["duplicate", "duplicate"]


@pytest.mark.parametrize(
    ("item", "error"),
    [
        (
            {"title": "A", "date": "2020-01-01", "titel": "x"},
            "Item 1: unknown key “titel” (allowed: title, subtitle, authors, date, kind, language, abstract, body, keywords, source, status).",
        ),
        ({"date": "2020-01-01"}, "Item 1: “title” is missing: every piece needs a title."),
        ({"title": 5, "date": "2020-01-01"}, "Item 1: “title” must be a string, not int."),
        ({"title": "A"}, "Item 1: “date” is missing: give the publication date as YYYY-MM-DD."),
        (
            {"title": "A", "date": "25/10/2012"},
            "Item 1: “date” “25/10/2012” is not a date in ISO 8601 form (YYYY-MM-DD).",
        ),
        (
            {"title": "A", "date": "2012-02-30"},
            "Item 1: “date” “2012-02-30” is not a date in ISO 8601 form (YYYY-MM-DD).",
        ),
        ({"title": "A", "date": 2012}, "Item 1: “date” must be a string like 2012-10-25, not int."),
        (
            {"title": "A", "date": "2020-01-01", "authors": "Jane"},
            "Item 1: “authors” must be a list of {name, affiliation}, not str.",
        ),
        (
            {"title": "A", "date": "2020-01-01", "authors": [{"name": "J", "role": "x"}]},
            "Item 1: “authors[1]” has an unknown key “role” (allowed: name, affiliation).",
        ),
        (
            {"title": "A", "date": "2020-01-01", "authors": [{"affiliation": "x"}]},
            "Item 1: “authors[1].name” is missing.",
        ),
        (
            {"title": "A", "date": "2020-01-01", "keywords": ["ok", 3]},
            "Item 1: “keywords[2]” must be a string, not int.",
        ),
        (
            {"title": "A", "date": "2020-01-01", "kind": "essay"},
            "Item 1: “kind” “essay” is not one of commentary, paper, interview, report, news, review, other.",
        ),
        (
            {"title": "A", "date": "2020-01-01", "language": "english"},
            "Item 1: “language” “english” is not one of en, fa, ar, fr, de, es, ru, tr, ur (ISO 639-1).",
        ),
        (
            {"title": "A", "date": "2020-01-01", "status": "live"},
            "Item 1: “status” “live” is not “published” or “draft”.",
        ),
        (
            {"title": "A", "date": "2020-01-01", "source": {"url": "javascript:alert(1)"}},
            "Item 1: “source.url” “javascript:alert(1)” is not an http(s) URL.",
        ),
        (
            {"title": "A", "date": "2020-01-01", "source": {"link": "x"}},
            "Item 1: “source” has an unknown key “link” (allowed: name, volume, issue, pages, doi, url).",
        ),
        ({"title": "A" * 501, "date": "2020-01-01"}, "Item 1: “title” is 501 characters; the limit is 500."),
        ("just a string", "Item 1: must be an object with “title”, “date” ..., not str."),
    ],
)
def test_bad_input_names_the_item_and_the_field(tmp_path, item, error):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([item]), encoding="utf-8")
    (entry,), _ = report(path)
    assert entry["status"] == "failed"
    assert entry["error"] == error
    assert Article.objects.count() == 0


def test_one_bad_item_does_not_stop_the_others(tmp_path):
    path = tmp_path / "mixed.json"
    path.write_text(
        json.dumps(
            [
                {"title": "Good one", "date": "2020-01-01"},
                {"title": "Bad", "date": "soon"},
                {"title": "Good two", "date": "2021-01-01"},
            ]
        )
    )
    entries, err = report(path)
    assert [(e["source"].split("/")[-1], e["status"]) for e in entries] == [
        ("mixed.json#1", "created"),
        ("mixed.json#2", "failed"),
        ("mixed.json#3", "created"),
    ]
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Good one", "Good two"]
    assert err.strip() == "created 2, updated 0, skipped 0 as duplicate, failed 1 (3 pieces)."


def test_unreadable_json_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"title": "A",', encoding="utf-8")
    (entry,), _ = report(path)
    assert entry == {
        "source": str(path),
        "status": "failed",
        "fields": {},
        "warnings": [],
        "error": "broken.json is not valid JSON (line 1, column 16: Expecting property name enclosed in double quotes).",
    }


def test_dry_run_writes_nothing(settings):
    media = Path(settings.MEDIA_ROOT)
    media_before = sorted(media.rglob("*"))
    entries, err = report(DATA / "articles.json", DATA / "article.docx", "--dry-run")
    assert [e["status"] for e in entries] == ["created", "created", "created"]
    assert (
        err.strip()
        == "Dry run: would have created 3, updated 0, skipped 0 as duplicate, failed 0 (3 pieces)."
    )
    assert (Article.objects.count(), Author.objects.count(), Keyword.objects.count()) == (0, 0, 0)
    assert sorted(media.rglob("*")) == media_before


def test_json_report_shape():
    entries, _ = report(DATA / "articles.csv")
    assert len(entries) == 1
    entry = entries[0]
    assert set(entry) == {"source", "status", "fields", "warnings", "error"}
    assert entry["source"] == f"{DATA / 'articles.csv'}#1"
    assert entry["status"] == "created"
    assert entry["error"] is None
    assert list(entry["fields"]) == list(ARCHIVE_JSON_KEYS)
    assert entry["fields"] == {
        "title": "Gas Flaring in Southern Iraq",
        "subtitle": "",
        "authors": [
            {"name": "Hana Aziz", "affiliation": "Energy analyst"},
            {"name": "Omar Khalid", "affiliation": "Reporter"},
        ],
        "date": "2021-05-17",
        "kind": "report",
        "language": "en",
        "abstract": "",
        "body": "<p>Flaring wastes gas.</p>\n<p>It also harms health.</p>",
        "keywords": ["Gas", "Flaring", "Basra"],
        "source": {
            "name": "Energy Notes",
            "volume": "",
            "issue": "",
            "pages": "",
            "doi": "",
            "url": "https://example.org/energy/flaring",
        },
        "status": "draft",
    }
    assert Article.objects.get().status == "draft"


def test_csv_unknown_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("title,date,colour\nA,2020-01-01,red\n", encoding="utf-8")
    (entry,), _ = report(path)
    assert entry["error"] == (
        "bad.csv: unknown column “colour” (allowed: title, subtitle, authors, affiliations, date, kind, language, "
        "abstract, body, keywords, source_name, source_volume, source_issue, source_pages, doi, source_url, status)."
    )


def test_seeds_import_as_issue_4_says(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(DATA / "seed_000.txt", folder / "000.txt")
    shutil.copy(DATA / "seed_004.txt", folder / "004.txt")
    entries, err = report(folder, "--status", "published")
    assert [e["status"] for e in entries] == ["created", "failed"]
    assert entries[1]["error"] == (
        "No title found in 004.txt: the piece needs a title (give it one in the admin upload form, or import it "
        "as JSON with a “title”)."
    )
    assert entries[1]["fields"]["keywords"] == [
        "Alignment",
        "Irag",
        "ISIS",
        "Russia",
        "The Arab Uprisings",
        "The Regional Order of West Asia",
    ]
    article = Article.objects.get()
    assert article.title == SEED_000_TITLE
    assert article.date == datetime.date(2012, 10, 25)
    assert [(a.name, a.affiliation) for a in article.ordered_authors] == [
        ("Ali Akbar Asadi", "PhD Candidate, University of Allameh Tabatabaei & Expert on Middle East Issues")
    ]
    assert article.keywords.count() == 9
    assert article.body.count("<p>") == 5
    for unwanted in ("Thursday", "PhD Candidate", "Key Words", "More By", "Challenges", "طراحی"):
        assert unwanted not in article.body
    assert article.status == "published"
    assert article.original_filename == "000.txt"
    assert article.original_file.name.startswith("originals/")
    assert article.original_file.name.endswith(".txt")
    assert "000" not in article.original_file.name.rsplit("/", 1)[1]
    assert entries[0]["warnings"] == [
        "Dropped a site footer: “طراحی و توسعه آگاهسیستم”.",
        "“More by” list of 3 titles left out of the body; 0 of them in the archive, linked from the article "
        "page through its author.",
    ]
    # Again: nothing new.
    again, err = report(folder)
    assert [e["status"] for e in again] == ["duplicate", "failed"]
    assert err.strip() == "created 0, updated 0, skipped 1 as duplicate, failed 1 (2 pieces)."
    assert Article.objects.count() == 1


def test_more_by_titles_link_to_pieces_in_the_archive(client, make_article):
    earlier = make_article(
        "Iraq and the Challenge of Balancing Iran, US Relations",
        authors=["Ali Akbar Asadi"],
        date=datetime.date(2012, 8, 1),
    )
    entries, _ = report(DATA / "seed_000.txt", "--status", "published")
    assert entries[0]["warnings"][1] == (
        "“More by” list of 3 titles left out of the body; 1 of them in the archive, linked from the article page "
        "through its author."
    )
    article = Article.objects.get(title=SEED_000_TITLE)
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    assert f'href="{earlier.get_absolute_url()}"' in page.content.decode()


def test_zip_of_files_and_json(tmp_path):
    path = tmp_path / "batch.zip"
    path.write_bytes(
        zip_bytes(
            [
                ("batch/article.docx", read("article.docx")),
                ("batch/list.json", read("articles.json")),
                ("batch/notes.xyz", b"?"),
                ("__MACOSX/._article.docx", b"junk"),
            ]
        )
    )
    entries, _ = report(path, "--kind", "review")
    assert [(e["source"].removeprefix(str(path)), e["status"]) for e in entries] == [
        ("/batch/article.docx", "created"),
        ("/batch/list.json#1", "created"),
        ("/batch/list.json#2", "created"),
        ("/batch/notes.xyz", "failed"),
    ]
    assert Article.objects.get(title="Oman's Quiet Mediation").kind == "review"
    assert Article.objects.get(title="Basra's Water Crisis").kind == "commentary"


def test_the_same_file_again_is_a_duplicate_even_renamed(tmp_path):
    first = tmp_path / "one.docx"
    first.write_bytes(read("article.docx"))
    second = tmp_path / "copy of one.docx"
    second.write_bytes(read("article.docx"))
    entries, _ = report(first, second)
    assert [e["status"] for e in entries] == ["created", "duplicate"]


def test_every_file_format_through_the_command(tmp_path):
    entries, _ = report(
        *(DATA / n for n in ["wrapped.pdf", "article.docx", "article.html", "article.md", "persian.txt"])
    )
    assert [(e["fields"]["title"], e["status"]) for e in entries] == [
        ("Water Diplomacy in the Tigris-Euphrates Basin", "created"),
        ("Oman's Quiet Mediation", "created"),
        ("Sanctions and the Caspian Caviar Trade", "created"),
        ("Electricity Imports and Iraq's Summer", "created"),
        ("نقش دیپلماسی آب در روابط ایران و عراق", "created"),
    ]
    persian = Article.objects.get(language="fa")
    assert persian.status == "draft"
    assert persian.date == datetime.date.today()
    assert "No publication date found: set to today and kept as a draft." in entries[4]["warnings"]
    html = Article.objects.get(title="Sanctions and the Caspian Caviar Trade")
    assert "onclick" not in html.body and "<script" not in html.body
    assert html.source_url == "https://example.org/2020/09/caspian-caviar-sanctions"
    assert html.import_ref == "url:https://example.org/2020/09/caspian-caviar-sanctions"


def test_bad_usage_is_a_command_error():
    with pytest.raises(CommandError):
        run(DATA / "articles.json", "--status", "live")


def test_plain_output_names_failures(tmp_path):
    out, _ = run(DATA / "seed_004.txt", "--verbosity", "1")
    assert out.splitlines() == [
        f"failed    {DATA / 'seed_004.txt'}: No title found in seed_004.txt: the piece needs a title (give it one "
        "in the admin upload form, or import it as JSON with a “title”).",
        "created 0, updated 0, skipped 0 as duplicate, failed 1 (1 piece).",
    ]
