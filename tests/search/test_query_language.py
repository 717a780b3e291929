"""Matching: stemming, typos, phrases, operators, fields, one-letter words (exact result sets)."""

import datetime

from archive.search.service import SearchRequest, run_search


def titles(q, **params):
    results = run_search(SearchRequest.from_querydict({"q": q, **params}))
    return [hit.title for hit in results.hits]


def title_set(q, **params):
    return set(titles(q, **params))


def test_stemming_finds_other_forms(iraq_shelf):
    assert title_set("motivations") == {
        "Iraq and Russia: Motivations for Interaction",
        "Energy markets after sanctions",
    }
    assert title_set("exporting") == {"Energy markets after sanctions"}


def test_typo_finds_ocr_spelling_ranked_below_exact(iraq_shelf):
    found = titles("Iraq")
    assert set(found) == {
        "Iraq and Russia: Motivations for Interaction",
        "Energy markets after sanctions",
        "Alignment in the neoclassical realism programme",  # says only "Irag"
    }
    assert found[-1] == "Alignment in the neoclassical realism programme"


def _iraq_iran_and_a_scan(make_article, search_index, *, reports):
    """`reports` pieces each on Iraq and on Iran, and one scan whose OCR wrote "Irag"."""
    for n in range(reports):
        make_article(
            f"Iraq report {n}", body="<p>Iraq and its neighbours.</p>", date=datetime.date(2020, 1, 1 + n)
        )
        make_article(
            f"Iran report {n}", body="<p>Iran and its neighbours.</p>", date=datetime.date(2020, 2, 1 + n)
        )
    make_article("Scanned abstract", body="<p>Irag and its neighbours.</p>", date=datetime.date(2020, 3, 1))
    search_index.update()


def test_typo_tolerance_does_not_take_a_common_word_for_a_misspelling(make_article, search_index):
    """ "Iraq" takes the rarer "Irag" (an OCR slip) but not "Iran", a word as common as itself."""
    _iraq_iran_and_a_scan(make_article, search_index, reports=3)
    assert title_set("Iraq") == {"Iraq report 0", "Iraq report 1", "Iraq report 2", "Scanned abstract"}
    assert titles("Iraq")[-1] == "Scanned abstract"
    # "Irag" is in the archive and its neighbours are not much commoner: searched as typed, with
    # no cloud of neighbours ("Iran" and "Iraq" are each one letter away).
    results = run_search(SearchRequest.from_querydict({"q": "Irag"}))
    assert [hit.title for hit in results.hits] == ["Scanned abstract"]
    assert results.corrections == {}


def test_a_misspelt_word_is_corrected_to_its_one_likely_spelling(make_article, search_index):
    """A word much rarer than a close spelling is searched as that spelling, an OCR confusion
    (g/q) winning over an equally common neighbour (Iran); the exact word can still be asked for."""
    _iraq_iran_and_a_scan(make_article, search_index, reports=12)
    results = run_search(SearchRequest.from_querydict({"q": "Irag"}))
    assert results.corrections == {"Irag": "Iraq"}
    assert results.corrected_query == "Iraq"
    found = [hit.title for hit in results.hits]
    assert set(found) == {f"Iraq report {n}" for n in range(12)} | {"Scanned abstract"}
    assert found[-1] == "Scanned abstract"  # the OCR slip itself, below the exact matches
    exact = run_search(SearchRequest.from_querydict({"q": "Irag", "exact": "1"}))
    assert ([hit.title for hit in exact.hits], exact.corrections) == (["Scanned abstract"], {})
    # A keyboard slip in a word missing from the archive.
    assert run_search(SearchRequest.from_querydict({"q": "Irsq"})).corrections == {"Irsq": "Iraq"}


def test_phrase(iraq_shelf):
    assert title_set('"attack against iraq"') == {"Iraq and Russia: Motivations for Interaction"}
    assert title_set('"iraq against attack"') == set()


