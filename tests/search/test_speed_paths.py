"""The shortcuts that make search fast keep its behaviour: cached searches never go stale,
close spellings only where they help, snippets from the stored excerpt with a deeper fallback."""

import datetime
import json

from archive.search.analysis import analyze_with_offsets, matching_spans
from archive.search.documents import EXCERPT_CHARS
from archive.search.query import FUZZY_BELOW_DOCS
from archive.search.service import SearchParams, run_search


def search(q, **params):
    return run_search(SearchParams.from_querydict({"q": q, **params}))


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
