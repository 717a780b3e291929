"""The rebuild's writer (`bulk.BulkWriter`) writes the index Whoosh's own writer writes."""

import datetime

import pytest
from whoosh.filedb.filestore import FileStorage

from archive.search import indexing, schema
from archive.search.backends import backend
from archive.search.backends.whoosh import bulk, store
from archive.search.service import SearchRequest, run_search
from tests.search.conftest import make_oil_shelf


def _index_contents(ix):
    """Everything a search reads: terms with their statistics and postings (positions, weights,
    lengths), field lengths, stored fields."""
    with ix.reader() as reader:
        terms = {}
        for fieldname, tbytes in reader.all_terms():
            info = reader.term_info(fieldname, tbytes)
            matcher = reader.postings(fieldname, tbytes)
            postings = []
            while matcher.is_active():
                block = (matcher.block_min_length(), matcher.block_max_length(), matcher.block_max_weight())
                postings.append((matcher.id(), matcher.weight(), matcher.value(), block))
                matcher.next()
            terms[(fieldname, tbytes)] = (
                info.weight(),
                info.doc_frequency(),
                info.min_length(),
                info.max_length(),
                info.max_weight(),
                info.min_id(),
                info.max_id(),
                postings,
            )
        lengths = {
            name: (
                reader.field_length(name),
                [reader.doc_field_length(n, name) for n in range(reader.doc_count_all())],
            )
            for name in ix.schema.scorable_names()
        }
        return terms, lengths, list(reader.all_stored_fields())


def _write(path, documents, writer_class, **kwargs):
    path.mkdir()
    ix = FileStorage(str(path)).create_index(store.build_schema(), indexname="articles_1")
    writer = writer_class(ix, **kwargs)
    for document in documents:
        writer.add_document(**document)
    writer.commit(optimize=True)
    return ix


@pytest.mark.parametrize("limitmb", [256, 0.02], ids=["in memory", "spilled to runs"])
def test_bulk_writer_writes_what_whoosh_writes(make_article, tmp_path, monkeypatch, limitmb):
    make_oil_shelf(make_article)
    words = ["steppe", "tundra", "oil", "gas", "pipeline", "Tehran", "تهران", "نفتی", "the", "and", "of"]
    for n in range(150):  # posting lists longer than one block (128 postings)
        make_article(
            f"Survey {n} of {words[n % len(words)]}",
            date=datetime.date(2000 + n % 20, 1 + n % 12, 1 + n % 28),
            authors=["Ann Lee"] if n % 2 else ["Bo Chen", "Ann Lee"],
            keywords=["Energy"] if n % 3 else [],
            body="<p>" + " ".join(words[(n + k) % len(words)] for k in range(n % 40)) + " steppe steppe</p>",
        )
    documents = list(store.documents(schema.indexable().for_listing()))
    assert len(documents) == 155  # the draft is not indexed
    assert bulk.supported(store.build_schema())

    def stock(ix, **kwargs):
        return ix.writer(compound=False, **kwargs)

    runs = []
    spill = bulk._Pool.spill
    monkeypatch.setattr(bulk._Pool, "spill", lambda pool: runs.append(1) or spill(pool))
    ours = _write(tmp_path / "bulk", documents, bulk.BulkWriter, limitmb=limitmb)
    theirs = _write(tmp_path / "stock", documents, stock, limitmb=256)
    ours_terms, ours_lengths, ours_stored = _index_contents(ours)
    theirs_terms, theirs_lengths, theirs_stored = _index_contents(theirs)
    assert sorted(ours_terms) == sorted(theirs_terms)
    assert ours_terms == theirs_terms
    assert ours_lengths == theirs_lengths
    assert ours_stored == theirs_stored
    assert ours_terms[("text", b"stepp")][1] == 150
    assert (len(runs) > 10) == (limitmb < 1)
    if limitmb < 1:
        assert not list((tmp_path / "bulk").glob("**/*.run"))  # runs are removed with the writer


def test_rebuild_writes_with_the_bulk_writer(make_article, search_index, monkeypatch):
    make_oil_shelf(make_article)
    used = []
    monkeypatch.setattr(
        bulk.BulkWriter,
        "commit",
        lambda self, **kw: used.append(self) or bulk.SegmentWriter.commit(self, **kw),
    )
    search_index.rebuild()
    assert len(used) == 1
    backend().forget()
    results = run_search(SearchRequest.from_querydict({"q": "oil"}))
    assert {hit.title for hit in results.hits} == {"Oil and Iran", "Oil and Iraq", "Oil markets", "نفت ایران"}
    assert indexing.compare()["missing"] == []
