"""Benchmark stages that run inside Django, against the scratch database and index of a run.

The orchestrator (`bench/run.py`) starts each stage as its own process with DATABASE_URL,
ARCHIVE_INDEX_DIR and ARCHIVE_MEDIA_DIR pointing into the run's work folder:

    python -m bench.django_stage load --corpus-out DIR          # fallback loader (see below)
    python -m bench.django_stage search --corpus-out DIR        # our search API in-process
    python -m bench.django_stage freshness --samples 20         # save -> searchable latency
    python -m bench.django_stage urls --corpus-out DIR          # page URLs for the load test
    python -m bench.django_stage profile --corpus-out DIR --html FILE

Each prints one JSON line last.
"""

import argparse
import datetime
import html
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")

import django

django.setup()

from django.core.management import get_commands  # noqa: E402
from django.db import transaction  # noqa: E402

from bench.measure import emit, percentile, proc_status_kb, time_queries  # noqa: E402
from bench.queries import query_mix  # noqa: E402


def has_search():
    try:
        from archive.search.backends import backend  # noqa: F401
        from archive.search.service import SearchRequest, run_search  # noqa: F401
    except ImportError:
        return False
    return True


def has_import_command():
    return "import_articles" in get_commands()


def manifest_of(corpus_out):
    return json.loads((Path(corpus_out) / "manifest.json").read_text(encoding="utf-8"))


# --- load (fallback) -------------------------------------------------------------------------


def load_with_services(corpus_out, *, batch=200):
    """Load the generated archive JSON through the domain's write functions.

    Only used while `manage.py import_articles` is not on this branch: it does what an import
    does (sanitise, get-or-create authors and keywords, unique slugs, import_ref identity) in
    batches of `batch` per transaction, but without the import service's validation.
    """
    from archive.articles.html import clean_body_html, clean_text
    from archive.articles.models import Article
    from archive.articles.services import (
        article_set_authors,
        article_set_keywords,
        author_get_or_create,
        keyword_get_or_create,
        unique_slug,
    )

    manifest = manifest_of(corpus_out)
    created = 0
    for name in manifest["files"]:
        items = json.loads((Path(corpus_out) / name).read_text(encoding="utf-8"))
        for start in range(0, len(items), batch):
            with transaction.atomic():
                for item in items[start : start + batch]:
                    body = "".join(
                        f"<p>{html.escape(p)}</p>" for p in item["body"].split("\n\n") if p.strip()
                    )
                    source = item["source"]
                    article = Article(
                        title=clean_text(item["title"]),
                        subtitle=clean_text(item["subtitle"]),
                        slug=unique_slug(Article, item["title"]),
                        date=datetime.date.fromisoformat(item["date"]),
                        kind=item["kind"],
                        language=item["language"],
                        status=item["status"],
                        abstract=clean_text(item["abstract"]),
                        body=clean_body_html(body),
                        source_name=source["name"],
                        source_volume=source["volume"],
                        source_issue=source["issue"],
                        source_pages=source["pages"],
                        doi=source["doi"],
                        source_url=source["url"],
                        import_ref=source["doi"] or source["url"],
                    )
                    article.save()
                    authors = [
                        author_get_or_create(name=a["name"], affiliation=a["affiliation"])[0]
                        for a in item["authors"]
                    ]
                    article_set_authors(article=article, authors=authors)
                    article_set_keywords(
                        article=article, keywords=[keyword_get_or_create(name=k)[0] for k in item["keywords"]]
                    )
                    created += 1
    return {"created": created, "loader": "archive.articles.services (import_articles not available)"}


# --- search in-process -----------------------------------------------------------------------


def search_params_for(query):
    """Our SearchRequest for a query of the mix (author and keyword filters by slug)."""
    from archive.articles.models import Author, Keyword
    from archive.search.service import SearchRequest

    params = SearchRequest(q=query.text)
    if query.author:
        params.filters["author"] = (
            Author.objects.filter(name=query.author).values_list("slug", flat=True).first() or ""
        )
    if query.keyword:
        params.filters["keyword"] = (
            Keyword.objects.filter(name__iexact=query.keyword).values_list("slug", flat=True).first() or ""
        )
    return params


