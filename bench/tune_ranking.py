"""Try ranking settings on the tune half of the judged collections, in seconds instead of minutes.

    .venv/bin/python bench/relevance.py --keep-work        # once: builds the work folders
    .venv/bin/python bench/tune_ranking.py --work bench/out/relevance/archive@COMMIT \\
        --grid '{"ranker.PROXIMITY": [0, 0.2, 0.4], "query.MATCH_SHARE": [0.25, 0.34]}'

For each collection a child process opens the archive `bench/relevance.py` built in the work
folder (its database and index, unchanged), sets each combination of the grid's module constants
(`ranker.X` is archive.search.backends.whoosh.ranker, `query.X` archive.search.query,
`compiler.X`, `spelling.X`, `schema.weight.FIELD` a scored field's weight), runs the tune queries
through `search_article_ids` (the ranking of /api/search/ without rendering a page) to depth 1000
and prints MAP and nDCG@10 per setting. Only the tune split is read: the test split stays for the
final figure (docs/search-relevance.md). The index is not rebuilt, so settings that change what
is indexed cannot be tried here.

`--refs` also scores raw Whoosh BM25F (bench/relevance_refs.py, as bench/relevance.py builds it)
on the same tune queries and marks each setting against issue 14's bar, `REFERENCE_MARGIN` times
the reference's MAP and nDCG@10 ("bar met" or "short"), so a grid shows how far a collection is
from the target on the half that may be looked at.

`--plugin MODULE` imports a bench module in each child and calls its `install()` before the grid
is set: a ranking step tried without touching the archive's code (bench/latent.py, whose
constants the grid sets as `ranker.LATENT_*`).
"""

import argparse
import dataclasses
import importlib
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

REPO = Path(__file__).resolve().parent.parent
COLLECTIONS = ("cisi", "med", "cacm", "judged")
# Issue 14: MAP and nDCG@10 at least 10% above raw Whoosh BM25F on each collection.
REFERENCE_MARGIN = 1.1


def meets_bar(scores, reference, margin=REFERENCE_MARGIN):
    """Whether `scores` reach `margin` times the reference's MAP and nDCG@10."""
    return all(scores[m] >= margin * reference[m] for m in ("MAP", "nDCG@10"))


def reference_scores(collection, query_ids):
    """Raw Whoosh BM25F's MAP, nDCG@10, ... on `query_ids`, built as bench/relevance.py does."""
    from bench import ir_collections, relevance
    from bench.relevance_refs import WhooshReference

    whoosh = WhooshReference({d: ir_collections.reference_text(doc) for d, doc in collection.docs.items()})
    try:
        ranked = {q: whoosh.search(collection.queries[q], depth=1000) for q in query_ids}
    finally:
        whoosh.close()
    return relevance.evaluate(collection.qrels, ranked, query_ids)


def settings_grid(grid):
    names = sorted(grid)
    for values in itertools.product(*(grid[name] for name in names)):
        yield dict(zip(names, values, strict=True))


def apply(setting):
    from archive.search import query, schema, spelling, stopwords
    from archive.search.backends.whoosh import backend, compiler, ranker

    modules = {
        "backend": backend,
        "ranker": ranker,
        "query": query,
        "compiler": compiler,
        "spelling": spelling,
        "stopwords": stopwords,
    }
    for name, value in setting.items():
        if name.startswith("schema.weight."):
            field = name.rsplit(".", 1)[1]
            replaced = tuple(
                dataclasses.replace(f, weight=value) if isinstance(f, schema.Text) and f.name == field else f
                for f in schema.FIELDS
            )
            schema.FIELDS = replaced
            schema.TEXTS = tuple(f for f in replaced if isinstance(f, schema.Text))
            schema.SCORED = tuple(f for f in schema.TEXTS if f.weight)
        else:
            module, attribute = name.split(".", 1)
            setattr(modules[module], attribute, value)


