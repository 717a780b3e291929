"""A PostgreSQL restart or outage, on a scratch cluster of the test's own (never the shared server):

- issue 19.2: an import whose index catch-up meets the restart retries it (bounded, with backoff)
  and writes its full report, exit 0; when the database stays down longer than the retries, the
  pieces stay queued, the summary says so, and `update_index` applies them later;
- issue 19.3: while the database is down every page answers 503 with Retry-After and says the
  database is unavailable (JSON under /api/), no 500, the index not blamed; once it is back,
  pages answer again.

Real processes throughout: `import_articles`, gunicorn with the production settings, pg_ctl.
"""

import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.http_load import Gunicorn, get, production_env
from bench.pgcluster import ScratchPostgres, free_tcp_port, unavailable_reason

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        unavailable_reason() is not None, reason=f"no scratch PostgreSQL: {unavailable_reason()}"
    ),
]


@pytest.fixture
def cluster():
    pg = ScratchPostgres.create()
    yield pg
    pg.close()


@pytest.fixture
def site(cluster, tmp_path):
    """An archive on the scratch cluster: its environment, migrated."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ARCHIVE_", "PYTEST"))},
        "DATABASE_URL": cluster.create_database("archive"),
        "ARCHIVE_INDEX_DIR": str(tmp_path / "index"),
        "ARCHIVE_MEDIA_DIR": str(tmp_path / "media"),
        "ARCHIVE_CACHE_DIR": str(tmp_path / "cache"),
        # The production settings, static files collected into the test's folder (as bench/ does).
        "BENCH_STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
        "PYTHONUNBUFFERED": "1",
    }
    manage(env, "migrate", "--noinput", "-v", "0")
    return env


def manage(env, *args, check=True, timeout=180):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-4000:])
    return result


def pieces(n):
    return [
        {
            "title": f"Restart piece {i}",
            "date": f"2015-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "authors": [{"name": f"Restart Author {i % 4}"}],
            "keywords": ["Energy", f"Topic {i % 3}"],
            "body": f"Piece {i} about oil and gas in the Gulf.",
        }
        for i in range(n)
    ]


class IndexWriteLock:
    """The index's write lock (archive.search.engine.write_lock), held by the test: the import's
    catch-up waits for it after every piece is stored, so the database goes down at that moment."""

    def __init__(self, index_dir):
        Path(index_dir).mkdir(parents=True, exist_ok=True)
        self.handle = open(Path(index_dir) / "write.lock", "a+")  # noqa: SIM115
        fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX)

    def release(self):
        fcntl.flock(self.handle.fileno(), fcntl.LOCK_UN)
        self.handle.close()


def wait_for_articles(cluster, count, process, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        if cluster.psql("SELECT count(*) FROM articles_article", dbname="archive")[0][0] >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"the import did not store {count} pieces in {timeout} s")


def import_caught_by_an_outage(cluster, site, tmp_path, *, retries, down_for):
    """Import 40 pieces; once they are stored, stop PostgreSQL for `down_for` seconds (None: until
    the import exits) while the import's catch-up starts."""
    items = pieces(40)
    path = tmp_path / "pieces.json"
    path.write_text(json.dumps(items))
    env = {**site, "ARCHIVE_SEARCH_CATCH_UP_RETRIES": str(retries)}
    lock = IndexWriteLock(site["ARCHIVE_INDEX_DIR"])
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_articles", str(path), "--json"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_articles(cluster, len(items), process)
        time.sleep(0.5)  # the import is now waiting for the index lock, its pieces committed
        cluster.stop("fast")
        lock.release()
        if down_for is not None:
            time.sleep(down_for)
            cluster.start()
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    if down_for is None:
        cluster.start()
    return process.returncode, out, err, items


def test_an_import_retries_its_catch_up_across_a_database_restart(cluster, site, tmp_path):
    code, out, err, items = import_caught_by_an_outage(cluster, site, tmp_path, retries=4, down_for=2.0)
    assert code == 0, err[-3000:]
    assert "Traceback" not in err
    report = json.loads(out)
    assert [(entry["source"].split("#")[1], entry["status"]) for entry in report] == [
        (str(n), "created") for n in range(1, len(items) + 1)
    ]
    assert "index catch-up failed on the database" in err and "trying again in 1 s (1 of 4)" in err
    assert "index caught up with 40 queued articles" in err
    assert "did not catch up" not in err and "queued for the index" not in err
    assert_index_holds_exactly(site, 40)


