"""The feeds' routes, named once and served at two kinds of address: at the root in English under
`interop:feed_*` (`/feeds/atom/`, fixed by PRODUCT.md), and in each interface language under
`feeds:*` (`/fa/feeds/atom/`, archive/urls.py's i18n_patterns), where the feed's title, its
description and its links are in that language."""

from django.urls import path

from archive.interop import feeds, search_views

app_name = "feeds"

urlpatterns = [
    path("atom/", feeds.LatestAtomFeed.as_view(), name="latest_atom"),
    path("rss/", feeds.LatestRssFeed.as_view(), name="latest_rss"),
    path("authors/<str:slug>/atom/", feeds.AuthorAtomFeed.as_view(), name="author_atom"),
    path("authors/<str:slug>/rss/", feeds.AuthorRssFeed.as_view(), name="author_rss"),
    path("keywords/<str:slug>/atom/", feeds.KeywordAtomFeed.as_view(), name="keyword_atom"),
    path("keywords/<str:slug>/rss/", feeds.KeywordRssFeed.as_view(), name="keyword_rss"),
    path("search/atom/", search_views.SearchAtomFeed.as_view(), name="search_atom"),
    path("search/rss/", search_views.SearchRssFeed.as_view(), name="search_rss"),
]
