"""The archive's Haystack index: what a search engine holds for one article.

Whatever engine `HAYSTACK_CONNECTIONS` names (ours, `archive.search.backend.ArchiveWhooshEngine`,
or Haystack's Solr, Elasticsearch or Whoosh backends), documents are built here:
- `text`, the document field, from a template (title, subtitle, authors, keywords, abstract, body
  as plain text: `templates/search/indexes/articles/article_text.txt`);
- searchable parts named by field terms (`title`, `author`, `keyword`) and the words "did you mean"
  and autocomplete draw on (`title_plain`, `suggest`);
- filter fields on codes and slugs, never on tokenised names (`kind`, `language`, `year`,
  `author_slug`, `keyword_slug`, `date`), each with an exact `*_exact` twin to facet on;
- stored fields to render a hit without the database (`slug`, `authors`, `author_slugs`,
  `excerpt`: the opening of the text, which snippets are cut from) and the `stamp` check_index
  compares.

The `analyzer=` arguments are Whoosh analyzers: Haystack's Whoosh backend uses them (so even the
stock backend normalises Persian and Arabic as ours does); Solr and Elasticsearch ignore them.
"""

from haystack import indexes
from whoosh.analysis import IDTokenizer

from archive.articles.models import Article
from archive.search.analysis import plain_analyzer, text_analyzer
from archive.search.documents import EXCERPT_CHARS, article_stamp, is_indexed, snippet_source

_TEXT = text_analyzer()
_PLAIN = plain_analyzer()
_EXACT = IDTokenizer()


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, use_template=True, analyzer=_TEXT)
    title = indexes.CharField(model_attr="title", analyzer=_TEXT)
    title_plain = indexes.CharField(analyzer=_PLAIN)
    author = indexes.CharField(analyzer=_TEXT)
    keyword = indexes.CharField(analyzer=_TEXT)
    suggest = indexes.CharField(analyzer=_PLAIN)

    # Filters and facets.
    author_slug = indexes.MultiValueField(faceted=True)
    keyword_slug = indexes.MultiValueField(faceted=True)
    kind = indexes.CharField(model_attr="kind", analyzer=_EXACT)
    kind_exact = indexes.FacetCharField(facet_for="kind", analyzer=_EXACT)
    language = indexes.CharField(model_attr="language", analyzer=_EXACT)
    language_exact = indexes.FacetCharField(facet_for="language", analyzer=_EXACT)
    year = indexes.CharField(analyzer=_EXACT)
    year_exact = indexes.FacetCharField(facet_for="year", analyzer=_EXACT)
    date = indexes.DateField(model_attr="date")

    # Stored only: what a hit needs to render, and the fingerprint check_index compares.
    slug = indexes.CharField(model_attr="slug", indexed=False)
    authors = indexes.MultiValueField(indexed=False)
    author_slugs = indexes.MultiValueField(indexed=False)
    excerpt = indexes.CharField(indexed=False, default="")
    stamp = indexes.CharField(indexed=False)

    def get_model(self):
        return Article

    def index_queryset(self, using=None):
        """What may be indexed: published pieces, scheduled ones included (searches filter on
        `date <= today`, so a publish date arriving needs no index write)."""
        return Article.objects.filter(status=Article.Status.PUBLISHED).for_listing().order_by("pk")

    def read_queryset(self, using=None):
        return Article.objects.published()

    def should_update(self, instance, **kwargs):
        return is_indexed(instance)

    def get_updated_field(self):
        return "updated_at"

    def prepare_title_plain(self, obj):
        return " ".join(filter(None, (obj.title, obj.subtitle)))

    def prepare_author(self, obj):
        return " ; ".join(author.name for author in obj.ordered_authors)

    def prepare_keyword(self, obj):
        return " ; ".join(keyword.name for keyword in obj.keywords.all())

    def prepare_suggest(self, obj):
        return "\n".join(filter(None, (obj.title, self.prepare_author(obj), self.prepare_keyword(obj))))

    def prepare_author_slug(self, obj):
        return [author.slug for author in obj.ordered_authors]

    def prepare_keyword_slug(self, obj):
        return [keyword.slug for keyword in obj.keywords.all()]

    def prepare_year(self, obj):
        return str(obj.date.year)

    def prepare_authors(self, obj):
        return [author.name for author in obj.ordered_authors]

    def prepare_author_slugs(self, obj):
        return self.prepare_author_slug(obj)

    def prepare_excerpt(self, obj):
        return snippet_source(obj.abstract, obj.body)[:EXCERPT_CHARS]

    def prepare_stamp(self, obj):
        return article_stamp(obj, obj.ordered_authors, list(obj.keywords.all()))
