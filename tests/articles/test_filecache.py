"""The page cache's file backend (archive.articles.filecache): a folder per generation (content
version and day), older generations retired whole in the background, never a listing of entries
per page stored, and at most MAX_ENTRIES entries per generation."""

import os
import time

import pytest

from archive.articles.filecache import GenerationalFileCache, wait_for_retirements


@pytest.fixture
def cache(tmp_path):
    made = []

    def make(**options):
        options = {"MAX_ENTRIES": 20_000, **options}  # as in settings (Django's default is 300)
        backend = GenerationalFileCache(str(tmp_path / "pages"), {"TIMEOUT": 300, "OPTIONS": options})
        made.append(backend)
        return backend

    yield make
    wait_for_retirements()


def folders(root):
    return sorted(entry.name for entry in os.scandir(root) if entry.is_dir())


def entries(root):
    return sum(len([f for f in files if f.endswith(".djcache")]) for _, _, files in os.walk(root))


def test_entries_are_kept_per_generation_and_read_back(cache, tmp_path):
    pages = cache()
    pages.set("pages-0000000000000000007-20261205/page:abc", {"html": "<p>seven</p>"}, 60)
    assert pages.get("pages-0000000000000000007-20261205/page:abc") == {"html": "<p>seven</p>"}
    assert pages.get("pages-0000000000000000007-20261205/page:other", "missing") == "missing"
    assert pages.has_key("pages-0000000000000000007-20261205/page:abc")
    assert not pages.add("pages-0000000000000000007-20261205/page:abc", "again")
    assert folders(tmp_path / "pages") == ["pages-0000000000000000007-20261205"]
    # An expired entry is gone; a deleted one too.
    pages.set("pages-0000000000000000007-20261205/page:short", "brief", 0.05)
    time.sleep(0.1)
    assert pages.get("pages-0000000000000000007-20261205/page:short") is None
    assert pages.delete("pages-0000000000000000007-20261205/page:abc")
    assert pages.get("pages-0000000000000000007-20261205/page:abc") is None


def test_a_new_generation_retires_the_older_ones_whole(cache, tmp_path):
    one, other_process = cache(), cache()
    for n in range(300):
        one.set(f"pages-0000000000000000001-20261205/page:{n}", f"page {n}", 300)
    other_process.set("pages-0000000000000000001-20261205/fact:count", 300, 300)
    assert entries(tmp_path / "pages") == 301

    one.set("pages-0000000000000000002-20261205/page:0", "page 0 after a change", 300)
    assert wait_for_retirements()
    assert folders(tmp_path / "pages") == ["pages-0000000000000000002-20261205"]
    assert entries(tmp_path / "pages") == 1
    assert one.get("pages-0000000000000000001-20261205/page:1") is None
    # A process still rendering at the old version writes its page; the next change retires it.
    other_process.set("pages-0000000000000000001-20261205/page:late", "late", 300)
    other_process.set("pages-0000000000000000003-20261205/page:0", "three", 300)
    assert wait_for_retirements()
    assert folders(tmp_path / "pages") == ["pages-0000000000000000003-20261205"]
    assert one.get("pages-0000000000000000003-20261205/page:0") == "three"


def test_a_generation_retired_while_a_page_is_stored_is_not_an_error(cache, tmp_path):
    """Another worker renames an old generation's folder away while this one stores into it: the
    soak met `makedirs` finding the folder gone between its `mkdir` and its check (FileExistsError).
    Here the generation's path is taken by something that is not a folder, the same answer."""
    pages = cache()
    pages.set("pages-0000000000000000004-20261205/page:a", "four", 300)
    taken = tmp_path / "pages" / "pages-0000000000000000005-20261205"
    taken.write_text("not a folder")

    pages.set("pages-0000000000000000005-20261205/page:a", "five", 300)  # not kept, no error

    assert taken.read_text() == "not a folder"
    assert pages.get("pages-0000000000000000004-20261205/page:a") == "four"


def test_storing_a_page_lists_no_folder_of_entries(cache, tmp_path, monkeypatch):
    """The cost Django's FileBasedCache paid on every set (a glob of the whole folder) is gone:
    storing into a known generation looks at no folder; a new generation lists the top folder
    (a handful of generations) once per process."""
    pages = cache()
    for n in range(500):
        pages.set(f"pages-0000000000000000001-20261205/page:{n}", "x" * 100, 300)
    listed = []
    real_scandir = os.scandir

    def counting_scandir(path="."):
        listed.append(os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", counting_scandir)
    monkeypatch.setattr("glob.glob", lambda *a, **k: listed.append("glob") or [])
    for n in range(500, 600):
        pages.set(f"pages-0000000000000000001-20261205/page:{n}", "x" * 100, 300)
    assert listed == []
    pages.set("pages-0000000000000000002-20261205/page:0", "x", 300)
    assert wait_for_retirements()
    # The top folder, by the storing request; the retired folder, by the background thread only.
    assert [path for path in listed if ".retired-" not in path] == [str(tmp_path / "pages")]


def test_each_generation_holds_at_most_max_entries(cache, tmp_path):
    pages = cache(MAX_ENTRIES=10)
    for n in range(25):
        pages.set(f"pages-0000000000000000001-20261205/page:{n}", n, 300)
    assert entries(tmp_path / "pages") == 10
    assert [pages.get(f"pages-0000000000000000001-20261205/page:{n}") for n in (0, 9, 10, 24)] == [
        0,
        9,
        None,
        None,
    ]
    pages.set("pages-0000000000000000002-20261205/page:0", "fresh", 300)  # a new generation starts empty
    assert pages.get("pages-0000000000000000002-20261205/page:0") == "fresh"


def test_keys_without_a_generation_live_in_hourly_folders(cache, tmp_path):
    """An article's related pieces (archive.search.service) are kept per article version, not per
    content version: they go to the hour's folder (a 2-second "hour" here), read from this one and
    the last, their timeout capped at one bucket."""
    pages = cache(BUCKET_SECONDS=2)
    while time.time() % 2 < 1.4:  # late in a bucket
        time.sleep(0.05)
    pages.set("related:12:1733400000.0:8", [3, 4, 5], 3600)
    assert pages.get("related:12:1733400000.0:8") == [3, 4, 5]
    time.sleep(2 - time.time() % 2 + 0.1)  # the next bucket
    assert pages.get("related:12:1733400000.0:8") == [3, 4, 5]  # found in the last bucket's folder
    pages.set("related:13:1733400000.0:8", [6], 60)
    time.sleep(2.1)
    pages.set("related:14:1733400000.0:8", [7], 60)  # a new bucket retires all but the last
    assert wait_for_retirements()
    assert len(folders(tmp_path / "pages")) == 2
    assert pages.get("related:12:1733400000.0:8") is None  # expired: capped at 2 s


def test_entries_of_djangos_flat_layout_are_removed(cache, tmp_path):
    """After a deploy from Django's FileBasedCache, its flat files are deleted in the background."""
    root = tmp_path / "pages"
    root.mkdir()
    for n in range(50):
        (root / f"{n:032x}.djcache").write_bytes(b"old")
    pages = cache()
    pages.set("pages-0000000000000000001-20261205/page:0", "new", 300)
    assert wait_for_retirements()
    assert [entry.name for entry in os.scandir(root)] == ["pages-0000000000000000001-20261205"]
