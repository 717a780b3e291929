from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "archive.interop"
    label = "archive_interop"
    verbose_name = "Feeds, OAI-PMH and the JSON API"

    def ready(self):
        from archive.interop import signals  # noqa: F401  (connects the tombstone receivers)