def test_an_import_whose_database_stays_down_leaves_its_pieces_queued_and_says_so(cluster, site, tmp_path):
    code, out, err, _ = import_caught_by_an_outage(cluster, site, tmp_path, retries=1, down_for=None)
    assert code == 0, err[-3000:]
    assert "Traceback" not in err
    report = json.loads(out)
    assert len(report) == 40 and {entry["status"] for entry in report} == {"created"}
    assert "created 40, updated 0, skipped 0 as duplicate, failed 0 (40 pieces)." in err
    assert "The search index did not catch up after 2 tries (OperationalError: " in err
    assert "The 40 stored pieces are kept and queued for the index" in err
    # Nothing was lost: once the database is back, update_index applies the queue.
    queued = cluster.psql(
        "SELECT count(DISTINCT article_id) FROM archive_search_pendingindexupdate", "archive"
    )
    assert queued == [(40,)]
    manage(site, "update_index")
    assert_index_holds_exactly(site, 40)


def assert_index_holds_exactly(site, count):
    """check_index agrees: `count` published pieces, all in the index, nothing damaged."""
    check = json.loads(manage(site, "check_index", "--json").stdout)
    assert {key: check[key] for key in ("database", "index", "missing", "stale", "orphaned", "damaged")} == {
        "database": count,
        "index": count,
        "missing": [],
        "stale": [],
        "orphaned": [],
        "damaged": [],
    }


# --- pages during an outage (issue 19.3) -------------------------------------------------------

PAGES = [
    "/",
    "/articles/",
    "/articles/kurdish-oil-exports-after-the-pipeline-ruling/",
    "/authors/hana-aziz/",
    "/keywords/oil/",
    "/archive/",
    "/archive/2023/",
    "/feeds/atom/",
    "/feeds/search/rss/?q=oil",
    "/feeds/authors/hana-aziz/atom/",
    "/export/search/json/?q=oil",
    "/export/articles/kurdish-oil-exports-after-the-pipeline-ruling/bibtex/",
    "/oai/?verb=ListRecords&metadataPrefix=oai_dc",
    "/sitemap.xml",
]
# What needs no database keeps answering (the sign-in form, robots.txt, the API root, static files).
WITHOUT_DATABASE = ["/admin/login/", "/robots.txt", "/opensearch.xml", "/api/"]
# Error pages list the latest pieces and a missing article's closest titles: during the outage
# they answer its 503 too (the soak met a 500 from a 404 page that a restart caught halfway).
MISSING = ["/articles/a-deleted-piece-on-oil-exports/", "/no-such-page/"]
API = ["/api/articles/", "/api/authors/", "/api/articles/basras-water-crisis/"]
# A search asked before the outage is answered from the process's search cache, which needs no
# database: 200 is right for it (a search that needs the database gets the 503).
SEARCHES = ["/search/?q=oil", "/api/search/?q=oil", "/search/?q=water&sort=newest", "/api/search/?q=basra"]


def test_every_page_answers_503_with_retry_after_while_the_database_is_down(cluster, site, tmp_path):
    manage(site, "import_articles", str(DATA / "articles.json"))
    manage(site, "check_index", "--repair")
    work = tmp_path / "web"
    work.mkdir()
    env = production_env(site, work)
    manage(env, "collectstatic", "--noinput", "-v", "0")
    server = Gunicorn(env, work, port=free_tcp_port(), workers=2)
    server.start()
    try:
        for path in PAGES + API + SEARCHES[:2]:
            status, _ = get(server.base + path)
            assert status == 200, path
        for path in MISSING:
            assert _request(server.base + path)[0] == 404, path

        cluster.stop("fast")
        for path in WITHOUT_DATABASE:
            assert _request(server.base + path)[0] == 200, path
        for path in SEARCHES:
            status, headers, _ = _request(server.base + path)
            assert status in (200, 503), path
            assert status == 200 or headers.get("Retry-After") == "30", path
        answers = {path: _request(server.base + path) for path in PAGES + API + MISSING for _ in range(2)}
        for path, (status, headers, body) in answers.items():
            assert status == 503, (path, status, body[:300])
            assert headers.get("Retry-After") == "30", path
            if path.startswith("/api/"):
                assert json.loads(body) == {
                    "error": "The database is unavailable for a moment, so this page cannot be shown. "
                    "Nothing you saved is lost. Please try again in half a minute.",
                    "retry_after": 30,
                }
                assert headers.get("Access-Control-Allow-Origin") == "*"
            else:
                assert "The database is unavailable for a moment" in body, path
                assert "<h1>Unavailable for a moment</h1>" in body

        cluster.start()
        for path in PAGES + API + SEARCHES:
            status, _ = get(server.base + path)
            assert status == 200, path
    finally:
        server.stop()
    log = (work / "gunicorn.log").read_text()
    warnings = [line for line in log.splitlines() if "The database is unavailable" in line]
    # Logged at WARNING, once per worker per minute (2 workers), not once per request, no traceback.
    assert 1 <= len(warnings) <= 2 and all(" WARNING archive.database: " in line for line in warnings)
    assert "Traceback" not in log
    assert "looks damaged" not in log and " ERROR " not in log


def _request(url):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()
