"""The issue 15 attack, against the production configuration (gunicorn, DJANGO_DEBUG=0).

    .venv/bin/python bench/attack.py [--burst 80] [--workers 2] [--work DIR]

1. A fresh SQLite database, index and static files in a work folder; the demo content
   (fixtures/demo.json) plus hostile content: names and keywords holding characters XML 1.0
   forbids, markup, right-to-left overrides, a 400-character name, two drafts-only authors.
2. gunicorn with the production settings and the rate limits as deployed (nothing switched off),
   behind a pretend proxy: each attacking client is an X-Forwarded-For address.
3. The attack:
   - a burst of `--burst` requests from one address against each door that runs a search (the
     page, the API, exports, feeds, autocomplete, OpenSearch suggestions: each must answer 429
     once the client's bucket is empty; a missing article's 404, which searches for close titles
     and stops searching, still a 404, once the bucket is empty), 8 at a time;
   - every control character (U+0000-U+001F) and U+FFFE/U+FFFF in a query, at each search door
     (a fresh address each, so the limiter does not hide a 500);
   - the hostile names' feeds, OAI-PMH and the sitemap, each parsed as XML;
   - reading pages from an address that has spent its searches (must not be limited).
4. Prints the requests sent, the status counts per door, the worst latency per door and overall,
   and what went wrong: a 500, a door never limited, XML that lxml refuses, a drafts-only author's
   feed that answers. Exits 1 when anything went wrong.
"""

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.http_load import Gunicorn, free_port, production_env  # noqa: E402

SEARCH_DOORS = {
    "search page": "/search/?q={q}",
    "api search": "/api/search/?q={q}",
    "export json": "/export/search/json/?q={q}",
    "export bibtex": "/export/search/bibtex/?q={q}",
    "feed atom": "/feeds/search/atom/?q={q}",
    "feed rss": "/feeds/search/rss/?q={q}",
    "autocomplete": "/api/autocomplete/?q={q}",
    "suggestions": "/opensearch/suggest/?q={q}",
    "404 close titles": "/articles/{q}-no-such-piece/",
}
XML_DOORS = ("feed atom", "feed rss")
CONTROL = [chr(c) for c in range(0x20)] + ["\ufffe", "\uffff"]

HOSTILE_NAMES = [
    "k\u0002w",
    "Null\u0000Byte",
    "Bell\u0007Ringer",
    "Esc\u001b[31mRed",
    "Not\ufffeA\uffffChar",
    "<script>alert(1)</script>",
    "\u202eevil\u202c override",
    'Amp & <b>bold</b> "quoted"',
    "x" * 400,
]


def hostile_items():
    items = []
    for n, name in enumerate(HOSTILE_NAMES):
        items.append(
            {
                "title": f"Hostile piece {n} {name[:40]}",
                "date": f"2019-03-0{1 + n % 9}",
                "authors": [{"name": f"{name} author", "affiliation": f"Institute of {name}"}],
                "keywords": [f"{name} keyword", "hostile"],
                "abstract": f"Abstract with {name} inside.",
                "body": f"Body with {name} and more text about oil and the Gulf.",
            }
        )
    for n in range(2):  # authors and keywords whose only pieces are drafts
        items.append(
            {
                "title": f"Hidden draft {n}",
                "date": "2019-04-01",
                "authors": [{"name": f"Drafts Only Author {n}", "affiliation": "Secret Institute"}],
                "keywords": [f"Drafts only keyword {n}"],
                "body": "Not for the public.",
                "status": "draft",
            }
        )
    return items


