from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "archive.search"
    label = "archive_search"
    verbose_name = "Search"

    def ready(self):
        from archive.search import signals

        signals.connect()
