"""Segments are merged beside the saves (merging.py): a save never waits for documents to be
copied, and a merge loses nothing that saves did meanwhile."""

import hashlib
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command

from archive.search import indexing
from archive.search.backends.whoosh import merging, store
from archive.search.service import SearchRequest, run_search


def titles(q):
    return sorted(hit.title for hit in run_search(SearchRequest.from_querydict({"q": q})).hits)


def segment_sizes():
    ix = store.files().open_index(indexname=store.current_name(), schema=store.build_schema())
    return sorted(s.doc_count() for s in ix._segments())


@pytest.fixture
def separate_saves(make_article, search_index, monkeypatch):
    """Nine pieces, each saved (and committed to the index) on its own: nine segments, with the
    automatic merge held back until the test lets it run."""
    monkeypatch.setattr(merging, "MERGE_AT_SEGMENTS", 1000)
    pieces = []
    for n in range(9):
        pieces.append(make_article(f"Quayside ledger {n}"))
        search_index.update()
    monkeypatch.setattr(merging, "MERGE_AT_SEGMENTS", 8)
    assert segment_sizes() == [1] * 9
    return pieces


@pytest.mark.django_db
def test_saves_during_a_merge_are_kept_and_its_files_survive_their_commits(separate_saves, search_index):
    pieces = separate_saves
    merge = merging.Merge.claim()
    assert len(merge.segments) == 9
    # Saves between the claim and the copy, and between the copy and the swap: each commits (and
    # runs Whoosh's clean-up of files no table of contents names) without waiting for the merge.
    pieces[0].title = "Quayside ledger renamed"
    pieces[0].save()
    search_index.update()
    merge.write()
    pieces[1].delete()
    pieces[2].status = "draft"
    pieces[2].save()
    search_index.update()
    assert segment_sizes() == [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]  # the renamed piece's new segment

    held = merge.install()

    assert held < 5
    # The nine pieces were copied as they stood at the claim; the three changed since (renamed,
    # deleted, unpublished) are carried over as deletions of the merged segment.
    assert segment_sizes() == [1, 6]
    kept = ["Quayside ledger renamed"] + [f"Quayside ledger {n}" for n in range(3, 9)]
    assert titles("quayside") == sorted(kept)
    assert titles("renamed") == ["Quayside ledger renamed"]
    report = indexing.compare()
    assert (report["missing"], report["stale"], report["orphaned"]) == ([], [], [])
    assert store.verify(checksums=True) == []
    assert list(store.index_dir().glob("*.merging.*.json")) == []


@pytest.mark.django_db
def test_a_save_adds_a_segment_and_the_merge_follows_it(separate_saves, search_index, make_article):
    """With no drain delay (the tests) the merge runs right after the save's commit; in production
    `merging.start()` runs it in a process of its own."""
    make_article("Quayside ledger 9")
    search_index.update()
    assert segment_sizes() == [10]
    assert len(titles("quayside")) == 10


@pytest.mark.django_db
def test_a_merge_overtaken_by_a_rebuild_is_abandoned_and_cleaned_up(separate_saves, search_index):
    merge = merging.Merge.claim()
    merge.write()
    new_files = [f for f in os.listdir(store.index_dir()) if merge.writer.newsegment.segid in f]
    assert new_files
    search_index.rebuild()

    with pytest.raises(merging.Abandoned):
        merge.install()

    assert [f for f in os.listdir(store.index_dir()) if merge.writer.newsegment.segid in f] == []
    assert len(titles("quayside")) == 9


@pytest.mark.django_db
def test_the_marker_of_a_merger_that_died_is_ignored(separate_saves, make_article, search_index):
    name = store.current_name()
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    dead_pid = int(finished.stdout)
    path = merging.marker_path(store.index_dir(), name, f"{name}_deadbeef")
    path.write_text(json.dumps({"segment": f"{name}_deadbeef", "sources": [], "pid": dead_pid, "started": 0}))
    assert not merging.in_progress(store.index_dir(), name)
    make_article("Quayside ledger 9")
    search_index.update()  # due, and nobody merging: merged
    assert segment_sizes() == [10]
    assert not path.exists()


