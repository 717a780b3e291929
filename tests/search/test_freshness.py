"""The index follows the database after each commit, for every kind of change."""

import contextlib
import datetime
import multiprocessing
import threading
import time

import pytest
from django.utils import timezone

from archive.articles.models import Article
from archive.articles.services import (
    article_set_authors,
    article_set_keywords,
    articles_set_status,
    author_get_or_create,
    author_merge,
    author_update,
    keyword_get_or_create,
    keyword_merge,
    keyword_rename,
)
from archive.search import indexing, schema
from archive.search.backends import backend
from archive.search.backends.whoosh import compiler, live, store
from archive.search.models import PendingIndexUpdate
from archive.search.service import SearchRequest, run_search, search_article_ids


def titles(q):
    return [hit.title for hit in run_search(SearchRequest.from_querydict({"q": q})).hits]


def found(q):
    return set(titles(q))


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block, then its on-commit callbacks (the production drain)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_create_edit_delete(make_article, search_index, committed):
    with committed():
        article = make_article("Caspian pipelines")
    assert found("caspian") == {"Caspian pipelines"}
    with committed():
        article.title = "Caucasus pipelines"
        article.save()
    assert found("caspian") == set()
    assert found("caucasus") == {"Caucasus pipelines"}
    with committed():
        article.delete()
    assert found("caucasus") == set()
    assert not PendingIndexUpdate.objects.exists()


def test_publish_unpublish_single_and_bulk(make_article, search_index, committed):
    with committed():
        article = make_article("Baltic ports", status="draft")
    assert found("baltic") == set()
    with committed():
        article.status = "published"
        article.save()
    assert found("baltic") == {"Baltic ports"}
    with committed():
        articles_set_status(articles=Article.objects.filter(pk=article.pk), status="draft")
    assert found("baltic") == set()
    with committed():
        articles_set_status(articles=Article.objects.filter(pk=article.pk), status="published")
    assert found("baltic") == {"Baltic ports"}


def test_author_and_keyword_changes(make_article, search_index, committed):
    with committed():
        article = make_article("Gulf security", authors=["Ann Lee"], keywords=["Security"])
    with committed():
        article_set_authors(article=article, authors=[author_get_or_create(name="Bo Chen")[0]])
        article_set_keywords(article=article, keywords=[keyword_get_or_create(name="Shipping")[0]])
    assert found("author:chen") == {"Gulf security"}
    assert found("author:lee") == set()
    assert found("keyword:shipping") == {"Gulf security"}
    assert found("keyword:security") == set()


def test_renames_and_merges_reindex_every_affected_article(make_article, search_index, committed):
    with committed():
        make_article("First piece", authors=["Ann Lee"], keywords=["Oil"])
        make_article("Second piece", authors=["A. Lee"], keywords=["Petroleum"])
    with committed():
        author_update(author=author_get_or_create(name="Ann Lee")[0], name="Annabel Lee")
    assert found("author:annabel") == {"First piece"}
    with committed():
        author_merge(
            source=author_get_or_create(name="A. Lee")[0], target=author_get_or_create(name="Annabel Lee")[0]
        )
    assert found("author:annabel") == {"First piece", "Second piece"}
    with committed():
        keyword_rename(keyword=keyword_get_or_create(name="Oil")[0], name="Crude oil")
    assert found("keyword:crude") == {"First piece"}
    with committed():
        keyword_merge(
            source=keyword_get_or_create(name="Petroleum")[0],
            target=keyword_get_or_create(name="Crude oil")[0],
        )
    assert found("keyword:crude") == {"First piece", "Second piece"}
    assert found("keyword:petroleum") == set()


def test_future_date_arrives_without_a_step(make_article, search_index, committed, monkeypatch):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with committed():
        make_article("Scheduled piece", date=tomorrow)
    assert found("scheduled") == set()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert found("scheduled") == {"Scheduled piece"}


def test_rolled_back_save_leaves_no_document(make_article, search_index, committed):
    from django.db import transaction

    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        make_article("Ghost piece")
        raise RuntimeError("rolled back")
    assert found("ghost") == set()
    assert not PendingIndexUpdate.objects.exists()


def test_failed_index_write_keeps_the_save_and_is_repaired(
    make_article, search_index, committed, monkeypatch
):
    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store, "write_documents", broken)
    with committed():
        article = make_article("Resilient piece")
    assert Article.objects.filter(pk=article.pk).exists()
    assert PendingIndexUpdate.objects.filter(article_id=article.pk).exists()
    monkeypatch.undo()
    assert search_index.report()["missing"] == [article.pk]
    search_index.update()
    assert found("resilient") == {"Resilient piece"}


