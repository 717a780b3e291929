"""Routes of archive.interop at the site root, namespace `interop`: feeds, sitemaps, robots.txt,
OAI-PMH, OpenSearch and citation exports, whose addresses other tools rely on (PRODUCT.md "Fixed
points"). The JSON API is archive.interop.api_urls, under /api/."""

from django.urls import path

from archive.interop import feed_urls, search_views, views

app_name = "interop"

urlpatterns = [
    # Feeds in English at their fixed addresses (the same routes in every language: feed_urls).
    *(
        path(f"feeds/{route.pattern}", route.callback, name=f"feed_{route.name}")
        for route in feed_urls.urlpatterns
    ),
    # Crawlers and harvesters
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("sitemap-<str:section>.xml", views.sitemap_section, name="sitemap_section"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("oai/", views.oai, name="oai"),
    path("opensearch.xml", views.opensearch, name="opensearch"),
    path("opensearch/suggest/", search_views.opensearch_suggestions, name="opensearch_suggest"),
    # Citation exports
    path("export/articles/<str:slug>/<str:fmt>/", views.export_article, name="export_article"),
    path("export/search/<str:fmt>/", search_views.export_search, name="export_search"),
]
