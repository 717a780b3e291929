"""The relevance benchmark's parts, fast: the committed collections load with their exact counts,
the SMART parser reads every field, the metric wrapper gives the known values on a hand-made run,
and the Whoosh reference parses any query. No archive is built here (bench/relevance.py does that).

The metric and reference tests need requirements-bench.txt (ir-measures, rank_bm25) and are
skipped without it."""

import pytest

from bench import ir_collections
from bench.ir_collections import Doc, keep_apart, make_split, smart_docs, smart_queries, smart_relations

COUNTS = {
    # name: documents, queries, judged queries, judgements, tune, test, numbered titles
    "cisi": (1460, 112, 76, 3114, 38, 38, 16),
    "med": (1033, 30, 30, 696, 15, 15, 3),
    "cacm": (3204, 64, 52, 796, 26, 26, 52),
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_public_collections_load_with_exact_counts(name):
    collection = ir_collections.load(name)
    docs, queries, judged, judgements, tune, test, renamed = COUNTS[name]
    assert len(collection.docs) == docs
    assert len(collection.queries) == queries
    assert len(collection.judged_queries) == judged
    assert sum(len(v) for v in collection.qrels.values()) == judgements
    assert all(d in collection.docs for v in collection.qrels.values() for d in v)
    assert (len(collection.query_ids("tune")), len(collection.query_ids("test"))) == (tune, test)
    assert len(collection.query_ids("all")) == judged
    assert len(collection.renamed) == renamed
    assert all(doc.title for doc in collection.docs.values())
    assert all(text for text in collection.queries.values())
    # The committed split is the seeded shuffle, so it can be checked, and it never drifts.
    assert make_split(collection.judged_queries) == collection.split


def test_fields_of_each_format():
    cisi = ir_collections.load("cisi")
    assert cisi.docs["1"].title == "18 Editions of the Dewey Decimal Classifications"
    assert cisi.docs["1"].authors == ["Comaromi, J.P."]
    assert cisi.docs["1"].text.startswith(
        "The present study is a history of the DEWEY Decimal Classification."
    )
    assert cisi.docs["1"].date == "2000-01-01"
    assert cisi.queries["2"] == (
        "How can actually pertinent data, as opposed to references or entire articles themselves, "
        "be retrieved automatically in response to information requests?"
    )
    med = ir_collections.load("med")
    assert med.docs["1"].title == (
        "correlation between maternal and fetal plasma levels of glucose and free fatty acids"
    )
    assert med.docs["1"].text.startswith("correlation coefficients have been determined")
    assert med.queries["1"] == "the crystalline lens in vertebrates, including humans."
    assert med.qrels["1"]["13"] == 1
    cacm = ir_collections.load("cacm")
    assert cacm.docs["1"].title == "Preliminary Report-International Algebraic Language"
    assert cacm.docs["1"].authors == ["Perlis, A. J.", "Samelson,K."]
    assert cacm.docs["1"].date == "1958-12-01"
    assert cacm.queries["2"] == "I am interested in articles written either by Prieve or Udo Pooch"
    # A third title whose 120-character slug repeats is numbered at its start (see keep_apart).
    assert cacm.docs["86"].title.startswith("(3) Survey of Progress and Trend of Development")
    assert cacm.docs["7"].title == "Glossary of Computer Engineering and Programming Terminology (2)"


def test_smart_parser_reads_every_field_and_ignores_the_rest():
    text = (
        ".I 7\r\n.T\r\nA  title\r\non two lines\r\n.A\r\nDoe, J.\r\nRoe, R.\r\n.B\r\nCACM March, 1970\r\n"
        ".W\r\n Body   text.\r\n.X\r\n1\t5\t7\r\n.I 9\r\n.W\r\nonly text. Second sentence\r\n.I\r\n"
    )
    docs = smart_docs(text, date_field="B")
    assert list(docs) == ["7", "9"]  # the record without an id is skipped
    assert docs["7"] == Doc(
        id="7",
        title="A title on two lines",
        text="Body text.",
        authors=["Doe, J.", "Roe, R."],
        date="1970-03-01",
    )
    assert docs["9"].title == "only text" and docs["9"].text == "Second sentence"
    assert smart_queries(".I 001\n.W\n what is\n a query?\n.N\n asked by someone\n") == {
        "1": "what is a query?"
    }
    assert smart_relations("01 1410  0 0\n     2     28\t0\t0.000000\n") == {"1": {"1410": 1}, "2": {"28": 1}}


def test_keep_apart_numbers_repeated_titles_by_the_same_first_author():
    docs = {
        "1": Doc(id="1", title="Documentation", authors=["Bradford, S.C."]),
        "2": Doc(id="2", title="DOCUMENTATION.", authors=["Bradford, S. C."]),
        "3": Doc(id="3", title="Documentation", authors=["Someone Else"]),
        "4": Doc(id="4", title="Documentation", authors=["bradford s c"]),
    }
    assert keep_apart(docs) == ["2", "4"]
    assert [d.title for d in docs.values()] == [
        "Documentation",
        "DOCUMENTATION. (2)",
        "Documentation",
        "Documentation (3)",
    ]


@pytest.mark.skipif(not ir_collections.DEFAULT_CORPUS.is_dir(), reason="../shared/corpus is not here")
def test_judged_set_loads_from_the_shared_corpus():
    judged = ir_collections.load("judged")
    assert len(judged.docs) == 2496
    assert len(judged.queries) == 50
    assert len(judged.judged_queries) == 50
    assert sum(len(v) for v in judged.qrels.values()) == 923
    assert all(d in judged.docs for v in judged.qrels.values() for d in v)
    assert (len(judged.query_ids("tune")), len(judged.query_ids("test"))) == (26, 24)
    kinds = [
        row["kind"]
        for row in ir_collections.judged_query_rows(ir_collections.JUDGED_DIR / "queries.tsv").values()
    ]
    assert {k: kinds.count(k) for k in set(kinds)} == {
        "topic": 10,
        "question": 10,
        "name": 8,
        "misspelt": 8,
        "persian": 7,
        "arabic": 7,
    }
    doc = judged.docs["farsi_news_rss/hamshahri.json#140"]
    assert doc.language == "fa" and doc.title.startswith("دلار و سکه گران شد")
    assert judged.docs["saudinewsnet_ar/2015-07-21.zip#0"].language == "ar"


def test_metric_wrapper_gives_the_known_values():
    pytest.importorskip("ir_measures")
    from bench.relevance import evaluate

    qrels = {"1": {"a": 1, "b": 1, "c": 0}, "2": {"x": 2}, "3": {"q": 0}}
    ranked = {"1": ["a", "z", "b"], "2": []}
    result = evaluate(qrels, ranked, ["1", "2"])
    # q1: AP (1/1 + 2/3) / 2; nDCG@10 (1 + 1/log2 4) / (1 + 1/log2 3); P@10 2/10; R@100 1.
    # q2 has no result: 0 on every measure (trec_eval itself would leave it out of the mean).
    assert result == {
        "MAP": 0.4167,
        "nDCG@10": 0.4599,
        "P@10": 0.1,
        "R@100": 0.5,
        "queries": 2,
        "empty": 1,
    }


def test_related_pieces_score_against_the_other_relevant_documents():
    pytest.importorskip("ir_measures")
    from bench.relevance import related_scores, related_targets

    collection = ir_collections.Collection(
        name="tiny",
        docs={d: Doc(id=d, title=d) for d in "abcdef"},
        queries={"1": "x", "2": "y"},
        qrels={"1": {"a": 1, "b": 1, "c": 1}, "2": {"a": 1, "d": 1}},
    )
    targets = related_targets(collection, ["1", "2"], ["a", "b", "e"])
    assert targets == {"a": {"b", "c", "d"}, "b": {"a", "c"}, "e": set()}
    related = {"a": ["b", "e", "f", "c", "d"], "b": ["e", "f"], "e": ["a"]}
    # a: 3 of 5 related are targets; b: none; e has no targets and is not scored.
    assert related_scores(related, targets) == {"documents": 2, "P@5": 0.3, "any": 0.5}


def test_whoosh_and_rank_bm25_references_parse_any_query():
    pytest.importorskip("rank_bm25")
    from bench.relevance_refs import RankBM25Reference, WhooshReference, query_words

    docs = {
        "1": "Motivations of Russia\nRussia's motivations in Iraq after the uprisings",
        "2": "Library classification\nThe Dewey Decimal Classification and its editions",
        "3": "Iraq oil\nOil exports of Iraq",
    }
    assert query_words('what (are) the "motivations" OR NOT: russia* in iraq?') == (
        "what are the motivations or not russia in iraq"
    )
    whoosh = WhooshReference(docs)
    try:
        assert whoosh.search('what (are) the "motivations" OR NOT: russia* in iraq? AND', depth=10)[0] == "1"
        assert set(whoosh.search("iraq", depth=10)) == {"1", "3"}
        assert whoosh.search("((( ::: )))", depth=10) == []
        assert whoosh.related("1", top=5) == ["3"]
        okapi = RankBM25Reference(docs, whoosh.tokens)
        assert okapi.search("Dewey classification editions", depth=10) == ["2"]
        assert okapi.search("the of", depth=10) == []  # stop words only: no tokens, no result
    finally:
        whoosh.close()


def test_tune_ranking_marks_issue_14s_bar_against_the_reference():
    from bench.tune_ranking import meets_bar

    reference = {"MAP": 0.5990, "nDCG@10": 0.7510}
    # MED's tune half on main at 14c7b22: MAP passes 1.1 x 0.5990 = 0.6589, nDCG@10 is short of 0.8261.
    assert not meets_bar({"MAP": 0.6590, "nDCG@10": 0.8149}, reference)
    assert not meets_bar({"MAP": 0.6588, "nDCG@10": 0.8300}, reference)
    assert meets_bar({"MAP": 0.6590, "nDCG@10": 0.8262}, reference)
    assert meets_bar({"MAP": 0.5990, "nDCG@10": 0.7510}, reference, margin=1.0)


def test_tune_ranking_reference_is_whoosh_on_the_tune_half_only():
    pytest.importorskip("ir_measures")
    from bench.tune_ranking import reference_scores

    med = ir_collections.load("med")
    tune = med.query_ids("tune")
    scores = reference_scores(med, tune)
    assert (scores["queries"], scores["empty"]) == (15, 0)
    assert (scores["MAP"], scores["nDCG@10"]) == (0.599, 0.751)


def test_round_5_stemmers_change_latin_words_only():
    from bench.stemmers import s_stem, stemmer

    assert [s_stem(w) for w in ("studies", "horses", "lens", "glass", "virus", "shoes")] == [
        "study",
        "horse",
        "len",
        "glass",
        "virus",
        "shoe",  # -oes is not -es's, but it is still an -s
    ]
    main = stemmer("snowball")
    for name in ("porter", "sstem", "none"):
        stem = stemmer(name)
        for word in ("کتابها", "الكتاب", "مطالعات"):  # Persian and Arabic: main's analysis
            assert stem(word) == main(word)
    assert (stemmer("porter")("crystalline"), main("crystalline")) == ("crystalline", "crystallin")


def test_round_5_sdm_counts_ordered_and_unordered_pairs():
    from bench.sdm import _pair_counts

    # "crystalline lens ... the lens of the crystalline": ordered once as typed, both in a window.
    first, second = [0, 9], [1, 6]
    assert _pair_counts(first, second, reach=1, window=8) == (1.0, 2.0)
    assert _pair_counts(first, second, reach=6, window=8) == (1.0, 2.0)
    assert _pair_counts([0], [5], reach=1, window=4) == (0.0, 0.0)
    assert _pair_counts([0], [5], reach=5, window=8) == (1.0, 1.0)


def test_round_5_lower_case_gate_needs_latin_letters():
    from bench.latent import is_lower_case

    assert is_lower_case("the crystalline lens in vertebrates, including humans.")
    assert is_lower_case("What are the effects of the pandemic on mental health")
    assert not is_lower_case("Saudi women's rights and the MEDLARS system")
    assert not is_lower_case("آلودگی هوای تهران")  # no case: not taken for lower case
