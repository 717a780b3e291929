"""The soak's editor (bench/soak.py): ORM writes against the checkout under test, for a while.

Runs with the code under test first on the path (`PYTHONPATH=CODE`, working folder CODE), so
it uses that checkout's models and write functions; it relies only on what every version of
the archive has: `Article` fields, `save()`, `delete()` and `articles_set_status`.

    python bench/soak_writer.py --seconds S --edits-per-minute E --deletes-per-minute D
        --status-per-minute P --seed N

Every write is printed as one JSON line after its transaction committed:
`{"op": "edit"|"publish"|"unpublish"|"delete", "ids": [...], "t": commit time, "returned": when
the write returned, "token": ...}`
(an edit puts a new made-up word, `token`, into a published piece's title: the soak then asks
`/api/search/` for it and measures save-to-search). A database error (a restart) is printed as
`{"op": "error", ...}` and the write is tried again a second later. The last line is
`FINAL {"titles": {id: title}, "deleted": [...], "draft": [...], "published": [...]}`, what the
audit expects of the pieces it touched.
"""

import argparse
import json
import random
import string
import sys
import time


def token(n):
    """A made-up word of letters only, unique per write: 'soakq' + base-26 of n."""
    letters = ""
    n += 26**3
    while n:
        n, r = divmod(n, 26)
        letters = string.ascii_lowercase[r] + letters
    return "soakq" + letters


def emit(record):
    print(json.dumps(record, ensure_ascii=False), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--edits-per-minute", type=float, default=20)
    parser.add_argument("--deletes-per-minute", type=float, default=200)
    parser.add_argument("--status-per-minute", type=float, default=6)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import DatabaseError, InterfaceError, connections, transaction

    from archive.articles.models import Article
    from archive.articles.services import articles_set_status

    rng = random.Random(args.seed)
    expected_title, deleted, drafted, republished = {}, set(), set(), set()
    touched = set()
    # The pieces the editor works on: published ones of the initial load, in a random order.
    pool = list(Article.objects.filter(status="published").order_by("pk").values_list("pk", flat=True))
    rng.shuffle(pool)
    edits, deletes, flips = [], [], []

    def take():
        while pool:
            pk = pool.pop()
            if pk not in touched:
                touched.add(pk)
                return pk
        return None

    # One schedule of (time, kind), spread evenly over the run.
    schedule = []
    for kind, per_minute in (
        ("edit", args.edits_per_minute),
        ("delete", args.deletes_per_minute / 10),  # deletes go in batches of 10
        ("status", args.status_per_minute),
    ):
        if per_minute > 0:
            step = 60.0 / per_minute
            schedule += [
                (offset * step + rng.uniform(0, step), kind) for offset in range(int(args.seconds / step))
            ]
    schedule.sort()
    started = time.monotonic()
    n = 0
    for at, kind in schedule:
        delay = started + at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        for _attempt in range(30):
            try:
                committed = []
                with transaction.atomic():
                    # Registered first, so it runs first of the commit's hooks: the moment the
                    # database committed, before any hook of the archive's runs (a save may wait
                    # in one for its index write).
                    transaction.on_commit(lambda stamps=committed: stamps.append(time.time()))
                    if kind == "edit":
                        pk = take()
                        if pk is None:
                            break
                        article = Article.objects.get(pk=pk)
                        word = token(n)
                        n += 1
                        article.title = f"{article.title.split(' soakq')[0]} {word}"
                        article.save()
                        record = {"op": "edit", "ids": [pk], "token": word, "title": article.title}
                    elif kind == "delete":
                        ids = [pk for pk in (take() for _ in range(10)) if pk is not None]
                        if not ids:
                            break
                        for article in Article.objects.filter(pk__in=ids):
                            article.delete()
                        record = {"op": "delete", "ids": ids}
                    else:
                        if drafted and rng.random() < 0.5:
                            pk = sorted(drafted)[0]
                            articles_set_status(articles=Article.objects.filter(pk=pk), status="published")
                            record = {"op": "publish", "ids": [pk]}
                        else:
                            pk = take()
                            if pk is None:
                                break
                            articles_set_status(articles=Article.objects.filter(pk=pk), status="draft")
                            record = {"op": "unpublish", "ids": [pk]}
                # Committed: only now is it what the audit expects.
                if record["op"] == "edit":
                    expected_title[record["ids"][0]] = record.pop("title")
                elif record["op"] == "delete":
                    deleted.update(record["ids"])
                elif record["op"] == "publish":
                    drafted.discard(record["ids"][0])
                    republished.add(record["ids"][0])
                else:
                    drafted.add(record["ids"][0])
                record["returned"] = time.time()
                record["t"] = committed[0] if committed else record["returned"]
                emit(record)
                (edits if kind == "edit" else deletes if kind == "delete" else flips).append(record)
                break
            except (DatabaseError, InterfaceError) as error:
                emit(
                    {"op": "error", "t": time.time(), "error": f"{type(error).__name__}: {str(error)[:200]}"}
                )
                connections.close_all()
                time.sleep(1)
        if time.monotonic() - started > args.seconds:
            break
    final = {
        "titles": {str(pk): title for pk, title in expected_title.items() if pk not in deleted},
        "deleted": sorted(deleted),
        "draft": sorted(drafted),
        "published": sorted(republished - drafted),
        "writes": len(edits) + len(deletes) + len(flips),
    }
    print("FINAL " + json.dumps(final, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    sys.exit(main())
