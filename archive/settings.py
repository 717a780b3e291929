"""Settings for the archive, read from the environment.

Every variable has a safe local default, so a fresh clone runs with none set. Production is
`DJANGO_DEBUG=0`, which refuses to start without `DJANGO_SECRET_KEY`.

Environment:
    DATABASE_URL          default: sqlite:///<repo>/var/archive.sqlite3
    DJANGO_SECRET_KEY     required when DJANGO_DEBUG=0
    DJANGO_DEBUG          "1" (default) or "0"
    DJANGO_ALLOWED_HOSTS  comma-separated; default "127.0.0.1,localhost" (plus "testserver" in debug)
    ARCHIVE_INDEX_DIR     the Whoosh index folder; default <repo>/var/index
    ARCHIVE_MEDIA_DIR     uploaded originals; default <repo>/var/media
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS",
    ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else ["127.0.0.1", "localhost"],
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    # archive.search before haystack: its rebuild_index/update_index/clear_index replace Haystack's.
    "archive.search",
    "haystack",
    "archive.articles",
    "archive.ingest",
    "archive.interop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface language comes from the address: /fa/... and /ar/...; anything else is English.
    "archive.middleware.AddressLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "archive.urls"
WSGI_APPLICATION = "archive.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "archive.articles.context_processors.site",
            ],
        },
    },
]

if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(exist_ok=True)  # the embedded default lives in var/, which git ignores
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'archive.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while an import writes; a busy timeout instead of "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Interface languages (docs/i18n.md). English keeps the unprefixed addresses; the reading pages,
# search and the admin are also at /fa/... and /ar/... (archive/urls.py). Catalogues: locale/.
LANGUAGES = [("en", "English"), ("fa", "Persian"), ("ar", "Arabic")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The reader's choice is the address they follow, not a cookie: a cached page is one language.
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# Files answered at the site's root by whitenoise: /favicon.ico, which browsers ask for whatever
# the pages' <link rel="icon"> says.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("ARCHIVE_MEDIA_DIR") or VAR_DIR / "media")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Search (Haystack + Whoosh). archive.search is the only code that talks to either. ---
ARCHIVE_INDEX_DIR = Path(os.environ.get("ARCHIVE_INDEX_DIR") or VAR_DIR / "index")


def search_connection(url, index_dir):
    """HAYSTACK_CONNECTIONS["default"] from ARCHIVE_SEARCH_URL (unset: the built-in engine, which
    needs no Haystack connection; Haystack still wants one, which nothing uses).

    solr://host:8983/solr/archive (solr+https:// for TLS), elasticsearch://host:9200/archive
    (Elasticsearch 7; elasticsearch+https://), whoosh:///path (Haystack's stock Whoosh backend).
    """
    if not url:
        return {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}
    scheme, _, rest = url.partition("://")
    engine, _, transport = scheme.partition("+")
    http = transport or "http"
    if engine == "solr" and rest and http in ("http", "https"):
        return {"ENGINE": "haystack.backends.solr_backend.SolrEngine", "URL": f"{http}://{rest}"}
    if engine == "elasticsearch" and rest and http in ("http", "https"):
        host, _, index_name = rest.partition("/")
        return {
            "ENGINE": "haystack.backends.elasticsearch7_backend.Elasticsearch7SearchEngine",
            "URL": f"{http}://{host}/",
            "INDEX_NAME": index_name.strip("/") or "archive",
        }
    if engine == "whoosh" and rest and not transport:
        return {"ENGINE": "haystack.backends.whoosh_backend.WhooshEngine", "PATH": rest}
    raise ImproperlyConfigured(
        f"ARCHIVE_SEARCH_URL {url!r} is not understood: use solr://host:port/solr/core, "
        "elasticsearch://host:port/index, whoosh:///path, or leave it unset for the built-in index."
    )


ARCHIVE_SEARCH_URL = os.environ.get("ARCHIVE_SEARCH_URL") or ""
HAYSTACK_CONNECTIONS = {"default": search_connection(ARCHIVE_SEARCH_URL, ARCHIVE_INDEX_DIR)}
# The engine searches and index writes go through (archive.search.backends): the built-in one on
# ARCHIVE_INDEX_DIR, or Haystack's connection above when ARCHIVE_SEARCH_URL names an engine.
ARCHIVE_SEARCH_BACKEND = (
    "archive.search.backends.haystack.HaystackBackend"
    if ARCHIVE_SEARCH_URL
    else "archive.search.backends.whoosh.WhooshBackend"
)
# Never let the engine fail silently while developing or testing; production logs and repairs.
HAYSTACK_SILENTLY_FAIL = not DEBUG
# The default narrows every search with an extra unlimited query; we index one model only.
HAYSTACK_LIMIT_TO_REGISTERED_MODELS = False
# Index writes are queued after commit by archive.search, not done inside the request.
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"
# Haystack's own update/rebuild/clear commands are replaced by ours (archive.search is listed
# before haystack), which go through the configured engine.
# Seconds a process waits after a commit before writing the queued index updates, so that saves
# made close together (an import) share one index commit; 0 drains synchronously in the hook.
ARCHIVE_SEARCH_DRAIN_DELAY = float(os.environ.get("ARCHIVE_SEARCH_DRAIN_DELAY") or 0.15)
# Seconds a save (outside an import) waits after its commit for its own index write, so that a
# search made once the save returns finds it; 0 returns at once and leaves the write to the drainer.
ARCHIVE_SEARCH_SAVE_WAIT = float(os.environ.get("ARCHIVE_SEARCH_SAVE_WAIT") or 2.0)
# The index catch-up at the end of an import is tried again this many times after a database
# error (a restart), waiting 1, 2, 4 ... seconds; then the pieces stay queued and the import says so.
ARCHIVE_SEARCH_CATCH_UP_RETRIES = int(os.environ.get("ARCHIVE_SEARCH_CATCH_UP_RETRIES") or 5)
# Writer processes for rebuild_index of 2,000 articles or more (each writes its own segment);
# default 1. 2 can pay on an otherwise idle machine with 2 or more cores.
ARCHIVE_SEARCH_REBUILD_PROCS = int(os.environ.get("ARCHIVE_SEARCH_REBUILD_PROCS") or 0) or None

# --- The archive ---
ARCHIVE_SITE_NAME = os.environ.get("ARCHIVE_SITE_NAME", "The Archive")
ARCHIVE_PAGE_SIZE = 20
# Reading pages served to visitors without a session are kept this long (seconds) in the
# "pages" cache; any committed change to articles, authors or keywords retires them at once
# (archive.articles.pagecache). 0 turns the page cache off.
ARCHIVE_PAGE_CACHE_SECONDS = int(os.environ.get("ARCHIVE_PAGE_CACHE_SECONDS", "300"))
# An article's related pieces (from the search index), and the closest titles a missing article's
# 404 page offers, are kept this long in the same cache, for every worker; a piece published since
# joins the lists when they expire. 0: worked out each time.
ARCHIVE_RELATED_SECONDS = int(os.environ.get("ARCHIVE_RELATED_SECONDS", "3600"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"archive": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}


# --- Ingest (archive.ingest): upload and import limits ---
# Every limit can be set from the environment (bytes / seconds). Files over a limit are refused with
# a message naming it; extraction runs in a child process capped by the memory and time limits.
def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value and value.strip() else default


ARCHIVE_INGEST_MAX_FILE_BYTES = env_int("ARCHIVE_INGEST_MAX_FILE_BYTES", 20 * 1024 * 1024)  # one file
ARCHIVE_INGEST_MAX_ZIP_ENTRIES = env_int("ARCHIVE_INGEST_MAX_ZIP_ENTRIES", 1000)  # files in one zip
ARCHIVE_INGEST_MAX_ZIP_BYTES = env_int("ARCHIVE_INGEST_MAX_ZIP_BYTES", 200 * 1024 * 1024)  # zip, expanded
ARCHIVE_INGEST_MAX_DOCX_BYTES = env_int("ARCHIVE_INGEST_MAX_DOCX_BYTES", 50 * 1024 * 1024)  # DOCX, expanded
ARCHIVE_INGEST_MEMORY_BYTES = env_int(
    "ARCHIVE_INGEST_MEMORY_BYTES", 768 * 1024 * 1024
)  # extraction RLIMIT_AS
ARCHIVE_INGEST_SECONDS = env_int("ARCHIVE_INGEST_SECONDS", 60)  # extraction wall-clock limit
ARCHIVE_INGEST_SANDBOX = env_bool("ARCHIVE_INGEST_SANDBOX", True)  # off only where fork is unavailable
# OCR of scans (archive.ingest.ocr): 4-15 s a page on 2 shared cores (bench/ingest_reading.py).
ARCHIVE_INGEST_OCR_SECONDS_PER_PAGE = env_int("ARCHIVE_INGEST_OCR_SECONDS_PER_PAGE", 30)
ARCHIVE_INGEST_OCR_SECONDS = env_int("ARCHIVE_INGEST_OCR_SECONDS", 1800)  # one file, at most
# Who reads uploads in the background (archive.ingest.jobs): "process" (a detached
# `manage.py read_uploads`), "thread" (in the web process) or "inline" (in the request; tests).
ARCHIVE_INGEST_READER = os.environ.get("ARCHIVE_INGEST_READER", "process")
# A reading without a heartbeat (every 5 s) for this long lost its reader: it is read again.
ARCHIVE_INGEST_STALE_SECONDS = env_int("ARCHIVE_INGEST_STALE_SECONDS", 45)
# Upload request limits (FILE_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FILES) are in Security.


# --- Security and production (headers, CSP, rate limits) ---
# Production is DJANGO_DEBUG=0 behind HTTPS (README "Production"). Headers aim at Mozilla
# Observatory A+: HSTS, a strict CSP (archive.security.middleware), frame denial, no sniffing.
#
# Environment (all optional):
#   DJANGO_SECURE_SSL_REDIRECT      redirect http to https; default on when DJANGO_DEBUG=0. Set 0 only
#                                   when the proxy in front already redirects (W008 is then silenced).
#   DJANGO_BEHIND_PROXY             1: trust X-Forwarded-Proto from the proxy (SECURE_PROXY_SSL_HEADER)
#                                   and take the client address from X-Forwarded-For.
#   DJANGO_PROXY_COUNT              how many proxies append to X-Forwarded-For; default 1 behind a proxy.
#   DJANGO_HSTS_SECONDS             default 31536000 (one year); 0 disables HSTS.
#   DJANGO_HSTS_INCLUDE_SUBDOMAINS  default 1.   DJANGO_HSTS_PRELOAD  default 1.
#   DJANGO_CSRF_TRUSTED_ORIGINS     comma-separated origins, e.g. https://archive.example.org
#   ARCHIVE_SEARCH_RATE             searches per minute per client address; default 30 (0 = off).
#   ARCHIVE_SEARCH_BURST            searches a client may make at once before the rate applies; default 15.
#   ARCHIVE_SUGGEST_RATE, ARCHIVE_SUGGEST_BURST   the same for autocomplete; default 120 and 40.
INSTALLED_APPS += ["axes", "archive.security", "archive.backup"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "archive.security.middleware.SecurityHeadersMiddleware",
)
# The limiter's meter opens right after static files; the 429 is answered from process_exception.
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
    "archive.security.middleware.SearchRateLimitMiddleware",
)
# Public machine endpoints are readable from any origin (archive.security.cors), 429s included.
MIDDLEWARE.insert(
    MIDDLEWARE.index("archive.security.middleware.SecurityHeadersMiddleware") + 1,
    "archive.security.cors.PublicReadCorsMiddleware",
)
ARCHIVE_CORS_PATHS = ["/api/", "/export/", "/opensearch/suggest/"]
# A search index that cannot be read is a 503 saying why, at every door that searches.
MIDDLEWARE.append("archive.search.views.SearchUnavailableMiddleware")
# A database outage is a 503 with Retry-After on every page, not a 500 (archive.security.outage).
MIDDLEWARE.append("archive.security.outage.DatabaseOutageMiddleware")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # django-axes wants to be last
# HTML, JSON and XML go out gzip-compressed (a quarter of their size) when the client accepts it;
# outermost but for the headers, so it compresses what every other middleware wrote, the 429
# page included. Measured and argued in docs/page-quality.md.
MIDDLEWARE.insert(
    MIDDLEWARE.index("archive.security.middleware.SecurityHeadersMiddleware") + 1,
    "archive.middleware.CompressTextMiddleware",
)
AUTHENTICATION_BACKENDS = [
    "archive.security.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
ARCHIVE_BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if ARCHIVE_BEHIND_PROXY:
    # Only behind a proxy that sets X-Forwarded-Proto itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
ARCHIVE_PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT") or (1 if ARCHIVE_BEHIND_PROXY else 0))
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS") or 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# A refused form gets the archive's 403 page, saying what to do (archive.errors).
CSRF_FAILURE_VIEW = "archive.errors.csrf_failure"
# Deliberate choices, named so `check --deploy --fail-level WARNING` stays clean when made.
SILENCED_SYSTEM_CHECKS = [
    check
    for check, chosen in [
        ("security.W008", not SECURE_SSL_REDIRECT),  # the proxy redirects to https
        ("security.W004", SECURE_HSTS_SECONDS == 0),  # the proxy sets HSTS
        ("security.W005", not SECURE_HSTS_INCLUDE_SUBDOMAINS),
        ("security.W021", not SECURE_HSTS_PRELOAD),
    ]
    if chosen
]

# Content-Security-Policy (set by archive.security.middleware; Django 5.2 has none built in).
# Pages load scripts, styles, images and fonts from this site only; no inline script or style.
ARCHIVE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
ARCHIVE_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)

# Admin login: django-axes locks an address out after 5 failed logins for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "archive.security.ratelimit.client_ip"
AXES_LOCKOUT_TEMPLATE = "security/locked_out.html"

# Search is the one expensive thing: a token bucket per client address and per bucket
# (archive.security.ratelimit), charged by archive.search.service wherever a search runs (the
# page, /api/search/, search feeds and exports, a 404's close titles: "search"; autocomplete and
# OpenSearch suggestions: "suggest"). A search takes a token, plus one per 50 rows it returns.
# A client may spend `burst` tokens at once, then `per_minute`; beyond that it gets a 429 page
# (JSON on the API) with Retry-After.
#   ARCHIVE_SEARCH_RATE / ARCHIVE_SEARCH_BURST    default 30 a minute after a burst of 15 (0 = off)
#   ARCHIVE_SUGGEST_RATE / ARCHIVE_SUGGEST_BURST  default 120 a minute after a burst of 40 (0 = off)
ARCHIVE_RATE_LIMITS = {
    "search": {
        "per_minute": float(os.environ.get("ARCHIVE_SEARCH_RATE") or 30),
        "burst": int(os.environ.get("ARCHIVE_SEARCH_BURST") or 15),
    },
    "suggest": {
        "per_minute": float(os.environ.get("ARCHIVE_SUGGEST_RATE") or 120),
        "burst": int(os.environ.get("ARCHIVE_SUGGEST_BURST") or 40),
    },
}
CACHES = globals().get("CACHES") or {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered reading pages and an article's related pieces (archive.articles.pagecache): files on
# local disk, so every gunicorn worker on the machine reads what one of them rendered, and the
# pages outlive worker restarts. With several machines, point it at Redis or Memcached instead.
# In development, the server's memory: a template edit shows once the dev server reloads.
ARCHIVE_CACHE_DIR = Path(os.environ.get("ARCHIVE_CACHE_DIR") or VAR_DIR / "cache")
CACHES.setdefault(
    "pages",
    {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "archive-pages"}
    if DEBUG
    else {
        # A folder per content version, retired whole in the background: no listing per page
        # stored, as Django's FileBasedCache does (issue 19.1). At most MAX_ENTRIES per version.
        "BACKEND": "archive.articles.filecache.GenerationalFileCache",
        "LOCATION": str(ARCHIVE_CACHE_DIR / "pages"),
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
)
# Buckets live in their own cache: per process by default (so with N gunicorn workers a client
# gets up to N times the rate); point it at Redis or Memcached to share buckets between processes.
CACHES["ratelimit"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "archive-ratelimit",
    "OPTIONS": {"MAX_ENTRIES": 100_000},
}

# Request limits. File uploads stream to a temporary file above FILE_UPLOAD_MAX_MEMORY_SIZE; the
# size of each uploaded file is checked by archive.ingest. Form fields (an article body can be
# 2,000,000 characters, see archive.articles.html) fit in DATA_UPLOAD_MAX_MEMORY_SIZE.
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 50


# --- Interop (archive.interop): feeds, OAI-PMH, API ---
# The OAI-PMH repository identifier (a domain name you control) names every record
# (`oai:<id>:<article id>`): set it once and never change it.
ARCHIVE_OAI_REPOSITORY_ID = os.environ.get("ARCHIVE_OAI_REPOSITORY_ID", "archive.localhost")
ARCHIVE_OAI_ADMIN_EMAIL = os.environ.get("ARCHIVE_ADMIN_EMAIL", "archive@localhost")
ARCHIVE_OAI_PAGE_SIZE = 100  # records per OAI-PMH response before a resumption token
ARCHIVE_FEED_SIZE = 50  # entries per feed
ARCHIVE_API_PAGE_SIZE = 20
ARCHIVE_API_MAX_PAGE_SIZE = 100
ARCHIVE_EXPORT_MAX = 1000  # articles in one export of a search result set
ARCHIVE_SITEMAP_LIMIT = 50_000  # URLs per sitemap (the protocol's limit); more makes an index
