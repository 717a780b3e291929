"""The shortcuts that make search fast keep its behaviour: cached searches never go stale,
close spellings only where they help, snippets from the stored excerpt with a deeper fallback."""

import datetime
import json

from archive.search import analysis
from archive.search.analysis import analyze_with_offsets, matching_spans
from archive.search.schema import EXCERPT_CHARS
from archive.search.service import SearchRequest, run_search
from archive.search.spelling import VARIANTS_BELOW_DOCS as FUZZY_BELOW_DOCS


def search(q, **params):
    return run_search(SearchRequest.from_querydict({"q": q, **params}))


def test_repeated_search_is_cached_until_the_index_changes(make_article, search_index):
    make_article("Caspian gas")
    search_index.update()
    first = search("caspian")
    assert search("caspian") is first
    assert search("caspian", sort="newest") is not first
    make_article("Caspian oil")
    search_index.update()
    again = search("caspian")
    assert again is not first
    assert {hit.title for hit in again.hits} == {"Caspian gas", "Caspian oil"}


def test_close_spellings_only_for_rare_words(make_article, search_index):
    for n in range(FUZZY_BELOW_DOCS):
        make_article(f"Baltic report {n}")
    make_article("Baltik ports")  # OCR'd
    make_article("Nordic ports")
    make_article("Nordik harbours")
    search_index.update()
    # A word with a page of exact matches does not drag in close spellings...
    assert "Baltik ports" not in {hit.title for hit in search("baltic").hits}
    assert search("baltic").count == FUZZY_BELOW_DOCS
    # ...a rare one does, ranked below the exact match.
    assert [hit.title for hit in search("nordic").hits] == ["Nordic ports", "Nordik harbours"]
    # A word not in the index at all still gets "did you mean".
    assert search("nordikk").suggestion == "nordik"


