"""Routes of archive.interop at the site root, namespace `interop`: feeds, sitemaps, robots.txt,
OAI-PMH, OpenSearch and citation exports, whose addresses other tools rely on (PRODUCT.md "Fixed
points"). The JSON API is archive.interop.api_urls, under /api/."""

from django.urls import path

from archive.interop import feeds, search_views, views

app_name = "interop"

urlpatterns = [
    # Feeds
    path("feeds/atom/", feeds.LatestAtomFeed.as_view(), name="feed_latest_atom"),
    path("feeds/rss/", feeds.LatestRssFeed.as_view(), name="feed_latest_rss"),
    path("feeds/authors/<str:slug>/atom/", feeds.AuthorAtomFeed.as_view(), name="feed_author_atom"),
    path("feeds/authors/<str:slug>/rss/", feeds.AuthorRssFeed.as_view(), name="feed_author_rss"),
    path("feeds/keywords/<str:slug>/atom/", feeds.KeywordAtomFeed.as_view(), name="feed_keyword_atom"),
    path("feeds/keywords/<str:slug>/rss/", feeds.KeywordRssFeed.as_view(), name="feed_keyword_rss"),
    path("feeds/search/atom/", search_views.SearchAtomFeed.as_view(), name="feed_search_atom"),
    path("feeds/search/rss/", search_views.SearchRssFeed.as_view(), name="feed_search_rss"),
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