def _hold_lock(path, ready, release, as_rebuild):
    from django.conf import settings

    settings.ARCHIVE_INDEX_DIR = path
    with store.write_lock(), store.marked_as_rebuilding() if as_rebuild else contextlib.nullcontext():
        ready.set()
        release.wait(10)


@contextlib.contextmanager
def _lock_held_elsewhere(*, as_rebuild=False):
    """Another process holding the index's write lock (as a rebuild does, with its mark) until
    the block ends; yields that process."""
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(store.index_dir()), ready, release, as_rebuild))
    holder.start()
    try:
        assert ready.wait(10)
        yield holder
    finally:
        if holder.is_alive():  # (a killed holder would never wake to take the event: set() would hang)
            release.set()
        holder.join(10)


def test_save_while_another_process_writes_is_not_lost(make_article, search_index, committed, settings):
    settings.ARCHIVE_SEARCH_SAVE_WAIT = 0.5
    with _lock_held_elsewhere():
        started = time.monotonic()
        with committed():
            article = make_article("Queued piece")
        # The save waited for its index write as long as ARCHIVE_SEARCH_SAVE_WAIT allows, no longer.
        assert 0.45 < time.monotonic() - started < 2
        assert found("queued") == set()
        assert PendingIndexUpdate.objects.filter(article_id=article.pk).exists()
    search_index.update()
    assert found("queued") == {"Queued piece"}


def test_a_save_during_a_rebuild_returns_at_once_and_is_applied_after(
    make_article, search_index, committed, settings
):
    settings.ARCHIVE_SEARCH_SAVE_WAIT = 2
    with _lock_held_elsewhere(as_rebuild=True):
        assert backend().rebuilding()
        started = time.monotonic()
        with committed():
            article = make_article("Piece saved mid-rebuild")
        # Not the two seconds ARCHIVE_SEARCH_SAVE_WAIT allows: the rebuild would outlast them.
        assert time.monotonic() - started < 1
        assert PendingIndexUpdate.objects.filter(article_id=article.pk).exists()
    assert not backend().rebuilding()
    search_index.update()
    assert found("mid-rebuild") == {"Piece saved mid-rebuild"}


def test_a_rebuilds_mark_left_by_a_dead_rebuild_is_ignored(search_index):
    with _lock_held_elsewhere(as_rebuild=True) as holder:
        holder.kill()  # the OS releases its lock; its mark stays behind
        holder.join(10)
        assert (store.index_dir() / store.REBUILDING).exists()
        assert not backend().rebuilding()


def _write_many(path, worker, count):
    from django.conf import settings

    settings.ARCHIVE_INDEX_DIR = path
    for n in range(count):
        with store.write_lock():
            store.write_documents(
                documents=[
                    {
                        "id": str(100_000 + worker * 1000 + n),
                        "text": f"concurrent w{worker} n{n}",
                        "title": f"w{worker}-{n}",
                        "date": "20200101",
                        "slug": "x",
                        "stamp": "",
                    }
                ]
            )


@pytest.mark.slow
def test_concurrent_writers_lose_nothing(search_index):
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_write_many, args=(str(store.index_dir()), w, 15)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
    assert [process.exitcode for process in workers] == [0, 0, 0, 0]
    assert len(backend().stamps()) == 60


def test_rebuild_keeps_search_answering(make_article, search_index):
    for n in range(30):
        make_article(f"Steppe report {n}")
    search_index.update()
    params = SearchRequest.from_querydict({"q": "steppe"})
    seen, stop = [], threading.Event()

    def searching():
        while not stop.is_set():
            seen.append(len(search_article_ids(params, limit=100)))
        backend().forget()

    thread = threading.Thread(target=searching)
    thread.start()
    try:
        generation = search_index.rebuild(progress=lambda n: time.sleep(0.005))
    finally:
        stop.set()
        thread.join(10)
    assert store.current_name() == generation
    assert len(seen) > 5
    assert set(seen) == {30}
    assert run_search(params).count == 30
    assert indexing.compare()["missing"] == []


