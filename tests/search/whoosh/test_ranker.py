"""The ranker's whole-array scoring equals the documented formula worked out document by document
through Whoosh's public API, across segments and deletions; and its order follows the rules: every
word first, then by score, proximity deciding among the best."""

import math

import numpy as np
import pytest

from archive.search import query
from archive.search.backends.whoosh import compiler, live, ranker
from archive.search.service import SearchRequest, run_search
from tests.search.whoosh.test_segments import segmented  # noqa: F401  (the fixture)


def reference_score(state, compiled, docnum):
    """One clause's score of one document, from the public API: BM25F over the scored fields."""
    reader = state.searcher.reader()
    n = state.searcher.doc_count()
    total = 0.0
    for source in compiled.sources:
        for term, weight in source.terms:
            pseudo = 0.0
            for fieldname, field_weight in source.scored:
                if (fieldname, term) not in reader:
                    continue
                matcher = reader.postings(fieldname, term)
                tf = 0.0
                while matcher.is_active():
                    if matcher.id() == docnum:
                        tf = matcher.weight()
                        break
                    matcher.next()
                if tf:
                    length = reader.doc_field_length(docnum, fieldname, 0) or 0
                    average = state.searcher.avg_field_length(fieldname) or 1.0
                    pseudo += field_weight * tf / ((1 - ranker.B) + ranker.B * length / average)
            if pseudo:
                df = reader.doc_frequency(source.fields[0], term)
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                total += weight * idf * pseudo * (ranker.K1 + 1) / (ranker.K1 + pseudo)
    return total


@pytest.mark.parametrize("text", ["tundra", "reindeer rights", "herd*", "title:tundra", '"human rights" law'])
def test_scores_equal_the_formula_document_by_document(segmented, text):  # noqa: F811
    state = live.live()
    plan = compiler.compile_query(query.parse(text), state, {})
    postings = ranker.Postings(state)
    for compiled in (*plan.ranked, *plan.required):
        ours = ranker._clause_score(state, compiled, postings, state.size)
        for docnum in np.flatnonzero(~state.deleted):
            assert ours[docnum] == pytest.approx(reference_score(state, compiled, int(docnum)), rel=1e-5)


def test_every_word_first_then_by_score(make_article, search_index):
    make_article("Tundra notes", body="<p>" + "Tundra tundra tundra. " * 20 + "</p>")
    make_article("Reindeer notes", body="<p>" + "Reindeer reindeer. " * 20 + "</p>")
    make_article("Both, once", body="<p>A tundra with a reindeer, a long way from anything at all.</p>")
    make_article("Both, apart", body="<p>Tundra. " + "Filler words here. " * 30 + "A reindeer.</p>")
    search_index.update()
    results = run_search(SearchRequest.from_querydict({"q": "tundra reindeer"}))
    titles = [hit.title for hit in results.hits]
    # The pieces with both words first, the closer pair before the distant one; then the rest.
    assert titles[:2] == ["Both, once", "Both, apart"]
    assert set(titles[2:]) == {"Tundra notes", "Reindeer notes"}
    assert (results.count, results.count_all) == (4, 2)


def test_a_long_query_needs_a_share_of_its_words(make_article, search_index):
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    for n in range(1, 9):
        make_article(f"Piece with {n}", body="<p>" + " ".join(words[:n]) + "</p>")
    search_index.update()
    results = run_search(SearchRequest.from_querydict({"q": " ".join(words)}))
    needed = query.required_matches(8)
    assert results.count == 8 - needed + 1
    assert [hit.title for hit in results.hits] == [f"Piece with {n}" for n in range(8, needed - 1, -1)]
    # No piece holds enough of them: the ones that hold the most are still found.
    assert run_search(SearchRequest.from_querydict({"q": "alpha zulu yankee xray whiskey"})).count == 8
