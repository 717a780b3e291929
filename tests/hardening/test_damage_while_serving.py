"""A generation damaged under a serving process (issue 15.4): gunicorn workers that already have
the index open never answer a search with a wrong count meanwhile (a 503 that says so, or the
right count), `check_index` names the damaged file and exits non-zero, the health page's Repair
starts a rebuild aside that is swapped in, and search comes back without a restart."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from tests.hardening.scratch import ROOT, WORKER

PIECES = 40
# query -> the count every answer of 200 must carry
QUERIES = {"oil": PIECES, "gulf": PIECES, "iraq": PIECES // 2, "russia": PIECES // 4, "energy": PIECES}


SERVER = ["--workers", "2", "--threads", "2", "--timeout", "60"]


def items():
    return [
        {
            "title": f"Damage test piece {n}",
            "date": f"2015-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "authors": [{"name": f"Writer {n % 3}", "affiliation": "Institute"}],
            "keywords": ["Energy"],
            "abstract": f"Piece {n} on oil in the Gulf.",
            "body": (" Iraq." if n % 2 == 0 else " Iran.")
            + (" Russia." if n % 4 == 0 else "")
            + " Oil and gas in the Gulf. " * 60,
        }
        for n in range(PIECES)
    ]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url, *, data=None, headers=None):
    """(status, JSON or None); a reset connection is (None, None)."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(
            urllib.request.Request(url, data=data, headers=headers or {}), timeout=30
        ) as response:
            body = response.read()
            return response.status, json.loads(body) if url.find("/api/") > 0 else None
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body)
        except ValueError:
            return error.code, None
    except (ConnectionError, urllib.error.URLError):
        return None, None


@pytest.fixture
def served(scratch_site, tmp_path):
    path = tmp_path / "pieces.json"
    path.write_text(json.dumps(items()))
    scratch_site.manage("import_articles", str(path))
    port = free_port()
    env = {
        **scratch_site.env,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "ARCHIVE_SEARCH_RATE": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "ARCHIVE_CACHE_DIR": str(tmp_path / "cache"),
    }
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "archive.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            *SERVER,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while get(base + "/robots.txt")[0] != 200:
        assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
        time.sleep(0.2)
    yield scratch_site, base, tmp_path / "gunicorn.log", env
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    log.close()


def ask_everything(base, rounds, offset=0):
    """Each query `rounds` times (a different page size each time, so no cached answer is reused)."""
    answers = []
    for n in range(rounds):
        for query, expected in QUERIES.items():
            status, body = get(f"{base}/api/search/?q={query}&page_size={1 + (n + offset) % 20}")
            answers.append((query, expected, status, body["count"] if status == 200 else None))
    return answers


@pytest.mark.slow
def test_a_generation_damaged_under_serving_workers_is_noticed_and_repaired(served):
    site, base, log, env = served
    before = ask_everything(base, 4)
    assert {(q, s, c) for q, _, s, c in before} == {(q, 200, n) for q, n in QUERIES.items()}

    folder = Path(site.env["ARCHIVE_INDEX_DIR"])
    name = (folder / "CURRENT").read_text().strip()
    segment = max(
        (f for f in folder.iterdir() if f.name.startswith(f"{name}_")),
        key=lambda f: f.stat().st_size,
    )
    size = segment.stat().st_size
    os.truncate(segment, size // 2)  # cut to half, as a full disk or a bad copy would

    during = ask_everything(base, 6, offset=4)
    statuses = Counter(status for _, _, status, _ in during)
    wrong = [
        (q, expected, count) for q, expected, status, count in during if status == 200 and count != expected
    ]
    assert wrong == [], f"searches answered 200 with a wrong count: {wrong[:5]}"
    assert statuses[503] > 0, statuses
    assert set(statuses) <= {200, 503}, statuses
    time.sleep(1.1)  # every worker's open searcher has looked at its files again (live.VERIFY_EVERY)
    status, body = get(f"{base}/api/search/?q=oil")
    assert status == 503
    assert "damaged" in body["error"]

    check = site.manage("check_index", check=False)
    assert check.returncode == 2, (check.stdout, check.stderr)
    assert f"{segment.name} is {size // 2} bytes; its commit wrote {size}." in check.stderr
    as_json = site.manage("check_index", "--json", check=False)
    assert as_json.returncode == 2
    assert json.loads(as_json.stdout)["damaged"] == [
        f"{segment.name} is {size // 2} bytes; its commit wrote {size}."
    ]

    # Staff press Repair on the health page: a check_index --repair process rebuilds aside.
    signed_in = subprocess.run(
        [sys.executable, "-m", WORKER, "staff_session"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    session = json.loads(signed_in.stdout.strip().splitlines()[-1])
    csrf = "k" * 32
    status, _ = get(
        f"{base}/admin/search/health/",
        data=f"csrfmiddlewaretoken={csrf}".encode(),
        headers={"Cookie": f"{session['cookie']}={session['session']}; csrftoken={csrf}"},
    )
    assert status == 302
    deadline = time.monotonic() + 30
    while (folder / "CURRENT").read_text().strip() == name:
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.5)
    after = ask_everything(base, 2, offset=10)
    assert {(q, s, c) for q, _, s, c in after} == {(q, 200, n) for q, n in QUERIES.items()}
    report = site.index_report()
    assert report["database"] == report["index"] == PIECES
    assert report["damaged"] == []
    print(f"\ndamage while serving: {sum(statuses.values())} searches during the damage: {dict(statuses)}")