@pytest.mark.django_db(transaction=True)
def test_saves_close_together_share_one_index_commit(make_article, search_index, settings, monkeypatch):
    """With a drain delay (production), the on-commit hook only wakes this process's drainer
    thread: a save after a quiet spell is written at once, and saves committed within the delay
    after it reach the index together in one Whoosh commit."""
    settings.ARCHIVE_SEARCH_DRAIN_DELAY = 6.0  # far above any load-induced lag (the check below)
    settings.ARCHIVE_SEARCH_SAVE_WAIT = 0  # a script's saves that do not wait for their writes
    written = []
    write = store.write_documents

    def counting(**kwargs):
        written.append({document["title"] for document in kwargs["documents"]})
        return write(**kwargs)

    monkeypatch.setattr(store, "write_documents", counting)
    make_article("Prompt piece")
    started = time.monotonic()
    while not found("prompt") and time.monotonic() - started < 8:
        time.sleep(0.02)
    assert found("prompt") == {"Prompt piece"}
    assert time.monotonic() - started < 4  # not held for the delay
    titles = {f"Batched piece {n}" for n in range(5)}
    for title in sorted(titles):
        make_article(title)  # each save is its own transaction (autocommit)
    assert PendingIndexUpdate.objects.exists()  # the saves returned before the index was written
    indexing.flush_pending()
    assert written[0] == {"Prompt piece"}
    assert len(written) == 2 and titles <= written[1]
    assert found("batched") == titles
    assert not PendingIndexUpdate.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_save_returns_once_search_finds_it(make_article, search_index, settings):
    """Read-your-writes: a save outside an import returns after its own index write, so the
    editor's first search finds it, even when the drainer holds the write back (a second save
    within the drain delay of the first, as under load)."""
    settings.ARCHIVE_SEARCH_DRAIN_DELAY = 1.0
    make_article("Opening piece")
    started = time.monotonic()
    make_article("Following piece")  # within the delay: the drainer writes it a second later
    assert found("following") == {"Following piece"}
    assert 0.5 < time.monotonic() - started < 5
    assert not PendingIndexUpdate.objects.exists()
    indexing.flush_pending()


def test_parallel_build_writes_every_document(make_article, search_index):
    """A rebuild with two writer processes (large archives) holds every document, one segment
    per process, and answers like a single-process build."""
    for n in range(12):
        make_article(f"Tundra survey {n}", authors=["Ann Lee"])
    search_index.update()
    with store.write_lock():
        name = store.build_generation(store.documents(schema.indexable().for_listing()), procs=2)
        store.swap_generation(name)
    backend().forget()
    assert run_search(SearchRequest.from_querydict({"q": "tundra"})).count == 12
    assert titles("author:lee tundra 7")[0] == "Tundra survey 7"
    assert indexing.compare()["missing"] == []


@pytest.mark.django_db(transaction=True)
def test_opening_the_index_while_another_thread_commits_never_finds_it_missing(make_article, search_index):
    """A writer's commit deletes the table of contents and merged segments of the index version
    it replaces: a reader opening the index at that moment looks again instead of answering 503."""
    article = make_article("Steady piece")
    search_index.update()
    done = threading.Event()

    def write():
        try:
            for _ in range(60):  # a segment per commit, merged every 8: old files keep going
                with store.write_lock(wait=True):
                    indexing.write_articles({article.pk})
        finally:
            done.set()

    writer = threading.Thread(target=write)
    writer.start()
    opened = missing = 0
    while not done.is_set():
        backend().forget()
        state = live.live()
        opened += 1
        missing += state is None
    writer.join()
    assert opened > 10 and missing == 0
    assert found("steady") == {"Steady piece"}


def test_a_live_write_keeps_the_other_segments_columns(make_article, search_index):
    """Every save deletes the old version of its piece in the big segment: the big segment's open
    files are kept (Whoosh's own refresh reopened them), and so are its facet columns and field
    lengths (kept by segment id); only the new segment's are read."""
    pieces = [make_article(f"Columned piece {n}", keywords=["Oil"]) for n in range(3)]
    search_index.rebuild()
    assert found("columned") == {f"Columned piece {n}" for n in range(3)}
    big = live.live().searcher.reader().leaf_readers()[0][0]
    kept = live._segment_values(big)
    assert {"dates", ("column", "keyword_slug"), ("lengths", "text")} <= set(kept)

    pieces[0].title = "Columned piece renamed"
    pieces[0].save()
    search_index.update()

    assert found("renamed") == {"Columned piece renamed"}
    assert found("columned") == {"Columned piece renamed", "Columned piece 1", "Columned piece 2"}
    readers = [reader for reader, _offset in live.live().searcher.reader().leaf_readers()]
    assert readers[0] is not big and readers[0].has_deletions() and not big.has_deletions()
    assert readers[0]._terms is big._terms  # the same open term index: nothing read again
    assert live._segment_values(readers[0]) is kept


