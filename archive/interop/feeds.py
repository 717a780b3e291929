"""Atom and RSS feeds (django.contrib.syndication): latest pieces, per author, per keyword, and
for a search. Entries carry every author, the publication date, the last change, the abstract
and the keywords as categories.
"""

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator

from archive.articles.i18n import address_in_language
from archive.interop.queries import public_authors, public_keywords, public_listing
from archive.interop.xmltext import xml_text


class XmlSafeGenerator(SimplerXMLGenerator):
    """Django's feed writer, minus the characters XML 1.0 forbids in every text and attribute
    (where Django's raises, a 500, for C0 controls and lets U+FFFE/U+FFFF through): the feed is
    well-formed whatever a query, a name or a stored text holds."""

    def characters(self, content):
        super().characters(xml_text(content))

    def startElement(self, name, attrs):
        super().startElement(name, {key: xml_text(value) for key, value in (attrs or {}).items()})


class MultiAuthorAtom(Atom1Feed):
    """Atom with one <author> per author (Django's generator writes only the first)."""

    def write(self, outfile, encoding):
        # Atom1Feed.write with the XML-safe writer.
        handler = XmlSafeGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, link in item.get("more_authors", ()):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", link)
            handler.endElement("author")


class MultiAuthorRss(Rss201rev2Feed):
    """RSS 2.0 with one <dc:creator> per author."""

    def write(self, outfile, encoding):
        # RssFeed.write with the XML-safe writer.
        handler = XmlSafeGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        self.add_stylesheets(handler)
        handler.startElement("rss", self.rss_attributes())
        handler.startElement("channel", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        self.endChannelElement(handler)
        handler.endElement("rss")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _link in item.get("more_authors", ()):
            handler.addQuickElement("dc:creator", name)

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": "http://purl.org/dc/elements/1.1/"}


class ArticleFeed(Feed):
    """The latest public pieces. Subclasses narrow `articles()` and name the feed."""

    feed_type = MultiAuthorAtom
    fmt = "atom"

    @classmethod
    def as_view(cls):
        """A view that serves each request with a fresh feed object, so `self.request` is safe."""

        def view(request, *args, **kwargs):
            feed = cls()
            feed.request = request
            return feed(request, *args, **kwargs)

        view.__name__ = cls.__name__
        return view

    # --- the feed ---

    def title(self, obj=None):
        return _("%(site)s: latest pieces") % {"site": settings.ARCHIVE_SITE_NAME}

    def subtitle(self, obj=None):
        return _("The newest analysis, commentary and papers in the archive.")

    description = subtitle  # RSS calls it description

    def link(self, obj=None):
        return reverse("articles:list")

    def feed_url(self, obj=None):
        return self.request.get_full_path()

    def articles(self, obj):
        return public_listing()

    def items(self, obj=None):
        return list(self.articles(obj)[: settings.ARCHIVE_FEED_SIZE])

    # --- entries ---

    # A feed at a language's address (/fa/feeds/atom/) gives a piece's title and abstract in that
    # language where the piece has them, as the pages do; the original title follows.

    def item_title(self, item):
        title = item.title + (f": {item.subtitle}" if item.subtitle else "")
        shown = item.reader_translation(get_language())
        return xml_text(f"{shown.title} ({title})" if shown else title)

    def item_description(self, item):
        shown = item.reader_translation(get_language())
        return xml_text(
            (shown.abstract if shown else "") or item.abstract or Truncator(_plain(item.body)).words(60)
        )

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        # The piece's English address in every language's feed: one piece, one id.
        return self.request.build_absolute_uri(address_in_language(item, settings.LANGUAGE_CODE))

    def item_author_name(self, item):
        authors = item.ordered_authors
        return xml_text(authors[0].name) if authors else None

    def item_author_link(self, item):
        authors = item.ordered_authors
        return self.request.build_absolute_uri(authors[0].get_absolute_url()) if authors else None

    def item_extra_kwargs(self, item):
        return {
            "more_authors": [
                (xml_text(a.name), self.request.build_absolute_uri(a.get_absolute_url()))
                for a in item.ordered_authors[1:]
            ]
        }

    def item_pubdate(self, item):
        return datetime.datetime.combine(item.date, datetime.time.min, tzinfo=datetime.UTC)

    def item_updateddate(self, item):
        return max(item.updated_at, self.item_pubdate(item))

    def item_categories(self, item):
        return [xml_text(k.name) for k in item.keyword_list]


class RssMixin:
    feed_type = MultiAuthorRss
    fmt = "rss"


class LatestAtomFeed(ArticleFeed):
    pass


class LatestRssFeed(RssMixin, ArticleFeed):
    pass


class AuthorAtomFeed(ArticleFeed):
    def get_object(self, request, slug):
        # An author with only drafts or scheduled pieces is as invisible as the author page (404).
        return get_object_or_404(public_authors(), slug=slug)

    def title(self, obj=None):
        return _("%(site)s: pieces by %(name)s") % {"site": settings.ARCHIVE_SITE_NAME, "name": obj.name}

    def subtitle(self, obj=None):
        return obj.affiliation or _("The newest pieces by %(name)s.") % {"name": obj.name}

    description = subtitle

    def link(self, obj=None):
        return obj.get_absolute_url()

    def articles(self, obj):
        return public_listing().by_author(obj)


class AuthorRssFeed(RssMixin, AuthorAtomFeed):
    pass


class KeywordAtomFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(public_keywords(), slug=slug)

    def title(self, obj=None):
        return f"{settings.ARCHIVE_SITE_NAME}: {obj.name}"

    def subtitle(self, obj=None):
        return _("The newest pieces with the keyword %(name)s.") % {"name": obj.name}

    description = subtitle

    def link(self, obj=None):
        return obj.get_absolute_url()

    def articles(self, obj):
        return public_listing().tagged(obj)


class KeywordRssFeed(RssMixin, KeywordAtomFeed):
    pass


def _plain(html):
    return strip_tags(html or "")
