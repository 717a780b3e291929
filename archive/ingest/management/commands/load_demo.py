"""Load the demo content (fixtures/demo.json, and the Persian and Arabic sample translations of
three of its pieces in fixtures/demo_translations.json) into an empty database.

    python manage.py load_demo [--force]

A database that already has articles is left alone, so `make run` can run this every time
without slowing down or touching an editor's work.
"""

import json
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from archive.articles.models import Article
from archive.articles.services import article_set_linked_translations
from archive.ingest.importer import import_paths

DEMO = settings.BASE_DIR / "fixtures" / "demo.json"
# Persian and Arabic titles and abstracts written for the demo (the about page says so), so that a
# reader of the Persian or Arabic interface finds pieces in their language.
TRANSLATIONS = settings.BASE_DIR / "fixtures" / "demo_translations.json"


class Command(BaseCommand):
    help = "Import fixtures/demo.json and demo_translations.json when the database has no articles yet."

    def add_arguments(self, parser):
        parser.add_argument(
            "--path", help="Archive JSON file to load (default: the demo and its sample translations)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Import even when articles exist (updates, never duplicates).",
        )

    def handle(self, *args, **options):
        existing = Article.objects.count()
        if existing and not options["force"]:
            self.stdout.write(f"The database already has {existing} articles; demo content not loaded.")
            return
        paths = [options["path"]] if options["path"] else [str(DEMO), str(TRANSLATIONS)]
        path = " and ".join(paths)
        try:
            # One transaction for the lot: the search index is then written once, after the
            # commit, instead of once per article (2 s instead of 2 minutes for the demo).
            with transaction.atomic():
                results = import_paths(paths)
                linked = 0 if options["path"] else link_sample_translations()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        counts = Counter(r.status for r in results)
        for result in results:
            if result.status == "failed":
                self.stderr.write(self.style.ERROR(f"{result.source}: {result.error}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content from {path}: created {counts['created']}, updated {counts['updated']}, "
                f"unchanged {counts['duplicate']}, failed {counts['failed']}."
            )
        )
        if linked:
            self.stdout.write(f'Linked {linked} pieces with their sample translations ("Also in").')


def link_sample_translations():
    """Link each sample translation with its English original and the other translations (the
    same date and first author), so their pages say "Also in". Returns how many pieces were linked."""
    groups = {}
    for item in json.loads(TRANSLATIONS.read_text(encoding="utf-8")):
        groups.setdefault((item["date"], item["authors"][0]["name"]), set()).add(item["language"])
    linked = 0
    for (date, author), languages in groups.items():
        pieces = [
            Article.objects.filter(date=date, language=language, authorships__author__name=author).first()
            for language in ["en", *sorted(languages)]
        ]
        pieces = [piece for piece in pieces if piece is not None]
        for piece in pieces:
            article_set_linked_translations(article=piece, others=[p for p in pieces if p != piece])
        linked += len(pieces) if len(pieces) > 1 else 0
    return linked
