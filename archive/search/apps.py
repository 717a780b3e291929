from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class SearchConfig(AppConfig):
    name = "archive.search"
    label = "archive_search"
    verbose_name = "Search"

    def ready(self):
        from archive.articles import parts
        from archive.search import indexing, signals

        signals.connect()
        pre_migrate.connect(indexing.hold_for_migrate, sender=self, dispatch_uid="search-hold-for-migrate")
        post_migrate.connect(indexing.release_after_migrate, sender=self, dispatch_uid="search-release")
        # The article page's related pieces, and the search box's autocomplete script.
        parts.register("article", "aside", "search/related.html", data=_related)
        parts.register("site", "scripts", "search/scripts.html")


def _related(request, article):
    from archive.search.service import related_articles

    return related_articles(article, limit=5)
