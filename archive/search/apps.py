from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "archive.search"
    label = "archive_search"
    verbose_name = "Search"

    def ready(self):
        from archive.articles import parts
        from archive.search import signals

        signals.connect()
        # The article page's related pieces, and the search box's autocomplete script.
        parts.register("article", "aside", "search/related.html", data=_related)
        parts.register("site", "scripts", "search/scripts.html")


def _related(request, article):
    from archive.search.service import related_articles

    return related_articles(article, limit=5)