@pytest.mark.django_db
def test_saves_merge_inline_only_when_segments_pile_up_with_no_merger(
    make_article, search_index, monkeypatch
):
    monkeypatch.setattr(merging, "MERGE_AT_SEGMENTS", 1000)  # as if no merger ever ran
    monkeypatch.setattr(store, "MERGE_INLINE_AT", 5)
    for n in range(5):
        make_article(f"Harbour note {n}")
        search_index.update()
    assert segment_sizes() == [1, 1, 1, 1, 1]
    make_article("Harbour note 5")
    search_index.update()  # Whoosh's own policy, in the commit
    assert len(segment_sizes()) < 6
    assert len(titles("harbour")) == 6


@pytest.mark.django_db
def test_merge_index_all_leaves_one_segment(separate_saves, capsys):
    call_command("merge_index", "--all")
    assert segment_sizes() == [9]
    assert "Merged 9 segments into one of 9 documents" in capsys.readouterr().out
    call_command("merge_index")
    assert "Nothing to merge." in capsys.readouterr().out


@pytest.mark.django_db
def test_a_drain_with_a_delay_starts_the_merge_in_a_process_of_its_own(separate_saves, monkeypatch):
    """The merger process is `manage.py merge_index`, with the environment of the process that saved."""
    monkeypatch.setenv("ARCHIVE_INDEX_DIR", str(settings.ARCHIVE_INDEX_DIR))
    monkeypatch.setattr(settings, "ARCHIVE_SEARCH_DRAIN_DELAY", 0.15)
    monkeypatch.setattr(merging, "_last_start", float("-inf"))
    process = merging.start()
    assert process is not None
    assert process.wait(timeout=120) == 0
    assert segment_sizes() == [9]
    assert merging.start() is None  # at most one start per START_EVERY seconds from a process


@pytest.mark.django_db
def test_the_next_merge_removes_the_temporary_folder_a_dead_merger_left(separate_saves):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    left = store.index_dir() / f"{store.current_name()}.merge-{int(finished.stdout)}-0.tmp"
    left.mkdir()
    (left / "spill.ctmp").write_bytes(b"x" * 100)
    call_command("merge_index", verbosity=0)
    assert not left.exists()
    assert segment_sizes() == [9]


@pytest.mark.django_db
def test_two_merges_run_at_once_on_different_segments(
    separate_saves, make_article, search_index, monkeypatch
):
    """A long merge does not hold up the small ones: a second merger takes segments the first has
    not claimed, and a third finds MAX_MERGERS running."""
    first = merging.Merge.claim()
    assert len(first.segments) == 9
    monkeypatch.setattr(merging, "MERGE_AT_SEGMENTS", 1000)  # the saves below merge nothing
    for n in range(9, 13):
        make_article(f"Quayside ledger {n}")
        search_index.update()
    monkeypatch.setattr(merging, "MERGE_AT_SEGMENTS", 8)
    second = merging.Merge.claim()
    assert len(second.segments) == 4
    assert not {s.segment_id() for s in first.segments} & {s.segment_id() for s in second.segments}
    assert merging.Merge.claim() is None

    second.write()
    second.install()
    first.write()
    first.install()

    assert segment_sizes() == [4, 9]
    assert len(titles("quayside")) == 13
    report = indexing.compare()
    assert (report["missing"], report["stale"], report["orphaned"]) == ([], [], [])
    assert store.verify(checksums=True) == []


class Sized:
    """What `choose` reads of a Whoosh segment."""

    def __init__(self, n, docs, deleted=0):
        self.id, self.docs, self.deleted = f"s{n}", docs, deleted

    def segment_id(self):
        return self.id

    def doc_count(self):
        return self.docs - self.deleted

    def doc_count_all(self):
        return self.docs

    def deleted_count(self):
        return self.deleted


