"""A lost or damaged index: search says it is unavailable (503), the rest of the site works, and
the documented command builds it again from the database."""

import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from archive.search.backends import backend
from archive.search.views import DAMAGED, MISSING

# What the 503 says: never a rebuild that nothing runs (issue 15.4).
EXPECTED = {
    "folder deleted": MISSING,
    "files emptied": DAMAGED,
    "segments overwritten": DAMAGED,
    "table of contents lost": DAMAGED,
    "pointer garbled": DAMAGED,
}


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
    assert api.json() == {"error": str(EXPECTED[kind])}
    assert str(EXPECTED[kind]) in page.content.decode().replace("&#x27;", "'")
    # Every other door that searches says so too (feeds and exports were a 500).
    for door in ("/feeds/search/atom/", "/feeds/search/rss/", "/export/search/bibtex/"):
        assert client.get(door, {"q": "iraq"}).status_code == 503, door
    export = client.get("/export/search/json/", {"q": "iraq"})
    assert (export.status_code, export.json(), export["Retry-After"]) == (
        503,
        {"error": str(EXPECTED[kind])},
        "120",
    )
    # Everything else still answers.
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get("/articles/").status_code == 200
    assert client.get("/search/").status_code == 200  # the empty form needs no index
    assert client.get("/api/autocomplete/", {"q": "ira"}).status_code == 200

    if EXPECTED[kind] is DAMAGED:  # check_index says so and exits 2 (it said "in step", exit 0)
        with pytest.raises(CommandError) as raised:
            call_command("check_index", verbosity=0)
        assert raised.value.returncode == 2

    call_command("rebuild_index", verbosity=0)
    backend().forget()
    result = client.get("/api/search/", {"q": "iraq"}).json()
    assert [hit["title"] for hit in result["results"]] == ["Iraq and Russia"]
    report = client.get("/api/search/", {"q": "asadi"}).json()
    assert report["count"] == 2


@pytest.mark.django_db
def test_check_index_names_a_file_changed_in_place_and_repair_rebuilds_it(indexed_article, capsys):
    """A file overwritten with bytes of the same size: only the checksum can tell (check_index
    compares them; a serving process compares sizes only)."""
    indexed_article("Iraq and Russia", authors=["Ali Akbar Asadi"])
    indexed_article("Energy in the Gulf")
    folder = Path(settings.ARCHIVE_INDEX_DIR)
    name = (folder / "CURRENT").read_text().strip()
    segment = max(
        (f for f in folder.iterdir() if f.name.startswith(f"{name}_")), key=lambda f: f.stat().st_size
    )
    segment.write_bytes(bytes(segment.stat().st_size))
    with pytest.raises(CommandError) as raised:
        call_command("check_index", "--json")
    assert raised.value.returncode == 2
    report = json.loads(capsys.readouterr().out)
    assert report["damaged"] == [f"{segment.name} does not hold what its commit wrote (checksum differs)."]
    assert report["index"] is None

    call_command("check_index", "--repair")
    out = capsys.readouterr().out
    assert "Rebuilt the index from the database (its files were damaged: " in out
    assert "it now holds 2 documents." in out
    assert (folder / "CURRENT").read_text().strip() != name
    call_command("check_index", "--json")
    report = json.loads(capsys.readouterr().out)
    assert (report["database"], report["index"], report["damaged"], report["missing"]) == (2, 2, [], [])