def search_inproc(corpus_out, *, repeats):
    """The query mix through `run_search` (a full results page: hits, snippets, facets)."""
    from archive.search.service import clear_search_cache, run_search

    queries = query_mix(manifest_of(corpus_out))
    params = {q.name: search_params_for(q) for q in queries}

    def run_one(q):
        return run_search(params[q.name], per_page=20).count

    # Headline figures are uncached: every timed search starts with the search cache and the
    # remembered close spellings emptied. Repeated identical searches (served from the cache)
    # are reported beside them.
    result = time_queries(run_one, queries, repeats=repeats, before=clear_search_cache)
    cached = time_queries(run_one, queries, repeats=repeats)
    result["cached_p50_ms"], result["cached_p95_ms"] = cached["p50_ms"], cached["p95_ms"]
    result["rss_anon_mb"] = round((proc_status_kb(os.getpid(), "RssAnon") or 0) / 1024, 1)
    result["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def profile_search(corpus_out, *, repeats, html_path, text_path):
    """pyinstrument over the query mix through `run_search`, uncached as the headline figures are:
    after one warm-up round, each profiled search starts with `clear_search_cache()` (called
    outside the profiler, so only the searches themselves are sampled)."""
    from pyinstrument import Profiler

    from archive.search.service import clear_search_cache, run_search

    queries = query_mix(manifest_of(corpus_out))
    params = [search_params_for(q) for q in queries]
    for p in params:
        run_search(p, per_page=20)
    profiler = Profiler(interval=0.0005)
    for _ in range(repeats):
        for p in params:
            clear_search_cache()
            profiler.start()
            run_search(p, per_page=20)
            profiler.stop()
    Path(html_path).write_text(profiler.output_html(), encoding="utf-8")
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    Path(text_path).write_text(text, encoding="utf-8")
    return {"html": str(html_path), "text": str(text_path)}


# --- freshness -------------------------------------------------------------------------------


def freshness(*, samples, timeout, base=None):
    """Seconds from an article's committed save to search finding it.

    Each sample creates a published article with a unique word in its title through the write
    functions (as the admin and import do), commits, then polls every 20 ms: gunicorn's
    /api/search/ when `base` is given (a reader in another process: the real case), else
    `search_article_ids` in this process. The index is kept fresh by whatever archive.search
    hooks into saves (on-commit queue, signals); the save's own time is not counted.
    """
    from archive.articles.models import Article
    from archive.articles.services import article_set_authors, author_get_or_create, unique_slug
    from archive.search.service import SearchRequest, search_article_ids
    from bench.http_load import get

    author, _ = author_get_or_create(name="Bench Freshness", affiliation="")
    delays, missed = [], 0
    for i in range(samples):
        word = f"freshbench{os.getpid()}x{i}"
        title = f"Freshness probe {word}"
        with transaction.atomic():
            article = Article.objects.create(
                title=title,
                slug=unique_slug(Article, title),
                date=datetime.date(2020, 1, 1),
                status="published",
                body=f"<p>{word} probe body.</p>",
            )
            article_set_authors(article=article, authors=[author])
        saved = time.perf_counter()
        found = False
        while time.perf_counter() - saved < timeout:
            if base:
                status, body = get(f"{base}/api/search/?q={word}")
                # The new article itself: a close spelling (the previous probe's word is one edit
                # away) would otherwise count as found before the save reached the index.
                hit = status == 200 and any(r["title"] == title for r in json.loads(body).get("results", []))
            else:
                hit = article.pk in search_article_ids(SearchRequest(q=word), limit=5)
            if hit:
                found = True
                break
            time.sleep(0.02)
        if found:
            delays.append(time.perf_counter() - saved)
        else:
            missed += 1
    return {
        "samples": samples,
        "missed": missed,
        "p50_s": round(percentile(delays, 50), 3) if delays else None,
        "p95_s": round(percentile(delays + [timeout] * missed, 95), 3) if samples else None,
        "max_s": round(max(delays), 3) if delays else None,
        "seen_by": "gunicorn /api/search/" if base else "search_article_ids in the saving process",
    }


# --- raw Whoosh on our own index ------------------------------------------------------------


def raw_whoosh_same_index(corpus_out, *, repeats):
    """The query mix on our live index generation opened with plain Whoosh (no archive.search code
    on the query path): one reused searcher, top 10, estimated count, FieldFacet facets."""
    from django.conf import settings
    from whoosh.filedb.filestore import FileStorage

    from archive.articles.models import Author, Keyword
    from bench.queries import WhooshFields, whoosh_run

    folder = Path(settings.ARCHIVE_INDEX_DIR)
    name = (folder / "CURRENT").read_text().strip()  # archive.search's generation pointer
    ix = FileStorage(str(folder)).open_index(indexname=name)
    fields = WhooshFields(
        text="text",
        author="author_slug",
        keyword="keyword_slug",
        facets=("kind", "language", "year", "author_slug", "keyword_slug"),
        overlapping=("author_slug", "keyword_slug"),
        stored=("id", "title", "slug", "authors", "date"),
    )
    queries = query_mix(manifest_of(corpus_out))
    values = {}
    for q in queries:
        values[q.name] = {
            "author_value": Author.objects.filter(name=q.author).values_list("slug", flat=True).first(),
            "keyword_value": Keyword.objects.filter(name__iexact=q.keyword)
            .values_list("slug", flat=True)
            .first(),
        }
    with ix.searcher() as searcher:

        def run_one(q):
            return whoosh_run(searcher, q, ix.schema, fields, **values[q.name])["count"]

        result = time_queries(run_one, queries, repeats=repeats)
    result["index"] = name
    return result


# --- page URLs for the load test -------------------------------------------------------------


def page_urls(corpus_out, n=50):
    """Paths per page type, spread over the archive (not one hot page)."""
    from django.urls import reverse

    from archive.articles.models import Article, Author, Keyword

    public = Article.objects.published()
    total = public.count()
    step = max(1, total // n)
    slugs = list(public.order_by("id").values_list("slug", flat=True)[::step][:n])
    pages = max(1, min(total // 20, 50))
    authors = list(Author.objects.filter(articles__isnull=False).distinct().order_by("id"))[:n]
    keywords = list(Keyword.objects.filter(articles__isnull=False).distinct().order_by("id"))[:n]
    queries = query_mix(manifest_of(corpus_out)) if has_search() else []
    return {
        "article": [reverse("articles:detail", kwargs={"slug": s}) for s in slugs],
        "list": [reverse("articles:list") + (f"?page={p}" if p > 1 else "") for p in range(1, pages + 1)],
        "author": [a.get_absolute_url() for a in authors],
        "keyword": [k.get_absolute_url() for k in keywords],
        "search": ["/search/?" + _qs(search_params_for(q)) for q in queries],
    }


def _qs(params):
    from urllib.parse import urlencode

    return urlencode(params.to_querydict())


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "stage", choices=["load", "search", "rawsame", "freshness", "urls", "profile", "features"]
    )
    parser.add_argument("--base", help="freshness: gunicorn's base URL")
    parser.add_argument("--batch", type=int, default=200, help="load: articles per transaction")
    parser.add_argument("--corpus-out")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--html")
    parser.add_argument("--text")
    args = parser.parse_args(argv)
    if args.stage == "features":
        emit({"search": has_search(), "import_articles": has_import_command()})
    elif args.stage == "load":
        start = time.perf_counter()
        out = load_with_services(args.corpus_out, batch=args.batch)
        out["seconds"] = round(time.perf_counter() - start, 1)
        emit(out)
    elif args.stage == "search":
        emit(search_inproc(args.corpus_out, repeats=args.repeats))
    elif args.stage == "freshness":
        emit(freshness(samples=args.samples, timeout=args.timeout, base=args.base))
    elif args.stage == "rawsame":
        emit(raw_whoosh_same_index(args.corpus_out, repeats=args.repeats))
    elif args.stage == "urls":
        emit(page_urls(args.corpus_out))
    elif args.stage == "profile":
        emit(profile_search(args.corpus_out, repeats=args.repeats, html_path=args.html, text_path=args.text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