def test_a_starting_worker_reads_the_index_before_its_first_search(make_article, search_index):
    """gunicorn's post_worker_init (gunicorn.conf.py) opens the index and works out the values a
    search needs, kept by segment for every thread of the worker."""
    import runpy
    from pathlib import Path

    make_article("Warm piece", keywords=["Oil"])
    search_index.rebuild()
    live._SEGMENT_VALUES.clear()
    backend().forget()

    class Worker:  # the part of gunicorn's worker the hook uses
        class log:
            @staticmethod
            def exception(message):
                raise AssertionError(message)

    config = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    config["post_worker_init"](Worker())

    reader = live.live().searcher.reader().leaf_readers()[0][0]
    kept = live._segment_values(reader)
    values, codes, starts = kept[("column", "keyword_slug")]
    assert (values, list(codes), list(starts)) == (["oil"], [0], [0, 1])
    assert {("lengths", "text"), ("lengths", "title"), "dates"} <= set(kept)
    assert found("warm") == {"Warm piece"}


def test_a_save_looks_a_misspelt_words_close_spellings_up_in_its_new_segment_only(
    make_article, search_index, monkeypatch
):
    """A misspelt word's correction is worked out again for each index version, but what each
    segment holds of the word's close spellings is kept by segment: after a save, only the new
    segment is asked. The memo is bounded by entries."""
    for n in range(12):
        make_article(f"Iraq report {n}", body="<p>Iraq and its neighbours.</p>")
    search_index.rebuild()
    assert run_search(SearchRequest.from_querydict({"q": "Irsq"})).corrections == {"Irsq": "Iraq"}
    what = ("df", "text", ("edits", "irsq"))
    big = live.live().leaves[0][0]
    kept = live._SEGMENT_LOOKUPS[(live._segment_key(big), what)]
    assert dict(kept) == {"iraq": 12}

    make_article("Iraq report 12", body="<p>Iraq and its neighbours.</p>")
    search_index.update()
    results = run_search(SearchRequest.from_querydict({"q": "Irsq"}))
    assert results.corrections == {"Irsq": "Iraq"} and results.count == 13
    leaves = [reader for reader, _offset in live.live().leaves]
    assert len(leaves) == 2 and live._SEGMENT_LOOKUPS[(live._segment_key(leaves[0]), what)] is kept
    assert dict(live._SEGMENT_LOOKUPS[(live._segment_key(leaves[1]), what)]) == {"iraq": 1}

    monkeypatch.setattr(live, "_SEGMENT_LOOKUPS_MAX", 3)
    for word in ("Irsq", "Iraz", "Irac", "Iriq"):
        assert run_search(SearchRequest.from_querydict({"q": word})).corrections == {word: "Iraq"}
    assert len(live._SEGMENT_LOOKUPS) <= 3


def test_a_segment_answers_which_close_spellings_it_holds_from_its_term_hashes(make_article, search_index):
    """A rare word's close spellings (hundreds) are first checked against each segment's array of
    term hashes; what it keeps is exactly what the segment's term table holds."""
    make_article("Iraq and Iran", body="<p>Iraq, Iran, Irak and the oil of Basra.</p>")
    make_article("تهران", body="<p>آلودگی هوای تهران</p>", language="fa")
    search_index.rebuild()
    reader = live.live().leaves[0][0]
    for word in ("irsq", "basrah", "تهرن"):
        candidates = sorted({term for _edit, term in compiler._edit_terms(word)})
        assert len(candidates) >= 50  # enough to be checked by hash
        held = set(live._held_terms(reader, "text", candidates))
        assert held == {t for t in candidates if reader.doc_frequency("text", t)}
        assert held  # "iraq", "basra", "تهران" are among them


def test_a_search_reads_each_documents_id_once_per_segment(make_article, search_index):
    """Feeds and exports take the ids of their hits; each is read from the stored fields once and
    kept by segment, and a save's new segment gives its piece's id."""
    pieces = [make_article(f"Identified piece {n}", date=datetime.date(2019, 1, 1 + n)) for n in range(3)]
    search_index.rebuild()
    search = SearchRequest.from_querydict({"q": "identified", "sort": "oldest"})
    expected = [piece.pk for piece in pieces]
    assert search_article_ids(search) == expected
    big = live.live().searcher.reader().leaf_readers()[0][0]
    assert sorted(live._segment_values(big)["article_ids"]) == sorted(expected)
    assert search_article_ids(search) == expected

    pieces[1].title = "Identified piece again"
    pieces[1].save()
    search_index.update()
    assert search_article_ids(search) == expected
