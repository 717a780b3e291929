"""Persian and Arabic text is normalised identically at indexing, querying and highlighting.

Texts are real: tests/data/search/corpus_sample.json (see SOURCE.md there).
"""

from archive.search.analysis import analyze, normalise_word
from archive.search.service import SearchRequest, run_search
from tests.search.conftest import RTL_SAMPLE as SAMPLE

FA_ROADS, FA_HAJJ, AR_ADEN, AR_OBAMA = (item["title"] for item in SAMPLE)


def found(q):
    return {hit.title for hit in run_search(SearchRequest.from_querydict({"q": q})).hits}


def test_zwnj_word_found_without_it(rtl_shelf):
    assert found("جادههای") == {FA_ROADS}  # written جاده‌های
    assert found("میشود") == {FA_HAJJ}  # written می‌شود
    assert found("می\u200cشود") == {FA_HAJJ}


def test_persian_and_arabic_indic_digits(rtl_shelf):
    assert found("99") == {FA_HAJJ}  # written ۹۹
    assert found("٩٩") == {FA_HAJJ}
    assert found("۹۹") == {FA_HAJJ}


def test_yeh_variants(rtl_shelf):
    # Persian ی in the query, Arabic ي in the Arabic text, and the other way round.
    assert found("الرئیس") == {AR_ADEN, AR_OBAMA}
    assert found("رئيس") == {FA_ROADS, AR_ADEN}


def test_kaf_variants(rtl_shelf):
    assert found("الکونغرس") == {AR_OBAMA}  # written with Arabic ك


def test_teh_marbuta(rtl_shelf):
    assert found("محافظه") == {AR_ADEN}  # written محافظة


def test_alef_forms(rtl_shelf):
    assert found("اوباما") == {AR_OBAMA}  # written أوباما
    assert found("ایران") == {FA_ROADS, AR_OBAMA}  # Persian ایران and Arabic إيران


def test_tashkeel_and_tatweel(rtl_shelf):
    assert found("قدما") == {AR_OBAMA}  # written قدمًا
    assert found("جمهورياً") == {AR_ADEN}
    assert found("جمهوريا") == {AR_ADEN}
    assert found("اوبـــاما") == {AR_OBAMA}  # tatweel in the query


def test_highlight_marks_the_original_spelling(rtl_shelf):
    [hit] = run_search(SearchRequest.from_querydict({"q": "اوباما"})).hits
    assert "<mark>أوباما</mark>" in str(hit.snippet)
    [hit] = run_search(SearchRequest.from_querydict({"q": "میشود"})).hits
    # The word is in the title only: the snippet is the start of the text, unmarked.
    assert str(hit.snippet).startswith("معاون حج و عمره") and "<mark>" not in hit.snippet
    hit = run_search(SearchRequest.from_querydict({"q": "رئيس مرکز"})).hits[0]
    assert "<mark>رئیس</mark> <mark>مرکز</mark>" in str(hit.snippet)


def test_one_analyzer():
    assert normalise_word("يكة") == normalise_word("یکه") == "یکه"
    assert analyze("Motivations") == analyze("motivation") == ["motiv"]
    assert analyze("أُوبَامَا") == analyze("اوباما")
