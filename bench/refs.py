"""The references our search is measured against, built from the same generated articles.

- Raw Whoosh 2.7.4 with a lean schema: title and one text field (stemmed, Persian/Arabic folded),
  a short stored excerpt instead of the body, ids for authors and keywords, sortable facet
  columns; built with one writer (`limitmb=256`), one commit, separate segment files.
- PostgreSQL 15 tsvector + GIN with ts_rank, in its own table (`bench_fts`) of a scratch database.

Run as a stage: `python -m bench.refs whoosh|pg ...`; prints one JSON line last.
"""

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

from bench.measure import emit, folder_size, time_queries
from bench.queries import WhooshFields, fold, pg_sql, query_mix, slug_token, whoosh_run


def published_articles(corpus_out):
    """(number, article) for every published article of the generated corpus, in order."""
    manifest = json.loads((Path(corpus_out) / "manifest.json").read_text(encoding="utf-8"))
    n = 0
    for name in manifest["files"]:
        for article in json.loads((Path(corpus_out) / name).read_text(encoding="utf-8")):
            n += 1
            if article.get("status", "published") == "published":
                yield n, article


def document_text(article):
    authors = " ".join(a["name"] for a in article["authors"])
    return fold(
        "\n".join(
            [
                article["title"],
                article["subtitle"],
                authors,
                " ".join(article["keywords"]),
                article["abstract"],
            ]
        )
        + "\n"
        + article["body"]
    )


def lean_schema():
    from whoosh import fields
    from whoosh.analysis import StemmingAnalyzer

    analyzer = StemmingAnalyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        text=fields.TEXT(analyzer=analyzer),
        excerpt=fields.STORED,
        author_ids=fields.KEYWORD(sortable=True),
        keyword_ids=fields.KEYWORD(sortable=True),
        kind=fields.ID(sortable=True),
        language=fields.ID(sortable=True),
        year=fields.NUMERIC(sortable=True),
        date=fields.ID(sortable=True),
    )


def whoosh_build(corpus_out, index_dir):
    from whoosh import index

    Path(index_dir).mkdir(parents=True, exist_ok=True)
    ix = index.create_in(index_dir, lean_schema())
    start = time.perf_counter()
    writer = ix.writer(limitmb=256, compound=False)
    docs = 0
    for n, article in published_articles(corpus_out):
        writer.add_document(
            id=str(n),
            title=fold(article["title"]),
            text=document_text(article),
            excerpt=article["abstract"][:300],
            author_ids=" ".join(slug_token(a["name"]) for a in article["authors"]),
            keyword_ids=" ".join(slug_token(k) for k in article["keywords"]),
            kind=article["kind"],
            language=article["language"],
            year=int(article["date"][:4]),
            date=article["date"],
        )
        docs += 1
    writer.commit()
    seconds = time.perf_counter() - start
    return {"docs": docs, "seconds": round(seconds, 1), "docs_per_s": round(docs / seconds, 1)}


def whoosh_queries(index_dir, manifest, *, repeats, fields=None):
    """Time the query mix on one reused searcher (how a fast raw-Whoosh site serves)."""
    from whoosh import index

    ix = index.open_dir(index_dir)
    fields = fields or WhooshFields()
    queries = query_mix(manifest)
    with ix.searcher() as searcher:

        def run_one(q):
            return whoosh_run(searcher, q, ix.schema, fields)["count"]

        return time_queries(run_one, queries, repeats=repeats)


# --- PostgreSQL ------------------------------------------------------------------------------

PG_TABLE = """
CREATE TABLE bench_fts (
    id integer PRIMARY KEY,
    title text NOT NULL,
    excerpt text NOT NULL,
    author_ids text[] NOT NULL,
    keyword_ids text[] NOT NULL,
    kind text NOT NULL,
    language text NOT NULL,
    year integer NOT NULL,
    tsv tsvector NOT NULL
)
"""


def pg_connect(url):
    import psycopg2

    return psycopg2.connect(url)


def pg_build(url, corpus_out):
    """Load the corpus into bench_fts (weighted title A, text D), then the GIN index; docs/s overall."""
    from psycopg2.extras import execute_values

    conn = pg_connect(url)
    conn.autocommit = False
    start = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_fts")
        cur.execute(PG_TABLE)
        batch, docs = [], 0

        def flush():
            execute_values(
                cur,
                "INSERT INTO bench_fts VALUES %s",
                batch,
                template="(%s, %s, %s, %s, %s, %s, %s, %s, "
                "setweight(to_tsvector(%s::regconfig, %s), 'A') || to_tsvector(%s::regconfig, %s))",
            )
            batch.clear()

        for n, article in published_articles(corpus_out):
            config = "english" if article["language"] == "en" else "simple"
            batch.append(
                (
                    n,
                    article["title"],
                    article["abstract"][:300],
                    [slug_token(a["name"]) for a in article["authors"]],
                    [slug_token(k) for k in article["keywords"]],
                    article["kind"],
                    article["language"],
                    int(article["date"][:4]),
                    config,
                    fold(article["title"]),
                    config,
                    document_text(article),
                )
            )
            docs += 1
            if len(batch) == 500:
                flush()
        if batch:
            flush()
        cur.execute("CREATE INDEX bench_fts_tsv ON bench_fts USING gin (tsv)")
        conn.commit()
        cur.execute("ANALYZE bench_fts")
        cur.execute("SELECT pg_total_relation_size('bench_fts')")
        size = cur.fetchone()[0]
    conn.commit()
    conn.close()
    seconds = time.perf_counter() - start
    return {"docs": docs, "seconds": round(seconds, 1), "docs_per_s": round(docs / seconds, 1), "bytes": size}


def pg_queries(url, manifest, *, repeats):
    conn = pg_connect(url)
    conn.autocommit = True
    queries = query_mix(manifest)
    with conn.cursor() as cur:

        def run_one(q):
            statements, params = pg_sql(q)
            count = None
            for i, sql in enumerate(statements):
                cur.execute(sql, params)
                rows = cur.fetchall()
                if i == 1:
                    count = rows[0][0]
            return count

        result = time_queries(run_one, queries, repeats=repeats)
    conn.close()
    return result


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("engine", choices=["whoosh", "pg"])
    parser.add_argument("--corpus-out", required=True, help="folder of the generated articles")
    parser.add_argument("--index", help="whoosh: index folder")
    parser.add_argument("--url", help="pg: database URL of the scratch database")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args(argv)
    manifest = json.loads((Path(args.corpus_out) / "manifest.json").read_text(encoding="utf-8"))
    out = {}
    if args.engine == "whoosh":
        if not args.skip_build:
            out["build"] = whoosh_build(args.corpus_out, args.index)
            out["build"]["bytes"] = folder_size(args.index)
        out["queries"] = whoosh_queries(args.index, manifest, repeats=args.repeats)
    else:
        if not args.skip_build:
            out["build"] = pg_build(args.url, args.corpus_out)
        out["queries"] = pg_queries(args.url, manifest, repeats=args.repeats)
    out["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["rss_anon_mb"] = None
    try:
        from bench.measure import proc_status_kb

        out["rss_anon_mb"] = round(proc_status_kb(os.getpid(), "RssAnon") / 1024, 1)
    except TypeError:
        pass
    emit(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
