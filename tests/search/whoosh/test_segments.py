"""The Whoosh room's reads of Whoosh's private structures (backends/whoosh/segments.py, live.py)
give exactly what Whoosh 2.7.4's public API gives, across several segments and deletions."""

import datetime

import numpy as np
import pytest
import whoosh

from archive.articles.services import article_set_keywords, keyword_get_or_create
from archive.search import schema
from archive.search.backends.whoosh import live, segments


@pytest.fixture
def segmented(make_article, search_index):
    """An index of three segments (one per update), one with a deleted document."""
    first = None
    for batch in range(3):
        for n in range(4):
            article = make_article(
                f"Tundra report {batch}-{n}",
                body=f"<p>{'Reindeer herding and human rights. ' * (n + 1)}The tundra, the tundra again.</p>",
                authors=["Ann Lee"] if n % 2 else ["Bo Chen", "Ann Lee"],
                keywords=["Arctic"] if n < 2 else ["Law", "Arctic"],
                date=datetime.date(2020 + batch, 1 + n, 1),
                source_name="Polar Review" if n == 3 else "",
            )
            first = first or article
        search_index.update()
    article_set_keywords(article=first, keywords=[keyword_get_or_create(name="Law")[0]])
    search_index.update()  # rewrites `first`: deleted in the first segment, added in a new one
    state = live.live()
    assert len(state.leaves) > 1
    assert any(reader.has_deletions() for reader, _ in state.leaves)
    return state


def test_pinned_to_whoosh_2_7_4():
    assert whoosh.versionstring() == "2.7.4"
    assert segments.supported()


def test_postings_and_positions_are_whooshs_own(segmented):
    fields = [f.name for f in schema.TEXTS] + [f.index_name for f in schema.FILTERS] + ["date"]
    checked = 0
    for reader, _offset in segmented.leaves:
        deleted = segments.deleted(reader)
        for fieldname in fields:
            for btext in reader.lexicon(fieldname):
                read = segments.read_postings(reader, fieldname, btext)
                # Deleted documents keep their postings until a merge; searches mask them out.
                kept = [i for i, docnum in enumerate(read.ids) if not deleted[docnum]]
                matcher = reader.postings(fieldname, btext)
                ids, freqs, positions = [], [], []
                while matcher.is_active():
                    ids.append(matcher.id())
                    freqs.append(matcher.weight())
                    if matcher.supports("positions"):
                        positions.append(matcher.value_as("positions"))
                    matcher.next()
                assert [int(read.ids[i]) for i in kept] == ids, (fieldname, btext)
                assert [float(read.freqs[i]) for i in kept] == pytest.approx(freqs), (fieldname, btext)
                if positions:
                    assert [read.positions(i) for i in kept] == positions
                checked += 1
    assert checked > 100


def test_field_lengths_and_deletions_are_whooshs_own(segmented):
    for reader, _offset in segmented.leaves:
        for f in schema.SCORED:
            expected = [reader.doc_field_length(d, f.name, 0) or 0 for d in range(reader.doc_count_all())]
            assert list(segments.field_lengths(reader, f.name)) == expected
        assert list(segments.deleted(reader)) == [reader.is_deleted(d) for d in range(reader.doc_count_all())]


def test_columns_hold_every_documents_filter_values(segmented):
    searcher = segmented.searcher
    for docnum in range(segmented.size):
        if segmented.deleted[docnum]:
            continue
        stored = searcher.stored_fields(docnum)
        article_id = int(stored["id"])
        for f in schema.FILTERS:
            column = segmented.column(f)
            expected = {
                btext.decode()
                for btext in searcher.reader().lexicon(f.index_name)
                if docnum in set(searcher.reader().postings(f.index_name, btext).all_ids())
            }
            assert set(column.of(docnum)) == expected, (article_id, f.name)
        assert segmented.dates[docnum] == int(stored["date"])
    polar = segmented.column(schema.filter_named("source")).matching("Polar Review", segmented.size)
    assert int((polar & ~segmented.deleted).sum()) == 3
    assert np.array_equal(segmented.public(99991231), ~segmented.deleted)