def test_merges_take_the_smallest_tier_with_enough_segments():
    def chosen(sizes, claimed=(), deleted=None):
        segments = [Sized(n, docs, (deleted or {}).get(n, 0)) for n, docs in enumerate(sizes)]
        return sorted(s.docs for s in merging.choose(segments, claimed))

    assert chosen([5000, 50, 50, 50, 1, 1, 1]) == []  # fewer than MERGE_AT_SEGMENTS
    assert chosen([5000, 50, 50, 50, 50, 1, 1, 1]) == [50, 50, 50, 50]
    assert chosen([5000, 50, 50, 50, 50, 1, 1, 1, 2]) == [1, 1, 1, 2]
    assert chosen([5000, 50, 50, 50, 50, 1, 1, 1, 2], claimed={"s5", "s6"}) == [50, 50, 50, 50]
    assert chosen([5000, 600, 60, 60, 60, 7, 7, 7]) == []
    assert chosen([5000, 600, 60, 60, 60, 7, 7, 7], deleted={0: 3000}) == [5000]


def test_copied_segments_are_the_files_whooshs_own_merge_writes(tmp_path):
    """`copy_segments` streams postings block by block instead of through Whoosh's sorting pool:
    the segment it writes must be byte for byte the one `add_reader` writes, deletions included
    and with terms long enough to span several blocks."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.reading import SegmentReader
    from whoosh.writing import SegmentWriter

    schema = store.build_schema()
    source = FileStorage(str(tmp_path / "source")).create()
    ix = source.create_index(schema, indexname="articles")
    words = ["harbour", "ledger", "tariff", "quay", "customs", "pilot", "ballast"]
    for batch in range(3):
        writer = ix.writer()
        for n in range(150):
            number = batch * 150 + n
            writer.add_document(
                id=str(number),
                title=f"{words[number % 7]} report {number}",
                text=" ".join(words[(number + k) % 7] for k in range(number % 11 + 1)) + " common",
                author_slug=f"author-{number % 5}",
                kind="analysis",
                excerpt=f"excerpt {number}",
            )
        writer.commit(merge=False)
    writer = ix.writer()
    for number in range(0, 450, 7):  # deletions in every segment
        writer.delete_by_term("id", str(number))
    writer.commit(merge=False)
    segments = ix._segments()
    assert [s.doc_count_all() for s in segments] == [150, 150, 150]

    written = {}
    for way in ("add_reader", "copy_segments"):
        target = FileStorage(str(tmp_path / way)).create()
        writer = SegmentWriter(target.create_index(schema, indexname="articles"), compound=False, _lk=False)
        readers = [SegmentReader(source, schema, segment) for segment in segments]
        if way == "add_reader":
            for reader in readers:
                writer.add_reader(reader)
            segment = writer._finalize_segment()
        else:
            segment = merging.copy_segments(writer, readers)
        for reader in readers:
            reader.close()
        assert segment.doc_count_all() == 450 - 65
        prefix = segment.segment_id()
        written[way] = {
            name.replace(prefix, "SEGMENT"): hashlib.sha256(target.open_file(name).read()).hexdigest()
            for name in target.list()
            if name.startswith(prefix)
        }
    assert sorted(written["copy_segments"]) == sorted(written["add_reader"])
    assert "SEGMENT.pst" in written["add_reader"]
    assert written["copy_segments"] == written["add_reader"]


@pytest.mark.django_db
def test_a_searcher_reads_stored_fields_of_segments_merged_away_since_it_opened(separate_saves, search_index):
    """A thread's searcher on an older version (a long export, while another process merges and
    commits) reads every document of that version, though the merged segments' files are gone."""
    from archive.search.backends.whoosh import live

    state = live.live()
    docnums = [int(d) for d in range(state.size) if not state.deleted[d]]
    merging.run(everything=True)
    separate_saves[0].title = "Quayside ledger after the merge"
    separate_saves[0].save()
    search_index.update()  # a commit: its clean-up deletes the merged segments' files
    gone = [reader._segment.segment_id() for reader, _offset in state.leaves]
    assert not [path for path in store.index_dir().iterdir() if path.name.split(".")[0] in gone]

    titles = sorted(state.stored(docnum)["title"] for docnum in docnums)

    assert titles == [f"Quayside ledger {n}" for n in range(9)]
