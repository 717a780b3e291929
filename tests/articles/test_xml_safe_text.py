"""No character XML 1.0 forbids is ever stored (issue 15.3): the admin forms, the write functions,
`save()`, and every import path (archive JSON, CSV, extracted files) clean text at the boundary,
keeping tab and newline where text keeps lines."""

import io
import json

import pytest
from django.core.management import call_command

from archive.articles.forms import ArticleAdminForm, AuthorAdminForm, KeywordAdminForm
from archive.articles.models import Article, Author, Keyword
from archive.articles.services import author_get_or_create, keyword_get_or_create, keyword_rename
from archive.articles.text import has_xml_forbidden, xml_safe_text
from tests.articles.test_admin import article_data

pytestmark = pytest.mark.django_db

# Every C0 control XML 1.0 forbids, lone surrogates, U+FFFE and U+FFFF.
CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
FORBIDDEN = CONTROLS + "\udfff\ud800\ufffe\uffff"  # low before high: no pair


def test_xml_safe_text_removes_each_forbidden_character_and_keeps_tab_and_newlines():
    assert len(FORBIDDEN) == 33
    for ch in FORBIDDEN:
        cleaned = xml_safe_text(f"a{ch}b")
        assert cleaned == ("a\nb" if ch in "\x0b\x0c" else "ab"), repr(ch)
        assert not has_xml_forbidden(cleaned)
    assert xml_safe_text("tab\there\nline\r\nend") == "tab\there\nline\r\nend"
    # Characters XML allows are kept: DEL, C1 controls, private use, astral planes.
    allowed = "\x7f\x85\u200c\ue000\U0001f600\ufffd"
    assert xml_safe_text(allowed) == allowed
    assert xml_safe_text(None) == "" and xml_safe_text("") == ""


@pytest.mark.parametrize("ch", list(CONTROLS + "\ufffe\uffff"), ids=lambda ch: f"U+{ord(ch):04X}")
def test_save_and_the_write_functions_store_no_forbidden_character(ch):
    # Vertical tab and form feed separate lines (one-line fields: words); the rest is removed.
    gap = " " if ch in "\x0b\x0c" else ""
    author, _ = author_get_or_create(name=f"Nadia{ch} Kerman", affiliation=f"Uni{ch}versity")
    assert (author.name, author.affiliation) == ("Nadia Kerman", f"Uni{gap}versity")
    assert author_get_or_create(name="Nadia Kerman")[0].pk == author.pk

    keyword, created = keyword_get_or_create(name=f"k{ch}w")
    assert (keyword.name, created) == (f"k{gap}w", True)
    # The same name with the character twice is the same keyword, not an IntegrityError.
    assert keyword_get_or_create(name=f"k{ch}{ch}w") == (keyword, False)
    keyword_rename(keyword=keyword, name=f"oil{ch} prices")
    assert Keyword.objects.get(pk=keyword.pk).name == "oil prices"

    # save() itself, the last guard: nothing forbidden reaches the database.
    article = Article(title=f"Oil{ch}prices", slug=f"oil{ch}prices", date="2020-01-01", body=f"<p>a{ch}b</p>")
    article.save()
    stored = Article.objects.get(pk=article.pk)
    line = "\n" if gap else ""
    assert (stored.title, stored.slug, stored.body) == (
        f"Oil{line}prices",
        f"oil{line}prices",
        f"<p>a{line}b</p>",
    )
    assert stored.title_key == ("oil prices" if gap else "oilprices")