def child(collection_name, grid, split, related, refs=False, corpus=None, plugin=None):
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    if plugin:  # a bench module that adds a ranking step (and its constants) before the grid is set
        importlib.import_module(plugin).install()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)  # a work folder built by an older checkout

    from archive.articles.models import Article
    from archive.search.backends import backend as search_backend
    from archive.search.service import SearchRequest, clear_search_cache, related_articles, search_article_ids
    from bench import ir_collections, relevance

    settings = {"ARCHIVE_RELATED_SECONDS": 0}
    from django.conf import settings as django_settings

    for key, value in settings.items():
        setattr(django_settings, key, value)
    collection = ir_collections.load(collection_name, corpus=corpus)
    prefix = f"https://collections.invalid/{collection_name}/"
    doc_of = {pk: unquote(url[len(prefix) :]) for pk, url in Article.objects.values_list("pk", "source_url")}
    query_ids = [q for q, which in collection.split.items() if which == split and q in collection.qrels]
    sample = relevance.related_sample(collection, size=300, seed=14) if related else []
    targets = relevance.related_targets(collection, query_ids, sample) if related else {}
    articles = {
        doc_of[a.pk]: a for a in Article.objects.filter(pk__in=[p for p, d in doc_of.items() if d in targets])
    }
    if refs:
        reference = reference_scores(collection, query_ids)
        print(json.dumps({"collection": collection_name, "reference": reference}), flush=True)
    for setting in settings_grid(grid):
        apply(setting)
        clear_search_cache()
        ranked, counts = {}, []
        for q in query_ids:
            text = " ".join(collection.queries[q].split())
            ids = search_article_ids(SearchRequest(q=text), limit=1000)
            ranked[q] = [doc_of[pk] for pk in ids]
            counts.append(
                search_backend()
                .search(SearchRequest(q=text), today=timezone.localdate(), start=0, stop=0)
                .count
            )
        scores = relevance.evaluate(collection.qrels, ranked, query_ids)
        scores["count"] = round(sum(counts) / len(counts))
        if related:
            lists = {d: [doc_of[a.pk] for a in related_articles(articles[d], limit=5)] for d in articles}
            scores["related"] = relevance.related_scores(lists, targets)
        print(json.dumps({"collection": collection_name, "setting": setting, "scores": scores}), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", required=True, help="bench/out/relevance/archive@COMMIT")
    parser.add_argument("--grid", default="{}", help="JSON: {module.CONSTANT: [values]}")
    parser.add_argument("--collection", action="append", choices=COLLECTIONS)
    parser.add_argument("--split", default="tune", choices=["tune"], help="only the tune half")
    parser.add_argument("--related", action="store_true", help="score related pieces too")
    parser.add_argument("--refs", action="store_true", help="also raw Whoosh BM25F, and issue 14's bar")
    parser.add_argument("--corpus", help="the shared corpus for the judged set (default ../shared/corpus)")
    parser.add_argument("--plugin", help="a bench module whose install() adds a ranking step (bench.latent)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    grid = json.loads(args.grid)
    if args.child:
        return child(args.child, grid, args.split, args.related, args.refs, args.corpus, args.plugin)
    procs = []
    for name in args.collection or COLLECTIONS:
        folder = Path(args.work) / name
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "archive.settings",
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "ARCHIVE_INDEX_DIR": str(folder / "index"),
            "ARCHIVE_MEDIA_DIR": str(folder / "media"),
            "ARCHIVE_CACHE_DIR": str(folder / "cache"),
            "ARCHIVE_SEARCH_DRAIN_DELAY": "0",
        }
        command = [sys.executable, __file__, "--work", args.work, "--grid", args.grid, "--child", name]
        command += [flag for flag, wanted in (("--related", args.related), ("--refs", args.refs)) if wanted]
        command += ["--corpus", args.corpus] if args.corpus else []
        command += ["--plugin", args.plugin] if args.plugin else []
        procs.append(subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True))
    rows = [
        json.loads(line)
        for proc in procs
        for line in proc.communicate()[0].splitlines()
        if line.startswith("{")
    ]
    references = {row["collection"]: row["reference"] for row in rows if "reference" in row}
    if references:
        cells = [
            f"{name} {r['MAP']:.4f}/{r['nDCG@10']:.4f} bar {REFERENCE_MARGIN * r['MAP']:.4f}/"
            f"{REFERENCE_MARGIN * r['nDCG@10']:.4f}"
            for name, r in references.items()
        ]
        print('"whoosh-bm25f"', " | ".join(cells))
    for setting in settings_grid(grid):
        cells = []
        for row in rows:
            if row.get("setting") == setting:
                s = row["scores"]
                cell = f"{row['collection']} {s['MAP']:.4f}/{s['nDCG@10']:.4f} n={s['count']}"
                if "related" in s:
                    cell += f" rel {s['related']['P@5']}"
                if row["collection"] in references:
                    cell += " bar met" if meets_bar(s, references[row["collection"]]) else " short"
                cells.append(cell)
        print(json.dumps(setting), " | ".join(cells))


if __name__ == "__main__":
    main()
