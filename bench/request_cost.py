"""What one request costs the serving process, in-process, on an archive already built (issue 19).

    DATABASE_URL=... ARCHIVE_INDEX_DIR=... .venv/bin/python bench/request_cost.py [--repeat 30]

Runs the views through Django's test client (no server, no network, DEBUG off) on the database
and index the environment names, and prints the median and p90 of each request in ms, in wall
time and in the process's CPU time:
- `export_ris_100`, `export_ris_1000`: a search's RIS export of 100 and 1,000 results;
- `search_plain`: the search page for a common word, also right after a save;
- `search_misspelt`, `search_rare`: the search page for a misspelt word and for a made-up word
  (what the soak's save-to-search probe asks), both in a steady index and right after a save
  (`*_after_save`): a save makes a new index version, and what is kept per version is lost.
The saves retitle one piece back and forth and write it to the index; the timing covers only the
request that follows. In a steady index a repeated search comes from the search cache
(`service._CACHE`), so the `*_after_save` figures are what a search costs the first time.
Prints one JSON object on the last line.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    os.environ.setdefault("ARCHIVE_SEARCH_RATE", "0")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log: what production pays


def timed(client, url, *, before=None, repeat):
    """Median and p90 of the wall time and of this process's CPU time (which other processes on a
    busy machine disturb far less; the database's own CPU is not in it), in ms."""
    wall, cpu = [], []
    for _ in range(repeat):
        if before:
            before()
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, HTTP_HOST="localhost")
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
    figures = {}
    for name, times in (("", wall), ("cpu_", cpu)):
        times.sort()
        figures[f"{name}median_ms"] = round(statistics.median(times), 1)
        figures[f"{name}p90_ms"] = round(times[int(0.9 * (len(times) - 1))], 1)
    return figures


def saver():
    """A function that retitles one piece (alternately) and writes it to the index."""
    from archive.articles.models import Article
    from archive.search import indexing, service

    article = Article.objects.published().order_by("id").first()
    title = article.title
    flip = [False]

    def save():
        flip[0] = not flip[0]
        Article.objects.filter(pk=article.pk).update(title=title + (" again" if flip[0] else ""))
        indexing.write_articles([article.pk])
        service.backend().version()  # this thread's searcher moves to the new version now

    def restore():
        Article.objects.filter(pk=article.pk).update(title=title)
        indexing.write_articles([article.pk])

    return save, restore


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--common", default="government")
    parser.add_argument("--misspelt", default="goverment")
    parser.add_argument("--rare", default="soakqbcde")
    parser.add_argument("--only", help="comma-separated figure names")
    args = parser.parse_args(argv)
    setup()
    from django.test import Client
    from django.test.utils import override_settings

    client = Client()
    save, restore = saver()
    cases = {
        "export_ris_100": (f"/export/search/ris/?q={args.common}", None, 100),
        "export_ris_1000": (f"/export/search/ris/?q={args.common}", None, 1000),
        "search_plain": (f"/search/?q={args.common}", None, None),
        "search_plain_after_save": (f"/search/?q={args.common}", save, None),
        "search_misspelt": (f"/search/?q={args.misspelt}", None, None),
        "search_misspelt_after_save": (f"/search/?q={args.misspelt}", save, None),
        "search_rare": (f"/search/?q={args.rare}", None, None),
        "search_rare_after_save": (f"/search/?q={args.rare}", save, None),
    }
    only = set(args.only.split(",")) if args.only else set(cases)
    results = {}
    try:
        for name, (url, before, export_max) in cases.items():
            if name not in only:
                continue
            with override_settings(ARCHIVE_EXPORT_MAX=export_max or 1000):
                client.get(url, HTTP_HOST="localhost")  # warm: the searcher's arrays, templates
                repeat = max(5, args.repeat // 3) if export_max == 1000 else args.repeat
                results[name] = timed(client, url, before=before, repeat=repeat)
            figures = results[name]
            print(
                f"{name:28} wall {figures['median_ms']:7.1f} ms median {figures['p90_ms']:7.1f} p90; "
                f"CPU {figures['cpu_median_ms']:7.1f} median {figures['cpu_p90_ms']:7.1f} p90"
            )
    finally:
        restore()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
