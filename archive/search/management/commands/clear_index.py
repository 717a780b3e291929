"""Empty the search index (search finds nothing until check_index --repair or rebuild_index)."""

from django.core.management.base import BaseCommand, CommandError

from archive.search.backends import backend


class Command(BaseCommand):
    help = "Replace the search index with an empty one. Asks first unless --noinput."

    def add_arguments(self, parser):
        parser.add_argument(
            "--noinput", "--no-input", action="store_true", help="Do not ask for confirmation."
        )

    def handle(self, *args, noinput=False, **options):
        if not noinput:
            answer = input("Empty the search index? Search will find nothing until it is rebuilt. [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Cancelled; nothing changed.")
        backend().clear()
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS("The search index is empty."))
