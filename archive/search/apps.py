from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "archive.search"
    label = "archive_search"
