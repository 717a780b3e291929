"""Search latency at N articles: `run_search` (the whole service) against raw Whoosh, same index.

    .venv/bin/python bench/search_latency.py [--articles 10000] [--repeat 5]

`--profile` prints a pyinstrument profile (requirements-bench.txt) of the uncached searches.

Builds N synthetic articles (English sentences drawn from the HuffPost headlines in
/work/shared/corpus when present, else generated words) into a throw-away SQLite database and
index under bench/out/, then times a small query mix: median and p95 per engine, in ms.
`build(n)` and `QUERIES` are importable for the full benchmark harness.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [
    "iraq",
    "trump election",
    '"white house"',
    "climate OR weather",
    "vaccin*",
    "covid -mask",
    "author:smith",
    "presidnet",
]
CORPUS = Path("/work/shared/corpus/huffpost_news_category_10k/News_Category_Dataset_v3.json")


def setup_django(workdir):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["ARCHIVE_INDEX_DIR"] = str(workdir / "index")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def rows(n):
    rng = random.Random(7)
    if CORPUS.exists():
        with CORPUS.open(encoding="utf-8") as handle:
            items = [json.loads(line) for line in handle]
    else:
        words = [f"w{i}" for i in range(5000)]
        items = [
            {
                "headline": " ".join(rng.choices(words, k=8)),
                "short_description": " ".join(rng.choices(words, k=40)),
                "authors": "A B",
                "category": "POLITICS",
                "date": "2020-01-01",
            }
            for _ in range(n)
        ]
    for i in range(n):
        item = items[i % len(items)]
        yield item, i


def build(n):
    """Create `n` published articles (one transaction) and index them with one writer."""
    import datetime

    from django.db import transaction

    from archive.articles.models import Article, Authorship
    from archive.articles.services import author_get_or_create
    from archive.search import indexing

    if Article.objects.count() >= n:
        return
    kinds = [k for k, _ in Article.Kind.choices]
    with transaction.atomic():
        authors = {}
        articles, bylines = [], []
        for item, i in rows(n):
            name = (item.get("authors") or "Staff").split(",")[0].strip()[:100] or "Staff"
            if name not in authors:
                authors[name] = author_get_or_create(name=name)[0]
            body = " ".join([item.get("short_description", "")] * 6)
            articles.append(
                Article(
                    title=f"{item['headline']}"[:480] or f"Untitled {i}",
                    slug=f"bench-{i}",
                    status="published",
                    date=datetime.date.fromisoformat(item.get("date", "2020-01-01")),
                    kind=kinds[i % len(kinds)],
                    abstract=item.get("short_description", ""),
                    body=f"<p>{body}</p>",
                )
            )
            bylines.append(authors[name])
        Article.objects.bulk_create(articles, batch_size=1000)  # no signals: indexed below in one go
        Authorship.objects.bulk_create(
            [Authorship(article=a, author=b) for a, b in zip(articles, bylines, strict=False)]
        )
    started = time.perf_counter()
    indexing.rebuild()
    print(f"indexed {n} articles in {time.perf_counter() - started:.1f} s")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--workdir", default=None, help="Reuse a folder (default: bench/out/search_latency_N)."
    )
    parser.add_argument(
        "--profile", action="store_true", help="Print a pyinstrument profile of the run_search calls."
    )
    args = parser.parse_args()
    workdir = Path(args.workdir or ROOT / "bench" / "out" / f"search_latency_{args.articles}")
    workdir.mkdir(parents=True, exist_ok=True)
    setup_django(workdir)
    build(args.articles)

    from whoosh import index as windex
    from whoosh import qparser

    from archive.search.backends.whoosh import store
    from archive.search.service import SearchRequest, run_search

    # Raw Whoosh on the same index: its own parser, words OR-grouped as ours rank them, one
    # searcher reused, top 20, no facets/snippets.
    ix = windex.open_dir(str(store.index_dir()), indexname=store.current_name())
    raw_searcher = ix.searcher()
    parser_ = qparser.QueryParser("text", ix.schema, group=qparser.OrGroup)
    # run_search as served (repeated identical searches come from the cache after the first),
    # run_search with the cache emptied before every call (what a new query costs), raw Whoosh.
    from archive.search import service

    clear_cache = getattr(service, "clear_search_cache", lambda: None)
    timings = {"run_search": [], "uncached": [], "raw_whoosh": []}
    counts = {}
    run_search(SearchRequest.from_querydict({"q": "warm up"}))  # open the searcher, build columns
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    for _ in range(args.repeat):
        for q in QUERIES:
            params = SearchRequest.from_querydict({"q": q})
            clear_cache()
            if profiler:
                profiler.start()
            started = time.perf_counter()
            results = run_search(params)
            timings["uncached"].append((time.perf_counter() - started) * 1000)
            if profiler:
                profiler.stop()
            counts[q] = results.count
    clear_cache()
    for _ in range(args.repeat):
        for q in QUERIES:
            started = time.perf_counter()
            run_search(SearchRequest.from_querydict({"q": q}))
            timings["run_search"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            hits = raw_searcher.search(parser_.parse(q), limit=20)
            [hit["title"] for hit in hits]
            timings["raw_whoosh"].append((time.perf_counter() - started) * 1000)
    if profiler:
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    print(f"{args.articles} articles, {len(QUERIES)} queries x {args.repeat}")
    raw = timings["raw_whoosh"]
    for name, values in timings.items():
        print(
            f"{name:>11}: median {statistics.median(values):6.1f} ms   p95 {percentile(values, 95):6.1f} ms"
            f"   ({statistics.median(values) / statistics.median(raw):4.1f}x / "
            f"{percentile(values, 95) / percentile(raw, 95):4.1f}x raw)"
        )
    print("counts (run_search):", counts)


if __name__ == "__main__":
    main()
