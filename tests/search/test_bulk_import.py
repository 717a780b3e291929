"""An import of many pieces: each piece commits on its own, the index catches up once at the end."""

import json

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
