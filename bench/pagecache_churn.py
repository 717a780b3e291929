"""The page cache under steady writes (issue 19.1): throughput minute by minute, Django's
FileBasedCache against the archive's GenerationalFileCache, on the same archive and load.

    .venv/bin/python bench/pagecache_churn.py --articles 1000 --minutes 3
    .venv/bin/python bench/pagecache_churn.py --articles 1000 --minutes 3 --prefill 15000
    .venv/bin/python bench/pagecache_churn.py --micro 15000    # the cost of one set, cache alone

One process per backend, in-process requests through Django's test client (no HTTP: the
rendering and the cache are what is measured) with the production settings (DJANGO_DEBUG=0, the
"pages" cache on disk in the work folder). A visitor requests a random page (article, list,
author, keyword: `--urls` of them); every `--write-every` requests an article is edited through
the ORM, which retires every cached page (a new content version). `--prefill N` first writes N
entries of an old content version into the cache folder, as a long run leaves them. Printed: per
minute, requests, median and p95 latency, and the files in the cache folder; the last line is
JSON with `first_minute_rpm`, `last_minute_rpm` and their ratio per backend.

On a shared machine compare the ratio (last minute / first) more than the absolute figures.
`--micro N` measures the cache alone: N dead entries of an old version in the folder, then the
milliseconds per `set()` of 1,000 pages of a new version, for each backend.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
BACKENDS = {
    "django": "django.core.cache.backends.filebased.FileBasedCache",
    "generational": "archive.articles.filecache.GenerationalFileCache",
}


def env_for(work, backend):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ARCHIVE_"))}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{work / 'archive.sqlite3'}",
            "ARCHIVE_INDEX_DIR": str(work / "index"),
            "ARCHIVE_MEDIA_DIR": str(work / "media"),
            "ARCHIVE_CACHE_DIR": str(work / f"cache-{backend}"),
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "bench.bench_settings",  # production, static files in `work`
            "BENCH_STATIC_ROOT": str(work / "static"),
            "PAGECACHE_BACKEND": BACKENDS[backend],
            "PYTHONPATH": str(REPO),
        }
    )
    return env


def prepare(work, articles):
    work.mkdir(parents=True, exist_ok=True)
    if (work / "ready").exists():
        return
    corpus = work / "corpus"
    subprocess.run(
        [sys.executable, "bench/corpus.py", "--articles", str(articles), "--out", str(corpus)],
        cwd=REPO,
        check=True,
    )
    env = env_for(work, "django")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=REPO, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=REPO, env=env, check=True)
    files = sorted(str(p) for p in corpus.glob("articles-*.json"))
    subprocess.run([*manage, "import_articles", *files, "-v", "0"], cwd=REPO, env=env, check=True)
    (work / "ready").touch()


def child(args):
    """Runs in its own process, with the backend named in PAGECACHE_BACKEND."""
    import django
    from django.conf import settings

    django.setup()
    settings.CACHES["pages"]["BACKEND"] = os.environ["PAGECACHE_BACKEND"]
    from django.core.cache import caches
    from django.test import Client

    from archive.articles.models import Article, Author, Keyword
    from archive.articles.pagecache import _key

    rng = random.Random(1)
    public = Article.objects.published()
    urls = [f"/articles/{slug}/" for slug in public.values_list("slug", flat=True)[: args.urls // 2]]
    urls += [f"/authors/{slug}/" for slug in Author.objects.values_list("slug", flat=True)[: args.urls // 5]]
    urls += [
        f"/keywords/{slug}/" for slug in Keyword.objects.values_list("slug", flat=True)[: args.urls // 10]
    ]
    pages = max(1, public.count() // 20)
    urls += [f"/articles/?page={n}" for n in range(1, min(pages, args.urls // 5) + 1)]
    cache_dir = Path(settings.CACHES["pages"]["LOCATION"])
    pages_cache = caches["pages"]
    if args.prefill:
        body = b"<html>" + b"x" * 30_000
        for n in range(args.prefill):  # a long run's dead pages: an old content version
            pages_cache.set(_key("page", 1, f"old-{n}"), body, 3600)
    client = Client()
    editable = list(public.values_list("pk", flat=True)[:200])
    rows = []
    started = time.monotonic()
    for minute in range(args.minutes):
        latencies, end = [], started + 60 * (minute + 1)
        while time.monotonic() < end:
            url = rng.choice(urls)
            t0 = time.perf_counter()
            response = client.get(url, secure=True)
            latencies.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            if len(latencies) % args.write_every == 0:
                article = Article.objects.get(pk=rng.choice(editable))
                article.title = article.title.rstrip(" *") + (" *" if not article.title.endswith("*") else "")
                article.save()  # a committed change: every cached page is retired
        files = sum(len(names) for _, _, names in os.walk(cache_dir))
        rows.append(
            {
                "minute": minute + 1,
                "requests": len(latencies),
                "p50_ms": round(statistics.median(latencies), 1),
                "p95_ms": round(sorted(latencies)[int(len(latencies) * 0.95)], 1),
                "cache_files": files,
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    print("RESULT " + json.dumps(rows), flush=True)


def micro(dead, repeats=1000):
    """Milliseconds per set() with `dead` entries of an old content version in the folder."""
    import tempfile

    import django
    from django.conf import settings

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    django.setup()
    from django.core.cache.backends.filebased import FileBasedCache

    from archive.articles.filecache import GenerationalFileCache, wait_for_retirements

    page = "<html>" + "word " * 6000  # about 30 kB rendered, 1-2 kB compressed
    results = {}
    for name, backend in (("django", FileBasedCache), ("generational", GenerationalFileCache)):
        with tempfile.TemporaryDirectory() as folder:
            cache = backend(folder, {"TIMEOUT": 300, "OPTIONS": {"MAX_ENTRIES": 20_000}})
            for n in range(dead):
                cache.set(f"pages-{1:019d}-20261205/page:{n}", page, 300)
            wait_for_retirements()
            started = time.perf_counter()
            for n in range(repeats):
                cache.set(f"pages-{2:019d}-20261205/page:{n}", page, 300)
            per_set = (time.perf_counter() - started) * 1000 / repeats
            wait_for_retirements(timeout=120)
            files = sum(len(names) for _, _, names in os.walk(folder))
            results[name] = {"ms_per_set": round(per_set, 2), "files_after": files}
            print(f"  {name:12} {dead} dead entries: {per_set:.2f} ms per set; {files} files afterwards")
    del settings
    print(json.dumps({"dead_entries": dead, **results}))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--minutes", type=int, default=3)
    parser.add_argument("--urls", type=int, default=3000, help="distinct pages visitors ask for")
    parser.add_argument("--write-every", type=int, default=20, help="requests between two edits")
    parser.add_argument("--prefill", type=int, default=0, help="dead entries left by a long run")
    parser.add_argument("--backend", choices=["both", *BACKENDS], default="both")
    parser.add_argument("--out", default=None)
    parser.add_argument("--micro", type=int, default=None, metavar="DEAD", help="time set() alone")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    if args.micro is not None:
        return micro(args.micro)

    work = Path(args.out or REPO / "bench" / "out" / f"churn-{args.articles}")
    prepare(work, args.articles)
    results = {}
    for backend in BACKENDS if args.backend == "both" else [args.backend]:
        shutil.rmtree(work / f"cache-{backend}", ignore_errors=True)
        print(f"--- {backend}: {BACKENDS[backend]}", flush=True)
        command = [sys.executable, __file__, "--child", *argv_of(args)]
        out = subprocess.run(command, cwd=REPO, env=env_for(work, backend), capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(out.stderr[-3000:])
        rows = json.loads(next(line for line in out.stdout.splitlines() if line.startswith("RESULT "))[7:])
        for row in rows:
            print(
                f"  minute {row['minute']}: {row['requests']:6d} requests, p50 {row['p50_ms']:6.1f} ms, "
                f"p95 {row['p95_ms']:6.1f} ms, {row['cache_files']:6d} files in the cache"
            )
        first, last = rows[0]["requests"], rows[-1]["requests"]
        results[backend] = {
            "first_minute_rpm": first,
            "last_minute_rpm": last,
            "last_over_first": round(last / first, 3) if first else None,
            "last_cache_files": rows[-1]["cache_files"],
            "minutes": rows,
        }
    print(
        json.dumps(
            {"articles": args.articles, "prefill": args.prefill, "write_every": args.write_every, **results}
        )
    )


def argv_of(args):
    return [
        "--minutes", str(args.minutes), "--urls", str(args.urls), "--write-every", str(args.write_every),
        "--prefill", str(args.prefill),
    ]  # fmt: skip


if __name__ == "__main__":
    main()