class Client:
    def __init__(self, base):
        self.base = base
        self.results = defaultdict(list)  # door -> [(status, seconds, body or None)]

    def get(self, door, path, *, address, keep_body=False):
        request = urllib.request.Request(
            self.base + path,
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": address, "Accept-Encoding": "identity"},
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        except OSError as error:
            status, body = f"error: {type(error).__name__}", b""
        elapsed = time.perf_counter() - started
        self.results[door].append((status, elapsed, body if keep_body else None))
        return status, body


def xml_problem(body):
    from lxml import etree

    try:
        etree.fromstring(body)
    except etree.XMLSyntaxError as error:
        return str(error)
    return None


def manage(env, *argv):
    import subprocess

    done = subprocess.run(
        [sys.executable, "manage.py", *argv], cwd=REPO, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(argv)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def prepare(work):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ARCHIVE_", "GUNICORN_"))}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{work / 'archive.sqlite3'}",
            "ARCHIVE_INDEX_DIR": str(work / "index"),
            "ARCHIVE_MEDIA_DIR": str(work / "media"),
            "ARCHIVE_CACHE_DIR": str(work / "cache"),
            "STATIC_ROOT_OVERRIDE": str(work / "static"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env = production_env(env, work)
    # As deployed: the limits on (production_env switches them off for load tests).
    for name in ("ARCHIVE_SEARCH_RATE", "ARCHIVE_SUGGEST_RATE"):
        env.pop(name, None)
    (work / "attack_settings.py").write_text(
        "import os\nfrom archive.settings import *  # noqa\n"
        "STATIC_ROOT = os.environ['STATIC_ROOT_OVERRIDE']\n"
    )
    env["DJANGO_SETTINGS_MODULE"] = "attack_settings"
    env["PYTHONPATH"] = f"{REPO}{os.pathsep}{work}"
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "load_demo", "-v", "0")
    hostile = work / "hostile.json"
    hostile.write_text(json.dumps(hostile_items(), ensure_ascii=False))
    manage(env, "import_articles", str(hostile), "-v", "0")
    slugs = json.loads(
        manage(
            env,
            "shell",
            "-c",
            "import json; from archive.articles.models import Author, Keyword;"
            "print(json.dumps({'authors': [[a.name, a.slug] for a in Author.objects.all()],"
            "'keywords': [[k.name, k.slug] for k in Keyword.objects.all()]}))",
        )
        .strip()
        .splitlines()[-1]
    )
    return env, slugs


def attack(client, slugs, burst):
    problems = []
    # 1. Bursts: one address per door, `burst` requests, 8 at a time.
    for n, (door, template) in enumerate(SEARCH_DOORS.items()):
        address = f"198.51.100.{10 + n}"
        paths = [template.format(q=quote(q)) for q in (["a*", "oil", "iran", "gulf"] * burst)[:burst]]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda p, d=door, a=address: client.get(d, p, address=a, keep_body=True), paths))
        if door == "404 close titles":
            # Still a 404 when over the budget, without the search for close titles.
            searched = sum(b'id="closest-heading"' in body for _, _, body in client.results[door])
            print(f"404 close titles: {searched} of {burst} missing-article pages searched for close titles")
            if searched == burst:
                problems.append(f"{door}: all {burst} 404 pages from one address ran a search")
            continue
        statuses = Counter(s for s, _, _ in client.results[door])
        if not statuses.get(429):
            problems.append(f"{door}: {burst} requests from one address, none refused (429)")
    # 2. Control characters in queries, at each search door, a fresh address each.
    for n, char in enumerate(CONTROL):
        for m, (door, template) in enumerate(SEARCH_DOORS.items()):
            if door == "404 close titles":
                continue
            path = template.format(q=quote("iran" + char + "oil"))
            status, body = client.get(f"{door} (control)", path, address=f"10.{m}.0.{n + 1}", keep_body=True)
            if status == 200 and door in XML_DOORS and (error := xml_problem(body)):
                problems.append(f"{door} with U+{ord(char):04X}: XML refused: {error}")
    # 3. Hostile names: their feeds, OAI-PMH and the sitemap, parsed as XML.
    hostile_authors = [slug for name, slug in slugs["authors"] if any(h[:6] in name for h in HOSTILE_NAMES)]
    hostile_keywords = [slug for name, slug in slugs["keywords"] if any(h[:6] in name for h in HOSTILE_NAMES)]
    paths = []
    for slug in hostile_authors:
        paths += [f"/feeds/authors/{quote(slug)}/atom/", f"/feeds/authors/{quote(slug)}/rss/"]
    for slug in hostile_keywords:
        paths += [f"/feeds/keywords/{quote(slug)}/atom/", f"/feeds/keywords/{quote(slug)}/rss/"]
    paths += ["/oai/?verb=ListRecords&metadataPrefix=oai_dc", "/sitemap.xml", "/feeds/atom/", "/feeds/rss/"]
    for n, path in enumerate(paths):
        status, body = client.get("hostile names (xml)", path, address=f"192.0.2.{n % 250}", keep_body=True)
        if status != 200:
            problems.append(f"{path}: {status}")
        elif error := xml_problem(body):
            problems.append(f"{path}: XML refused: {error}")
    # Drafts-only authors and keywords: their feeds are 404, as their pages.
    for name, slug in slugs["authors"] + slugs["keywords"]:
        if "Drafts Only" in name or "Drafts only" in name:
            kind = "authors" if "Author" in name else "keywords"
            for fmt in ("atom", "rss"):
                status, _ = client.get(
                    "drafts-only feeds", f"/feeds/{kind}/{slug}/{fmt}/", address="192.0.2.251"
                )
                if status != 404:
                    problems.append(f"/feeds/{kind}/{slug}/{fmt}/ of a drafts-only {kind[:-1]}: {status}")
    # 4. Reading pages from an address that spent its searches: never limited.
    for _ in range(50):
        for path in ("/", "/articles/", "/feeds/atom/"):
            status, _ = client.get("reading (limited address)", path, address="198.51.100.10")
            if status != 200:
                problems.append(f"{path} from a search-limited address: {status}")
    return problems


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--burst", type=int, default=80, help="requests per search door from one address")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one)")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        work = args.work or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="attack-")))
        work.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        env, slugs = prepare(work)
        took = time.monotonic() - started
        print(f"prepared in {took:.0f} s: demo content + {len(hostile_items())} hostile items")
        server = Gunicorn(env, work, port=free_port(), workers=args.workers).start(timeout=120)
        stack.callback(server.stop)
        client = Client(server.base)
        started = time.monotonic()
        problems = attack(client, slugs, args.burst)
        took = time.monotonic() - started
        log = (work / "gunicorn.log").read_text(errors="replace")
        tracebacks = log.count("Traceback (most recent call last)")

    total = sum(len(r) for r in client.results.values())
    print(f"\n{total} requests in {took:.0f} s against gunicorn ({args.workers} workers, DJANGO_DEBUG=0)\n")
    print(f"{'door':34} {'requests':>8}  {'worst ms':>8}  statuses")
    worst_all = 0.0
    all_statuses = Counter()
    for door, results in client.results.items():
        statuses = Counter(status for status, _, _ in results)
        all_statuses.update(statuses)
        worst = max(seconds for _, seconds, _ in results) * 1000
        worst_all = max(worst_all, worst)
        shown = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items(), key=str))
        print(f"{door:34} {len(results):>8}  {worst:>8.0f}  {shown}")
    print(f"\nall: {dict(sorted(all_statuses.items(), key=str))}; worst latency {worst_all:.0f} ms")
    print(f"tracebacks in the server log: {tracebacks}")
    if all_statuses.get(500):
        problems.append(f"{all_statuses[500]} answers were 500")
    if tracebacks:
        problems.append(f"{tracebacks} tracebacks logged")
    print("\n" + ("\n".join(f"PROBLEM: {p}" for p in problems) if problems else "No problem found."))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
