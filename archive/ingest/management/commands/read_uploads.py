"""Read the uploads waiting in the queue (archive.ingest.jobs), then exit.

    python manage.py read_uploads [--limit N]

The upload pages start this in the background by themselves; run it from cron or a systemd timer
too if you like a backstop. An upload left half-read by a stopped reader is taken up again (or
marked failed with a message after two tries).
"""

from django.core.management.base import BaseCommand

from archive.ingest.jobs import read_queued


class Command(BaseCommand):
    help = "Read the uploaded files waiting in the queue, then exit."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Read at most this many files.")

    def handle(self, *args, **options):
        done = read_queued(limit=options["limit"])
        if options["verbosity"] >= 1:
            self.stdout.write(f"read {done} upload{'s' if done != 1 else ''}.")
