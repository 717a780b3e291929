"""Production mode (`DJANGO_DEBUG=0`) refuses to start without a secret key: checked in a fresh process,
since settings are read once at start-up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0" in result.stderr


@pytest.mark.slow
def test_production_starts_with_a_secret_key():
    result = manage(
        "check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="archive.example.org"
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_production_workers_share_the_page_cache_on_disk(tmp_path):
    """What one gunicorn worker rendered, another serves: the "pages" cache is files under
    ARCHIVE_CACHE_DIR in production (two processes here)."""
    env = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 60, "ARCHIVE_CACHE_DIR": str(tmp_path)}
    cache = "from django.core.cache import caches; pages = caches['pages']; key = 'pages-1-20260101/page'; "
    put = manage("shell", "-c", cache + "pages.set(key, 'rendered by one worker', 60)", **env)
    assert put.returncode == 0, put.stderr
    got = manage("shell", "-c", cache + "print(pages.get(key))", **env)
    assert got.returncode == 0, got.stderr
    assert got.stdout.splitlines()[-1] == "rendered by one worker"
    # One folder per content version (archive.articles.filecache).
    assert len(list((tmp_path / "pages" / "pages-1-20260101").glob("*.djcache"))) == 1