def test_snippet_from_deep_in_a_long_body(make_article, search_index):
    filler = "Nothing to see here. " * (EXCERPT_CHARS // 10)
    make_article("Long piece", body=f"<p>{filler}</p><p>The Caspian treaty was signed.</p>")
    make_article("Short piece", abstract="The Caspian shore.")
    search_index.update()
    hits = {hit.title: str(hit.snippet) for hit in search("caspian").hits}
    assert hits["Short piece"] == "The <mark>Caspian</mark> shore."
    assert "The <mark>Caspian</mark> treaty was signed." in hits["Long piece"]


def test_cached_highlighter_terms_match_the_analyzer():
    with open("tests/data/search/corpus_sample.json", encoding="utf-8") as handle:
        texts = [item["text"] for item in json.load(handle)]
    texts.append("Motivations, MOTIVATED; U.S.-Iraq ties\u200cمی\u200cشود ۹۹ أُوبَامَا " + "x" * 100)
    for text in texts:
        analysed = analyze_with_offsets(text)
        terms = {term for term, _, _ in analysed}
        assert matching_spans(text, terms) == [(start, end) for _, start, end in analysed]


def test_remembered_close_spellings_follow_the_index(make_article, search_index):
    """Close spellings and "did you mean" are remembered per index version: a re-sorted or paged
    search reuses them, and a new close spelling in the index is found at once."""
    make_article("Irag oil")  # OCR'd
    search_index.update()
    assert [hit.title for hit in search("iraq").hits] == ["Irag oil"]
    assert [hit.title for hit in search("iraq", sort="newest").hits] == ["Irag oil"]
    make_article("Iraw survey", date=datetime.date(2021, 3, 1))
    search_index.update()
    assert {hit.title for hit in search("iraq").hits} == {"Irag oil", "Iraw survey"}
    assert search("presidnet", sort="oldest").suggestion is None
    make_article("The president speaks")
    search_index.update()
    assert search("presidnet", sort="oldest").suggestion == "president"


def test_spans_found_by_one_regex_match_the_word_by_word_scan():
    """The highlighter's regex finds exactly the words a word-by-word scan of the analyzer would."""
    from archive.search.analysis import WORD_RE, term_of

    texts = [
        "Iraq's war, IRAQ; Iraqi irag iraq-iran iraq_x x_iraq Iraq.",
        # "ketab-ha" with Arabic kaf and a ZWNJ (one word), "ketab" with keheh, "al-ketab" (another term).
        "\u0643\u062a\u0627\u0628\u200c\u0647\u0627 \u06a9\u062a\u0627\u0628 "
        "\u0627\u0644\u0643\u062a\u0627\u0628",
        "motivations motivation motivated Motivation2 2motivation",
        "a\u0301b ab ab\u0301 ab",
    ]
    for text in texts:
        for terms in (
            {"iraq"},
            {"irag", "iraqi"},
            {"\u06a9\u062a\u0627\u0628", "\u06a9\u062a\u0627\u0628\u0647\u0627"},
            {"motiv"},
            {"ab"},
        ):
            expected = [m.span() for m in WORD_RE.finditer(text) if term_of(m.group()) in terms]
            assert matching_spans(text, terms) == expected
    assert matching_spans("Iraq and iraq", {"iraq"}) == [(0, 4), (9, 13)]


def test_facets_follow_live_writes_across_segments(make_article, search_index):
    """Facet columns are kept per segment; an added segment, and an article rewritten out of an
    older segment, count exactly."""
    from archive.articles.services import article_set_authors, author_get_or_create

    first = make_article("Delta floods", authors=["Ann Lee"])
    search_index.update()
    assert [(f["label"], f["count"]) for f in search("delta").facets["author"]] == [("Ann Lee", 1)]
    make_article("Delta farms", authors=["Bo Chen"])
    search_index.update()
    assert [(f["label"], f["count"]) for f in search("delta").facets["author"]] == [
        ("Ann Lee", 1),
        ("Bo Chen", 1),
    ]
    article_set_authors(article=first, authors=[author_get_or_create(name="Bo Chen")[0]])
    search_index.update()
    assert [(f["label"], f["count"]) for f in search("delta").facets["author"]] == [("Bo Chen", 2)]
    assert search("delta", author="ann-lee").count == 0


def test_page_two_follows_the_ranking_of_page_one(make_article, search_index):
    """The count is exact and each page is ranked only as deep as it needs: pages 1 and 2 of a
    top-N ranking are the first 2N of the whole ranking."""
    for n in range(5):
        make_article(f"Tundra {n}", abstract="tundra " * (n + 1))
    make_article("Tundra in the title only")
    search_index.update()
    whole = [hit.title for hit in run_search(SearchRequest(q="tundra"), per_page=10).hits]
    first = run_search(SearchRequest(q="tundra"), per_page=2)
    second = run_search(SearchRequest(q="tundra", page=2), per_page=2)
    assert first.count == second.count == 6
    assert [hit.title for hit in first.hits + second.hits] == whole[:4]
    assert whole[0] == "Tundra 4"


def test_excluded_words_stay_out_across_segments(make_article, search_index):
    """Each update writes its own segment; an excluded word is honoured in all of them, in the
    count, the hits and the facets."""
    make_article("Steppe and taiga", authors=["Ann Lee"])
    search_index.update()
    make_article("Steppe grazing", authors=["Bo Chen"])
    search_index.update()
    make_article("Taiga fires", body="<p>The steppe burns too.</p>", authors=["Ann Lee"])
    search_index.update()
    results = search("steppe OR grazing -taiga")
    assert results.count == 1
    assert [hit.title for hit in results.hits] == ["Steppe grazing"]
    assert [(f["label"], f["count"]) for f in results.facets["author"]] == [("Bo Chen", 1)]
    assert search("steppe -taiga", sort="newest").count == 1


def test_snippet_of_a_piece_found_by_its_title_is_its_opening(make_article, search_index):
    """A hit whose title shows the match and whose stored excerpt has none is shown with the
    opening of its text (its body is not read for a deeper passage)."""
    filler = "Nothing to see here. " * (EXCERPT_CHARS // 10)
    make_article("Caspian notes", body=f"<p>{filler}</p><p>The Caspian treaty.</p>")
    make_article("Long piece", body=f"<p>{filler}</p><p>The Caspian treaty was signed.</p>")
    search_index.update()
    hits = {hit.title: str(hit.snippet) for hit in search("caspian").hits}
    assert hits["Caspian notes"].startswith("Nothing to see here.")
    assert "<mark>" not in hits["Caspian notes"]
    assert "The <mark>Caspian</mark> treaty was signed." in hits["Long piece"]


def test_snippet_of_a_piece_found_by_a_keyword_alone_is_its_opening(make_article, search_index):
    """A hit whose word is only among its keywords (not in its subtitle, abstract or body) is shown
    with the opening of its text without reading the database; a hit with the word deeper in its
    body still gets that passage, and one with it in the subtitle is looked up as before."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    filler = "Nothing to see here. " * (EXCERPT_CHARS // 10)
    make_article("Gulf notes", body=f"<p>{filler}</p>", keywords=["Caspian"])
    make_article("Long piece", body=f"<p>{filler}</p><p>The Caspian treaty was signed.</p>")
    make_article("Sea notes", subtitle="On the Caspian", body=f"<p>{filler}</p>")
    search_index.update()
    with CaptureQueriesContext(connection) as queries:
        hits = {hit.title: str(hit.snippet) for hit in search("caspian").hits}
    assert hits["Gulf notes"].startswith("Nothing to see here.")
    assert "<mark>" not in hits["Gulf notes"]
    assert "The <mark>Caspian</mark> treaty was signed." in hits["Long piece"]
    assert hits["Sea notes"].startswith("Nothing to see here.")
    body_reads = [q["sql"] for q in queries.captured_queries if '"body"' in q["sql"]]
    assert len(body_reads) == 1  # one query, for "Long piece" and "Sea notes" only
    with CaptureQueriesContext(connection) as queries:
        search("caspian", keyword="caspian")
    assert not [q["sql"] for q in queries.captured_queries if '"body"' in q["sql"]]


def test_snippet_comes_from_the_first_stretch_with_a_match():
    from archive.search.highlight import FIRST_SCAN_CHARS, snippet

    filler = "plain words here " * (2 * FIRST_SCAN_CHARS // 17)
    early = f"The delta floods. {filler} delta delta delta and the delta again."
    cut = str(snippet(early, {"delta"}))
    assert cut.startswith("The <mark>delta</mark> floods.")
    # No match in the opening: the densest cluster of the rest, every match in the window marked.
    late = f"{filler}{filler} delta and delta and delta."
    assert str(snippet(late, {"delta"})).endswith(
        "<mark>delta</mark> and <mark>delta</mark> and <mark>delta</mark>."
    )
    # A window that starts in the opening and runs past it marks the words beyond it too.
    edge = "w " * (FIRST_SCAN_CHARS // 2 - 3) + "delta x delta y delta z" + " w" * FIRST_SCAN_CHARS
    assert str(snippet(edge, {"delta"})).count("<mark>delta</mark>") == 3


def test_word_caches_stay_within_their_limit_and_keep_highlighting_right(monkeypatch):
    """Every new word a serving process meets is cached; the caches start afresh at WORD_CACHE_MAX
    words (issue 19.5: workers grew past 300 MB), and spans found afterwards are still exact."""
    monkeypatch.setattr(analysis, "WORD_CACHE_MAX", 40)
    for n in range(30):  # 300 words never seen before
        text = " ".join(f"quillon{n}x{k}" for k in range(10))
        assert matching_spans(text, {f"quillon{n}x3"}) == [
            (len(f"quillon{n}x0 ") * 3, len(f"quillon{n}x0 ") * 4 - 1)
        ]
        assert len(analysis._WORD_TERMS) <= 40
        assert len(analysis._SEEN) <= 40 and len(analysis._SEEN_TEXTS) <= 40

    assert matching_spans("Tundra herders, tundra roads", {"tundra"}) == [(0, 6), (16, 22)]


def test_a_bulk_build_keeps_more_words_while_it_lasts(monkeypatch):
    monkeypatch.setattr(analysis, "WORD_CACHE_MAX", 40)
    monkeypatch.setattr(analysis, "BUILD_WORD_CACHE_MAX", 1000)
    with analysis.building():
        for n in range(300):
            analysis.word_terms(f"fenwick{n}")
        assert len(analysis._WORD_TERMS) >= 300
    assert analysis.WORD_CACHE_MAX == 40
    assert len(analysis._WORD_TERMS) == 0  # more than a serving process keeps: emptied