def test_a_quoted_phrase_found_nowhere_in_a_pasted_question_gives_way_to_its_words(iraq_shelf):
    """A paragraph quoting a title the archive words otherwise still finds pieces (CACM query 30
    found nothing before), and says why; a query that is only the phrase stays exact."""
    results = run_search(SearchRequest.from_querydict({"q": 'papers on russia "iraq against attack"'}))
    assert [hit.title for hit in results.hits] == [
        "Iraq and Russia: Motivations for Interaction",  # every word
        "Alignment in the neoclassical realism programme",
        "Energy markets after sanctions",
    ]
    assert results.notes == [
        'No piece holds "iraq against attack" as written: showing pieces with its words.'
    ]
    assert title_set('"iraq against attack"') == set()
    assert title_set('russia "attack against iraq"') == {"Iraq and Russia: Motivations for Interaction"}
    assert title_set('+"iraq against attack" -russia') == set()


def test_plain_words_rank_pieces_with_all_of_them_first(iraq_shelf):
    results = run_search(SearchRequest.from_querydict({"q": "iraq oil"}))
    assert (results.count, results.count_all, results.count_some) == (3, 1, 2)
    assert [(hit.title, hit.missing) for hit in results.hits] == [
        ("Energy markets after sanctions", ()),
        ("Iraq and Russia: Motivations for Interaction", ("oil",)),
        ("Alignment in the neoclassical realism programme", ("oil",)),  # says "Irag" (OCR)
    ]


def test_or_not_minus_prefix(iraq_shelf):
    assert title_set("malcolm OR oil") == {"Malcolm X and the press", "Energy markets after sanctions"}
    assert title_set("iraq -oil") == {
        "Iraq and Russia: Motivations for Interaction",
        "Alignment in the neoclassical realism programme",
    }
    assert title_set("iraq NOT russia") == {"Energy markets after sanctions"}
    assert title_set("neoclass*") == {"Alignment in the neoclassical realism programme"}


def test_fields(iraq_shelf):
    assert title_set("author:asadi") == {"Iraq and Russia: Motivations for Interaction"}
    assert title_set('author:"maryam karimi"') == {"Energy markets after sanctions"}
    assert title_set("keyword:energy") == {"Energy markets after sanctions"}
    assert title_set("title:press") == {"Malcolm X and the press"}
    assert title_set("title:iraq") == {"Iraq and Russia: Motivations for Interaction"}
    # Unknown fields are plain words.
    assert title_set("colour:malcolm") == {"Malcolm X and the press"}
    assert title_set("press:malcolm") == {"Malcolm X and the press"}


def test_one_letter_words_find_titles_and_authors(iraq_shelf):
    assert title_set("x") == {"Malcolm X and the press"}
    assert title_set("j") == {"Malcolm X and the press"}


def test_bad_syntax_falls_back_to_words(iraq_shelf):
    assert title_set('"attack against iraq') == {"Iraq and Russia: Motivations for Interaction"}
    assert title_set("((malcolm") == {"Malcolm X and the press"}
    assert title_set("malcolm OR") == {"Malcolm X and the press"}
    assert title_set("AND OR NOT") == set()


def test_did_you_mean_from_titles_authors_keywords(iraq_shelf):
    results = run_search(SearchRequest.from_querydict({"q": "neoclasical"}))
    assert results.suggestion == "neoclassical"
    assert run_search(SearchRequest.from_querydict({"q": "karimo"})).suggestion == "karimi"
    assert run_search(SearchRequest.from_querydict({"q": "iraq"})).suggestion is None


def test_snippet_is_escaped_and_marked(make_article, search_index):
    make_article("Comparisons", body="<p>if a&lt;b and c&gt;d then Iraq &lt;img src=x onerror=alert(1)//</p>")
    search_index.update()
    [hit] = run_search(SearchRequest.from_querydict({"q": "iraq"})).hits
    assert str(hit.snippet) == "if a&lt;b and c&gt;d then <mark>Iraq</mark> &lt;img src=x onerror=alert(1)//"
