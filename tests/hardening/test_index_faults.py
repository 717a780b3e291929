"""A lost or damaged index: search says it is unavailable (503), the rest of the site works, and
the documented command builds it again from the database."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from archive.search.backends import backend


def damage(kind):
    folder = Path(settings.ARCHIVE_INDEX_DIR)
    backend().forget()
    data_files = [f for f in folder.iterdir() if f.is_file() and f.name not in ("CURRENT", "write.lock")]
    if kind == "folder deleted":
        shutil.rmtree(folder)
    elif kind == "files emptied":
        for f in data_files:
            f.write_bytes(b"")
    elif kind == "segments overwritten":
        for f in data_files:
            if not f.name.endswith(".toc"):
                f.write_bytes(b"\x00garbage" * 100)
    elif kind == "table of contents lost":
        for f in folder.glob("*.toc"):
            f.unlink()
    elif kind == "pointer garbled":
        (folder / "CURRENT").write_text("../../etc/passwd")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind",
    ["folder deleted", "files emptied", "segments overwritten", "table of contents lost", "pointer garbled"],
)
def test_a_damaged_index_gives_a_503_and_rebuild_index_restores_search(client, indexed_article, kind):
    article = indexed_article("Iraq and Russia", authors=["Ali Akbar Asadi"], keywords=["Iraq"])
    indexed_article("Energy in the Gulf", authors=["Ali Akbar Asadi"])
    assert client.get("/api/search/", {"q": "iraq"}).json()["count"] == 1

    damage(kind)
    page = client.get("/search/", {"q": "iraq"})
    assert page.status_code == 503
    assert page["Retry-After"] == "120"
    assert "<h1>Search is unavailable</h1>" in page.content.decode()
    api = client.get("/api/search/", {"q": "iraq"})
    assert api.status_code == 503
    assert api.json() == {
        "error": "Search is unavailable for a moment: its index is being rebuilt. Reading pages still work."
    }
    # Everything else still answers.
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get("/articles/").status_code == 200
    assert client.get("/search/").status_code == 200  # the empty form needs no index
    assert client.get("/api/autocomplete/", {"q": "ira"}).status_code == 200

    call_command("rebuild_index", verbosity=0)
    backend().forget()
    result = client.get("/api/search/", {"q": "iraq"}).json()
    assert [hit["title"] for hit in result["results"]] == ["Iraq and Russia"]
    report = client.get("/api/search/", {"q": "asadi"}).json()
    assert report["count"] == 2
