"""The production configuration, checked in a fresh process with the production environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x7#Jq-production-like-secret-key-of-enough-length-and-variety-0123456789",
    "DJANGO_ALLOWED_HOSTS": "archive.example.org",
}


def manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full_env.update(PRODUCTION_ENV)
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRINT_SETTINGS = """
import json
from django.conf import settings
names = ["DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
         "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
         "X_FRAME_OPTIONS", "SECURE_PROXY_SSL_HEADER", "ARCHIVE_PROXY_COUNT", "SILENCED_SYSTEM_CHECKS"]
print(json.dumps({n: getattr(settings, n) for n in names}))
"""


def production_settings(**env):
    result = manage("shell", "--no-imports", "-c", PRINT_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_check_deploy_passes_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.slow
def test_check_deploy_passes_behind_a_proxy_that_redirects():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_BEHIND_PROXY="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_production_settings_are_https_only():
    assert production_settings() == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_PROXY_SSL_HEADER": None,
        "ARCHIVE_PROXY_COUNT": 0,
        "SILENCED_SYSTEM_CHECKS": [],
    }


@pytest.mark.slow
def test_behind_a_proxy_trusts_its_forwarded_headers_only_when_told():
    values = production_settings(
        DJANGO_BEHIND_PROXY="1", DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_HSTS_PRELOAD="0"
    )
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["ARCHIVE_PROXY_COUNT"] == 1
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SILENCED_SYSTEM_CHECKS"] == ["security.W008", "security.W021"]


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0" in result.stderr


@pytest.mark.parametrize(
    ("threads", "worker_class", "read"),
    [(None, "gthread", 2), ("2", "gthread", 2), ("1", "sync", 1)],
)
def test_gunicorn_workers_are_threaded_unless_told_one_thread(monkeypatch, threads, worker_class, read):
    """gunicorn.conf.py: cores + 1 workers of 2 threads by default; GUNICORN_THREADS=1 gives sync
    workers, one request per process (docs/production.md)."""
    import multiprocessing
    import runpy

    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    if threads is None:
        monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    else:
        monkeypatch.setenv("GUNICORN_THREADS", threads)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (config["worker_class"], config["threads"]) == (worker_class, read)
    assert config["workers"] == multiprocessing.cpu_count() + 1
