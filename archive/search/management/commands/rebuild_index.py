"""Rebuild the search index beside the live one and swap it in; search keeps answering."""

from django.core.management.base import BaseCommand

from archive.search import indexing, schema


class Command(BaseCommand):
    help = (
        "Write a complete new search index from the database, then swap it in. Searches answer "
        "from the old index until the swap; saves made meanwhile are applied after it."
    )

    def add_arguments(self, parser):
        # Accepted for compatibility with Haystack's command; the rebuild never asks.
        parser.add_argument("--noinput", "--no-input", action="store_true", help="Accepted; never prompts.")

    def handle(self, *args, **options):
        total = schema.indexable().count()
        verbosity = options["verbosity"]
        step = max(1, total // 20)

        def progress(n):
            if verbosity and (n % step == 0 or n == total):
                self.stdout.write(f"\r{n}/{total} articles", ending="")
                self.stdout.flush()

        name = indexing.rebuild(progress=progress)
        if verbosity:
            self.stdout.write("")
            where = f" into {name}, now live" if name else ""
            self.stdout.write(self.style.SUCCESS(f"Indexed {total} articles{where}."))
