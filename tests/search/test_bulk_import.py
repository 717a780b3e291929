"""An import of many pieces: each piece commits on its own, the index catches up once at the end."""

import json
import subprocess
import sys

import pytest
from django.core.management import call_command

from archive.articles.models import Article
from archive.ingest.importer import import_paths
from archive.search import indexing
from archive.search.backends import backend
from archive.search.backends.whoosh import store
from archive.search.models import PendingIndexUpdate
from archive.search.service import SearchRequest, run_search


def items(n, word="zanzibarite"):
    return [
        {
            "title": f"Bulk piece {i} on {word}",
            "authors": [{"name": f"Writer {i % 2}", "affiliation": ""}],
            "date": "2019-03-0" + str(i + 1),
            "body": f"Paragraph about {word} number {i}.",
            "keywords": ["Trade"],
        }
        for i in range(n)
    ]


def found(q):
    return {hit.title for hit in run_search(SearchRequest(q=q)).hits}


@pytest.fixture
def json_file(tmp_path):
    def write(objects, name="pieces.json"):
        path = tmp_path / name
        path.write_text(json.dumps(objects), encoding="utf-8")
        return path

    return write


@pytest.mark.django_db(transaction=True)
def test_pieces_are_committed_at_once_and_indexed_at_the_end(search_index, json_file):
    seen = []

    def progress(done, total, result):
        # Mid-import: the piece is committed and queued, not yet written to the index.
        assert Article.objects.filter(pk=result.article.pk).exists()
        assert PendingIndexUpdate.objects.filter(article_id=result.article.pk).exists()
        assert result.article.pk not in backend().stamps()
        seen.append(result.status)

    results = import_paths([json_file(items(3))], progress=progress)

    assert seen == ["created"] * 3
    assert [r.status for r in results] == ["created"] * 3
    assert found("zanzibarite") == {f"Bulk piece {i} on zanzibarite" for i in range(3)}
    assert not PendingIndexUpdate.objects.exists()
    report = indexing.compare()
    assert (report["database"], report["index"], report["missing"], report["stale"]) == (3, 3, [], [])


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_import_keeps_its_pieces_queued_for_update_index(search_index, json_file):
    def interrupt(done, total, result):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_paths([json_file(items(3))], progress=interrupt)

    assert Article.objects.count() == 2
    assert PendingIndexUpdate.objects.values("article_id").distinct().count() == 2
    assert found("zanzibarite") == set()

    call_command("update_index", verbosity=0)

    assert found("zanzibarite") == {"Bulk piece 0 on zanzibarite", "Bulk piece 1 on zanzibarite"}
    assert not PendingIndexUpdate.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_catch_up_over_most_of_the_index_builds_a_new_generation(search_index, json_file, monkeypatch):
    monkeypatch.setattr(indexing, "REBUILD_FROM", 3)
    call_command("import_articles", str(json_file(items(1, word="firstling"), "one.json")), verbosity=0)
    before = store.current_name()
    assert found("firstling") == {"Bulk piece 0 on firstling"}

    # Three more pieces over an index of one: rebuilt aside and swapped in, not patched.
    call_command("import_articles", str(json_file(items(3, word="secondling"), "three.json")), verbosity=0)

    assert store.current_name() != before
    assert found("secondling") == {f"Bulk piece {i} on secondling" for i in range(3)}
    assert found("firstling") == {"Bulk piece 0 on firstling"}
    assert not PendingIndexUpdate.objects.exists()


def commits_in_order():
    """The titles each index segment holds, oldest first: one segment per live commit (small
    segments merge from store.MERGE_AT_SEGMENTS on)."""
    ix = store.files().open_index(indexname=store.current_name(), schema=store.build_schema())
    with ix.reader() as reader:
        return [
            sorted(fields["title"] for fields in leaf.all_stored_fields())
            for leaf, _ in reader.leaf_readers()
        ]


@pytest.mark.django_db
def test_a_save_is_written_before_the_rows_an_import_queued(
    search_index, make_article, json_file, monkeypatch
):
    monkeypatch.setattr(indexing, "BULK_BATCH", 2)
    harbour = make_article("Harbour dues")
    search_index.update()

    # An import that has stored five pieces and not caught up yet (still storing, or stopped).
    def interrupt(done, total, result):
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_paths([json_file(items(6))], progress=interrupt)
    # An editor saves meanwhile: queued after the import's five.
    harbour.title = "Harbour dues, revised"
    harbour.save()
    search_index.update()

    bulk = [f"Bulk piece {i} on zanzibarite" for i in range(5)]
    # The first segment keeps only the edited piece's old, deleted version.
    assert commits_in_order() == [[], ["Harbour dues, revised"], bulk[0:2], bulk[2:4], bulk[4:5]]
    assert not PendingIndexUpdate.objects.exists()


@pytest.mark.django_db
def test_while_an_import_runs_elsewhere_drains_here_write_only_the_saves(
    search_index, make_article, json_file, settings
):
    """An import's rows wait for its own catch-up: a drain in another process wrote them beside
    the import, 50 a commit, and saves waited behind those commits. Once no import holds the
    imports lock (it ended, or died), the next drain takes them."""
    harbour = make_article("Harbour dues")
    search_index.update()

    def interrupt(done, total, result):
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_paths([json_file(items(4))], progress=interrupt)
    indexing.release_import_lock()  # the rows are now another process's import's:
    running = subprocess.Popen(
        [sys.executable, "-c", HOLD_IMPORTS_LOCK, str(settings.ARCHIVE_INDEX_DIR / indexing.IMPORTS_LOCK)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert running.stdout.readline() == "held\n"
        assert indexing.imports_elsewhere()
        harbour.title = "Harbour dues, revised"
        harbour.save()
        search_index.update()

        assert commits_in_order()[-1] == ["Harbour dues, revised"]
        assert found("zanzibarite") == set()
        assert PendingIndexUpdate.objects.filter(bulk=True).values("article_id").distinct().count() == 3
        assert indexing.health()["problems"] == []
    finally:
        running.communicate("")  # the import ends: its lock goes with it

    assert not indexing.imports_elsewhere()
    search_index.update()
    assert found("zanzibarite") == {f"Bulk piece {i} on zanzibarite" for i in range(3)}
    assert not PendingIndexUpdate.objects.exists()


# Another process's import in progress: it holds the imports lock shared until its stdin closes.
HOLD_IMPORTS_LOCK = """
import fcntl, sys
handle = open(sys.argv[1], "a+")
fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
print("held", flush=True)
sys.stdin.read()
"""