def test_the_admin_forms_clean_every_text_field(staff_client):
    dirty = "\x01\x02\x08\x0b\x0c\x0e\x1b\x1f\ufffe\uffff"
    keyword = KeywordAdminForm(data={"name": f"Gul{dirty}f", "slug": ""})
    assert keyword.is_valid(), keyword.errors
    assert keyword.cleaned_data["name"] == "Gul f"  # the vertical tab and form feed separate words
    author = AuthorAdminForm(
        data={
            "name": f"Nadia\x02 Kerman{dirty}",
            "slug": "",
            "affiliation": "Uni\x03versity",
            "bio": "A\x04b",
        }
    )
    assert author.is_valid(), author.errors
    assert [author.cleaned_data[k] for k in ("name", "affiliation", "bio")] == [
        "Nadia Kerman",
        "University",
        "Ab",
    ]
    article = ArticleAdminForm(
        data={
            **article_data(),
            "title": "Oil\x02 prices\ufffe",
            "subtitle": "Sub\x1btitle",
            "abstract": "First\x07 paragraph.\n\nSecond\x01.",
            "body": "Plain\x02 text\n\nwith paragraphs\x0c here",
            "source_name": "J\x05ournal",
        }
    )
    assert article.is_valid(), article.errors
    data = article.cleaned_data
    assert (data["title"], data["subtitle"], data["source_name"]) == ("Oil prices", "Subtitle", "Journal")
    assert data["abstract"] == "First paragraph.\n\nSecond."
    assert data["body"] == "<p>Plain text</p><p>with paragraphs<br>here</p>"
    # A name that is nothing but forbidden characters is empty, and refused with the usual message.
    empty = AuthorAdminForm(data={"name": "\x01\x02", "slug": "", "affiliation": "", "bio": ""})
    assert not empty.is_valid()
    assert empty.errors["name"] == ["The name is empty once markup is removed."]

    # Through the admin itself: an author saved with control characters is stored clean.
    response = staff_client.post(
        "/admin/articles/author/add/", {"name": "Omid\x02 Farahani", "slug": "", "affiliation": "", "bio": ""}
    )
    assert response.status_code == 302
    assert Author.objects.get(slug="omid-farahani").name == "Omid Farahani"


def _import(*paths):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_articles", *map(str, paths), "--json", stdout=out, stderr=err)
    return json.loads(out.getvalue())


def test_every_import_path_stores_clean_text(tmp_path, search_index):
    # Archive JSON: escapes give every forbidden character, lone surrogates included.
    item = {
        "title": "Oil" + FORBIDDEN + " prices",
        "date": "2021-03-04",
        "authors": [{"name": "Nadia\x02 Kerman", "affiliation": "Uni\ud800versity"}],
        "keywords": ["k\x02w", "Gulf\uffff"],
        "abstract": "Line\x0cbreak and\x01 more.\n\nSecond\tparagraph.",
        "body": "<p>Body\x00 with\x1f controls\ud83d.</p>",
        "source": {"name": "J\x05ournal", "doi": "10.1/x\x02y"},
    }
    (tmp_path / "items.json").write_text(json.dumps([item]))
    csv_path = tmp_path / "items.csv"
    csv_path.write_text(
        "title,date,authors,keywords,body\n"
        '"CSV\x02 piece",2021-03-05,"Omid\x03 Farahani","k\x04w","Text\x06 body"\n'
    )
    txt_path = tmp_path / "extracted.txt"
    txt_path.write_bytes(
        b"Extracted\x02 title\n\nThursday, October 25, 2012\n\nSara\x01 Nouri\n"
        b"Research fellow\x02, Gulf Institute\n\n"
        b"The body\x0b of a\x1b piece that is long enough to be read as the body of an article.\n"
    )

    report = _import(tmp_path / "items.json", csv_path, txt_path)
    assert [entry["status"] for entry in report] == ["created", "created", "created"], report

    piece = Article.objects.get(title_key="oil prices")
    assert piece.title == "Oil prices"
    assert [(a.name, a.affiliation) for a in piece.ordered_authors] == [("Nadia Kerman", "University")]
    assert sorted(k.name for k in piece.keywords.all()) == ["Gulf", "kw"]
    assert piece.abstract == "Line break and more.\n\nSecond paragraph."
    assert piece.body == "<p>Body with controls.</p>"
    assert (piece.source_name, piece.doi) == ("Journal", "10.1/xy")

    csv_piece = Article.objects.get(title="CSV piece")
    assert [a.name for a in csv_piece.ordered_authors] == ["Omid Farahani"]
    assert [k.name for k in csv_piece.keywords.all()] == ["kw"]  # the same keyword as the JSON's
    assert csv_piece.body == "<p>Text body</p>"

    extracted = Article.objects.get(title="Extracted title")
    assert [(a.name, a.affiliation) for a in extracted.ordered_authors] == [
        ("Sara Nouri", "Research fellow, Gulf Institute")
    ]
    assert extracted.body == (
        "<p>The body of a piece that is long enough to be read as the body of an article.</p>"
    )

    for model, fields in (
        (Article, ["title", "subtitle", "abstract", "body", "source_name", "doi", "import_ref", "slug"]),
        (Author, ["name", "affiliation", "bio", "slug"]),
        (Keyword, ["name", "slug"]),
    ):
        for row in model.objects.values(*fields):
            assert not any(has_xml_forbidden(value) for value in row.values()), row
