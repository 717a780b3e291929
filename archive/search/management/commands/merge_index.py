"""Merge the search index's segments beside live writes (started by the writes themselves)."""

from django.core.management.base import BaseCommand

from archive.search.backends import backend


class Command(BaseCommand):
    help = (
        "Merge the index's small segments into one, beside saves (which go on meanwhile); "
        "with --all, every segment into one. Saves start this by themselves when it is due."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Merge every segment into one.")

    def handle(self, *args, **options):
        done = backend().merge(everything=options["all"])
        if options["verbosity"]:
            for parts, documents, seconds, held in done:
                self.stdout.write(
                    f"Merged {parts} segments into one of {documents} documents in {seconds:.1f} s "
                    f"(saves waited {held:.3f} s)."
                )
            if not done:
                self.stdout.write("Nothing to merge.")
