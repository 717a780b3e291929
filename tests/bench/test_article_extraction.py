"""The article-extraction scorer gives the benchmark's published figures, and its data is whole."""

import pytest

from bench import article_extraction as ae


def test_tokens_and_shingles_follow_the_benchmark():
    assert ae.tokens("Hello, world! It's 2019.") == ["Hello", "world", "It", "s", "2019"]
    assert ae.shingles("a b c") == {("a", "b", "c"): 1}  # shorter than four tokens: one shingle
    assert ae.shingles("") == {}
    assert sum(ae.shingles("a b c d e a b c d").values()) == 6


def test_tp_fp_fn_are_normalised_per_page():
    assert ae.tp_fp_fn("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
    assert ae.tp_fp_fn("", "") == (0.0, 0.0, 0.0)
    tp, fp, fn = ae.tp_fp_fn("a b c d e", "a b c d x")
    assert (tp, fp, fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))


def test_data_is_whole():
    truth = ae.load_json(ae.DATA / "ground-truth.json.gz")
    assert len(truth) == 181
    assert {p.name.split(".")[0] for p in (ae.DATA / "html").glob("*.html.gz")} == set(truth)


@pytest.mark.parametrize(("name", "expected"), [(n, f1) for n, (_, f1) in ae.CHECKS.items()])
def test_scorer_reproduces_the_published_f1(name, expected):
    truth = ae.load_json(ae.DATA / "ground-truth.json.gz")
    prediction = ae.load_json(ae.DATA / ae.CHECKS[name][0])
    assert round(ae.evaluate(truth, prediction, bootstrap=0)["f1"], 3) == expected
