"""Smoke test of the benchmark's corpus generator: a few articles, fast, from the shared corpus."""

import json

import pytest

from bench import corpus
from bench.queries import fold, query_mix

ARCHIVE_KEYS = {
    "title",
    "subtitle",
    "authors",
    "date",
    "kind",
    "language",
    "abstract",
    "body",
    "keywords",
    "source",
    "status",
}

pytestmark = pytest.mark.skipif(not corpus.DEFAULT_CORPUS.is_dir(), reason="../shared/corpus is not here")


@pytest.fixture(scope="module")
def sources():
    return corpus.load_sources(corpus.DEFAULT_CORPUS)


def test_articles_are_archive_json_shaped_and_deterministic(sources, tmp_path):
    first = corpus.write_corpus(None, 60, tmp_path / "a", seed=7, chunk=25, languages=sources)
    second = corpus.write_corpus(None, 60, tmp_path / "b", seed=7, chunk=25, languages=sources)
    assert second == first
    assert first["files"] == ["articles-00001.json", "articles-00002.json", "articles-00003.json"]
    for name in first["files"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    articles = [a for name in first["files"] for a in json.loads((tmp_path / "a" / name).read_text())]
    assert len(articles) == 60
    assert all(set(a) == ARCHIVE_KEYS for a in articles)
    assert all(set(a["source"]) == {"name", "volume", "issue", "pages", "doi", "url"} for a in articles)
    assert all(1 <= len(a["authors"]) <= 4 and 1 <= len(a["keywords"]) <= 6 for a in articles)
    assert len({a["source"]["url"] for a in articles}) == 60  # unique import identity
    assert all(a["status"] in {"published", "draft"} and a["date"][:2] in {"19", "20"} for a in articles)
    assert 600 <= first["mean_words"] <= 1000


def test_another_seed_gives_other_articles(sources, tmp_path):
    a = corpus.write_corpus(None, 5, tmp_path / "a", seed=1, languages=sources)
    b = corpus.write_corpus(None, 5, tmp_path / "b", seed=2, languages=sources)
    assert (tmp_path / "a" / a["files"][0]).read_bytes() != (tmp_path / "b" / b["files"][0]).read_bytes()


def test_persian_and_arabic_share_and_query_mix(sources, tmp_path):
    manifest = corpus.write_corpus(None, 400, tmp_path, seed=3, languages=sources)
    assert manifest["languages"]["fa"] >= 8 and manifest["languages"]["ar"] >= 8
    assert manifest["watch_df"]["people"] > 200
    names = [q.name for q in query_mix(manifest)]
    assert names == [
        "rare word",
        "common word",
        "two words",
        "phrase",
        "prefix",
        "author filter",
        "keyword filter",
        "facet-heavy",
        "Persian",
        "Arabic",
        "typo",
        "topic 1",
        "topic 2",
        "topic 3",
        "question 1",
        "question 2",
        "question 3",
    ]


def test_fold_normalises_arabic_and_persian_variants():
    assert fold("علي\u200cكتاب") == "علیکتاب"  # noqa: RUF001
    assert fold("مدرسة") == "مدرسه"
    assert fold("۱۲۳ ١٢٣") == "123 123"
