"""Processes the concurrency and crash tests start against a ScratchSite (see scratch.py).

    python -m tests.hardening.worker admin N          editor-style saves through the write functions
    python -m tests.hardening.worker search STOPFILE  searches until STOPFILE exists
    python -m tests.hardening.worker dump             the articles, authors and keywords as JSON
    python -m tests.hardening.worker queue_upload F   upload F as the admin does (queued, not read)
    python -m tests.hardening.worker uploads          the uploads and their reading state
    python -m tests.hardening.worker legacy make|show text as an old version stored it (issue 15)
    python -m tests.hardening.worker staff_session    a staff user signed in: its session cookie
    python -m tests.hardening.worker edit N STOPFILE  an editor saves N pieces, then stays (its
                                                      index drainer with it) until STOPFILE exists

Each prints one JSON object on its last line of stdout. Errors are not caught: a process that
raises exits non-zero with its traceback on stderr, which the tests look for.
"""

import datetime
import json
import sys
import time
from pathlib import Path

import django


def admin(count):
    """What editors do in the admin, at the same time as the imports: create pieces with authors
    and keywords the imports also use, revise and publish them, bulk-publish, edit an author."""

    from archive.articles.html import clean_body_html
    from archive.articles.models import Article, Author
    from archive.articles.services import (
        article_create,
        article_update,
        articles_set_status,
        author_update,
    )

    created = []
    for n in range(count):
        article = article_create(
            title=f"Editor piece {n}",
            date=datetime.date(2016, 1 + n % 12, 1 + n % 28),
            status=Article.Status.DRAFT,
            body=clean_body_html(f"<p>Written in the admin, number {n}, about energy and oil.</p>"),
            authors=[f"Shared Author {n % 5}"],
            keywords=["Energy", f"Topic {n % 4}"],
        )
        created.append(article.pk)
        article_update(article=article, title=f"Editor piece {n} revised")
        if n % 3 == 2:
            articles_set_status(articles=Article.objects.filter(pk__in=created[-3:]), status="published")
        if n % 4 == 3:
            author = Author.objects.get(name=f"Shared Author {n % 5}")
            author_update(author=author, bio=f"Bio revised {n}.")
    articles_set_status(articles=Article.objects.filter(pk__in=created), status="published")
    return {"saves": count * 2 + count // 3 + count // 4 + 1, "created": len(created)}


QUERIES = ["energy", "piece", "oil", "editor", "shared author", "topic", "gulf OR energy", '"editor piece"',
           "ener*", "enrgy", "author:shared", "keyword:energy", "-energy piece", "word1 word2"]  # fmt: skip


def search(stop_file):
    from archive.search.backends.whoosh import store
    from archive.search.service import SearchRequest, SearchUnavailable, run_search

    stop = Path(stop_file)
    searches, unavailable, failed, hits = 0, 0, 0, 0
    while not stop.exists():
        for query in QUERIES:
            params = SearchRequest(q=query, sort=["relevance", "newest"][searches % 2])
            try:
                results = run_search(params)
                hits += results.count
            except SearchUnavailable:
                # Expected only before the first import has created the index.
                if store.current_name() is None:
                    unavailable += 1
                    time.sleep(0.05)
                else:
                    failed += 1
            searches += 1
        time.sleep(0.05)  # leave the two cores mostly to the writers
    return {"searches": searches, "unavailable": unavailable, "failed": failed, "hits": hits}


def dump():
    from archive.articles.models import Article, Author, Keyword
    from archive.search.models import PendingIndexUpdate

    articles = [
        {
            "id": article.pk,
            "title": article.title,
            "subtitle": article.subtitle,
            "import_ref": article.import_ref,
            "status": article.status,
            "date": article.date.isoformat(),
            "body": article.body,
            "abstract": article.abstract,
            "source_url": article.source_url,
            "authors": [[a.name, a.affiliation] for a in article.ordered_authors],
            "keywords": sorted(k.name for k in article.keywords.all()),
        }
        for article in Article.objects.for_listing().order_by("pk")
    ]
    return {
        "articles": articles,
        "authors": sorted(Author.objects.values_list("name", flat=True)),
        "keywords": sorted(Keyword.objects.values_list("name", flat=True)),
        "queued": PendingIndexUpdate.objects.count(),
    }


def queue_upload(path):
    """Upload one file as the admin's upload page does (stored and queued, not read)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archive.ingest.jobs import uploads_create

    data = Path(path).read_bytes()
    queued, refused = uploads_create(files=[SimpleUploadedFile(Path(path).name, data)], user=None)
    return {"queued": [p.pk for p in queued], "refused": refused}


def uploads():
    """The uploads and how far their reading got."""
    from archive.ingest.models import PendingUpload

    fields = (
        "pk",
        "filename",
        "state",
        "attempts",
        "progress_done",
        "progress_total",
        "progress_stage",
        "error",
    )
    return [dict(zip(fields, row, strict=True)) for row in PendingUpload.objects.values_list(*fields)]


def _model_as_migrated(app, model):
    """`app`'s `model` as the migrations applied to the database define it."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    loader = MigrationExecutor(connection).loader
    leaf = max(key for key in loader.applied_migrations if key[0] == app)
    return loader.project_state(leaf).apps.get_model(app, model)


def legacy(action):
    """`make`: pieces, authors and keywords holding characters XML 1.0 forbids, written with
    `QuerySet.update()` as the archive stored them before it cleaned text (run at migration 0003).
    `show`: the rows as they are now."""
    from archive.articles.models import Article, Author, Keyword
    from archive.articles.services import (
        article_set_authors,
        article_set_keywords,
        author_get_or_create,
        keyword_get_or_create,
    )
    from archive.search.models import PendingIndexUpdate

    if action == "make":
        # Rows go in through the model as the schema stood at 0004: today's has columns it lacks.
        Then = _model_as_migrated("articles", "Article")
        made = {}
        for key, title, keyword in (("dirty", "Oil prices draft", "kw-dirty"), ("twin", "Oil prices", "KW")):
            row = Then.objects.create(
                title=title,
                slug=title.lower().replace(" ", "-"),
                date=datetime.date(2019, 5, 1),
                status="published",
            )
            article = Article.objects.only("id").get(pk=row.pk)
            article_set_authors(article=article, authors=[author_get_or_create(name=f"Author {key}")[0]])
            article_set_keywords(article=article, keywords=[keyword_get_or_create(name=keyword)[0]])
            made[key] = article.pk
        draft = Then.objects.create(title="A draft", slug="a-draft", date=datetime.date(2019, 5, 2))
        made["draft"] = draft.pk
        Article.objects.filter(pk=made["dirty"]).update(
            title="Oil\x02 prices",
            slug="oil\x02-prices",
            abstract="Abs\x0ctract",
            body="<p>Bo\x1fdy\ufffe</p>",
            source_name="J\x05ournal",
            updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
        )
        Article.objects.filter(pk=made["twin"]).update(
            updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
        )
        Article.objects.filter(pk=draft.pk).update(title="Draft\x05 title")
        Author.objects.filter(name="Author dirty").update(
            name="Nadia\x02 Kerman", affiliation="Uni\x03versity"
        )
        Keyword.objects.filter(name="kw-dirty").update(name="k\x02w", slug="k\x02w")
        # As in a database whose index had taken these saves: nothing queued before the migration.
        PendingIndexUpdate.objects.all().delete()
        return made
    return {
        "articles": [
            [
                a.pk,
                a.title,
                a.slug,
                a.abstract,
                a.body,
                a.source_name,
                a.updated_at.year,
                [k.name for k in a.keywords.all()],
            ]
            for a in Article.objects.order_by("pk")
        ],
        "authors": [[a.name, a.slug, a.affiliation] for a in Author.objects.order_by("pk")],
        "keywords": [[k.name, k.slug] for k in Keyword.objects.order_by("pk")],
    }


def staff_session():
    """A superuser and a signed-in session for it, as the admin's login would leave (for a test
    that talks to a server whose login page it does not need to render)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    user = get_user_model().objects.create_superuser("operator", "ops@example.org", "a-long-passphrase-42")
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"cookie": settings.SESSION_COOKIE_NAME, "session": session.session_key}


def edit(count, stop_file):
    """An editor's server process: N published pieces saved one by one (each its own transaction,
    drained into the index by this process's drainer thread), then alive until STOPFILE exists."""
    from archive.articles.models import Article
    from archive.articles.services import article_create

    slowest = 0.0
    for n in range(count):
        started = time.monotonic()
        article_create(
            title=f"Saved while the disk was full {n}",
            date=datetime.date(2017, 1 + n % 12, 1 + n % 28),
            status=Article.Status.PUBLISHED,
            body=f"<p>Kept whatever the index folder does, number {n}, about oil.</p>",
            authors=["Disk Editor"],
            keywords=["Energy"],
        )
        slowest = max(slowest, time.monotonic() - started)
    print(json.dumps({"saved": count, "slowest_save": round(slowest, 2)}), flush=True)
    stop = Path(stop_file)
    while not stop.exists():
        time.sleep(0.1)
    return {"saved": count}


def main(argv):
    django.setup()
    role, args = argv[1], argv[2:]
    if role == "admin":
        answer = admin(int(args[0]))
    elif role == "search":
        answer = search(args[0])
    elif role == "dump":
        answer = dump()
    elif role == "queue_upload":
        answer = queue_upload(args[0])
    elif role == "uploads":
        answer = uploads()
    elif role == "legacy":
        answer = legacy(args[0])
    elif role == "staff_session":
        answer = staff_session()
    elif role == "edit":
        answer = edit(int(args[0]), args[1])
    else:
        raise SystemExit(f"unknown role {role}")
    print(json.dumps(answer, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv)
