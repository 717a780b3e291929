"""The Django half of bench/relevance.py: run inside one checkout of the archive's code.

`bench/relevance.py` imports a collection with that checkout's `manage.py import_articles`, then
starts this file as a child process whose working folder and PYTHONPATH are the checkout (this
checkout, or another one given with `--code DIR`), with the work folder's DATABASE_URL and
ARCHIVE_*_DIR. It never imports anything of bench/ so that it runs against any checkout:

    python /path/to/bench/relevance_stage.py --collection cisi --tasks TASKS.json --out OUT.json

1. Maps every published article to its collection doc id (from `source.url`,
   `https://collections.invalid/<collection>/<doc id>`) and checks that there is exactly one
   article per document.
2. Runs every query through the public JSON API in-process, with Django's test Client:
   `/api/search/?q=<query>&page_size=100&page=N` until `depth` results or the last page, with the
   search rate limit off; result URLs are mapped back to doc ids.
3. For each sampled document, the related pieces its article page shows (`related_articles`).

Writes OUT.json and prints one JSON line (a summary) last.
"""

import argparse
import json
import os
import sys
import time
from urllib.parse import unquote, urlparse

# This file lives in another checkout's bench/ than the code it measures: the checkout (the
# working folder) comes first, and nothing is imported from this file's folder.
sys.path[0] = os.getcwd()

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from archive.articles.models import Article  # noqa: E402

URL_PREFIX = "https://collections.invalid/"


def doc_id_of(source_url, collection):
    prefix = f"{URL_PREFIX}{collection}/"
    return unquote(source_url[len(prefix) :]) if source_url.startswith(prefix) else None


def article_map(collection, expected):
    """{doc id: (pk, path)} of the published articles; raises when they do not match `expected`."""
    published = Article.objects.published().only("id", "slug", "source_url", "date")
    by_doc, strays, repeated = {}, [], []
    for article in published:
        doc_id = doc_id_of(article.source_url, collection)
        if doc_id is None:
            strays.append(article.pk)
        elif doc_id in by_doc:
            repeated.append(doc_id)
        else:
            by_doc[doc_id] = (article.pk, urlparse(article.get_absolute_url()).path)
    missing = sorted(set(expected) - set(by_doc))
    if missing or strays or repeated or len(by_doc) != len(expected):
        raise SystemExit(
            f"the archive holds {published.count()} published articles for {len(expected)} documents: "
            f"missing {missing[:20]} ({len(missing)}), not from the collection {strays[:20]}, "
            f"repeated {repeated[:20]}"
        )
    return by_doc


def search_all(queries, by_path, *, depth, page_size):
    """{query id: {"ranked": [doc ids], "count", "note", "pages", "seconds"}} through /api/search/."""
    client = Client(HTTP_HOST="127.0.0.1")
    out = {}
    for qid, text in queries.items():
        ranked, seen, page, count, note, started = [], set(), 1, 0, "", time.perf_counter()
        while len(ranked) < depth:
            response = client.get("/api/search/", {"q": text, "page_size": page_size, "page": page})
            if response.status_code == 404 and page > 1:
                break
            if response.status_code != 200:
                raise SystemExit(f"query {qid}: /api/search/ answered {response.status_code}")
            data = response.json()
            if page == 1:
                count, note = data.get("count", 0), data.get("note", "") or ""
            for hit in data.get("results", []):
                doc_id = by_path.get(urlparse(hit["url"]).path)
                if doc_id is not None and doc_id not in seen:
                    seen.add(doc_id)
                    ranked.append(doc_id)
            if not data.get("results") or page >= (data.get("num_pages") or page):
                break
            page += 1
        out[qid] = {
            "ranked": ranked[:depth],
            "count": count,
            "note": note,
            "pages": page,
            "seconds": round(time.perf_counter() - started, 4),
        }
    return out


def related_all(doc_ids, by_doc, pk_to_doc, *, limit):
    """{doc id: [doc ids of its related pieces]}: what the article page shows (more-like-this)."""
    try:
        from archive.search.service import related_articles
    except ImportError:
        return None
    settings.ARCHIVE_RELATED_SECONDS = 0  # work each list out; no page cache in between
    articles = Article.objects.in_bulk([by_doc[d][0] for d in doc_ids if d in by_doc])
    out = {}
    for doc_id in doc_ids:
        article = articles.get(by_doc[doc_id][0]) if doc_id in by_doc else None
        if article is None:
            continue
        related = related_articles(article, limit=limit)
        out[doc_id] = [pk_to_doc[a.pk] for a in related if a.pk in pk_to_doc]
    return out


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--collection", required=True)
    parser.add_argument("--tasks", required=True, help="JSON: docs, queries, related, depth, page_size")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    with open(args.tasks, encoding="utf-8") as tasks_file:
        tasks = json.load(tasks_file)

    for rule in getattr(settings, "ARCHIVE_RATE_LIMITS", {}).values():
        rule["per_minute"] = 0  # as tests/conftest.py: one client asks many searches

    started = time.perf_counter()
    by_doc = article_map(args.collection, tasks["docs"])
    by_path = {path: doc_id for doc_id, (_, path) in by_doc.items()}
    pk_to_doc = {pk: doc_id for doc_id, (pk, _) in by_doc.items()}
    searches = search_all(tasks["queries"], by_path, depth=tasks["depth"], page_size=tasks["page_size"])
    searched = time.perf_counter()
    related = related_all(tasks["related"], by_doc, pk_to_doc, limit=tasks.get("related_limit", 5))
    result = {
        "articles": {d: {"id": pk, "path": path} for d, (pk, path) in by_doc.items()},
        "searches": searches,
        "related": related,
        "search_seconds": round(searched - started, 1),
        "related_seconds": round(time.perf_counter() - searched, 1),
    }
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out, ensure_ascii=False)
    print(
        json.dumps(
            {
                "articles": len(by_doc),
                "queries": len(searches),
                "empty": sum(1 for s in searches.values() if not s["ranked"]),
                "search_seconds": result["search_seconds"],
                "related": None if related is None else len(related),
                "related_seconds": result["related_seconds"],
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
