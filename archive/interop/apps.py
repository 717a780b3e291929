from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "archive.interop"
    label = "archive_interop"
    verbose_name = "Feeds, OAI-PMH and the JSON API"

    def ready(self):
        from archive.articles import parts
        from archive.interop import signals  # noqa: F401  (connects the tombstone receivers)

        # Feeds, OpenSearch, citation tags and exports on the reading pages (archive.articles.parts).
        parts.register("site", "head", "interop/site_head.html")
        parts.register("article", "head", "interop/article_head.html")
        parts.register("article", "footer", "interop/article_cite.html")
        parts.register("author", "head", "interop/author_head.html")
        parts.register("keyword", "head", "interop/keyword_head.html")
