"""The Haystack SearchIndex of articles, derived from `archive.search.schema.FIELDS`.

Used by the Haystack backend (Solr, Elasticsearch 7, Haystack's own Whoosh); the built-in engine
writes the same documents without Haystack. Each schema field becomes a Haystack field with a
`prepare_<name>` that calls the schema's; a filter also gets its exact `<name>_exact` twin to
facet on. The `analyzer=` arguments are Whoosh analyzers: Haystack's Whoosh backend uses them
(so even the stock backend normalises Persian and Arabic as ours does); Solr and Elasticsearch
ignore them.
"""

from haystack import indexes
from whoosh.analysis import IDTokenizer

from archive.articles.models import Article
from archive.search import schema
from archive.search.analysis import plain_analyzer, text_analyzer

_EXACT = IDTokenizer()


def _fields():
    attrs = {}
    for f in schema.FIELDS:
        if isinstance(f, schema.Text):
            attrs[f.name] = indexes.CharField(
                document=f.name == "text", analyzer=text_analyzer() if f.stemmed else plain_analyzer()
            )
        elif isinstance(f, schema.Filter):
            if f.multi:
                attrs[f.index_name] = indexes.MultiValueField(faceted=True)
            else:
                attrs[f.index_name] = indexes.CharField(analyzer=_EXACT)
                attrs[f"{f.index_name}_exact"] = indexes.FacetCharField(
                    facet_for=f.index_name, analyzer=_EXACT
                )
        elif isinstance(f, schema.Date):
            attrs[f.name] = indexes.DateField()
        else:
            attrs[f.name] = indexes.CharField(indexed=False, default="")
        name = f.index_name if isinstance(f, schema.Filter) else f.name
        attrs[f"prepare_{name}"] = _preparer(f)
    # Stored lists render as lists.
    for name in ("authors", "author_slugs"):
        attrs[name] = indexes.MultiValueField(indexed=False)
    return attrs


def _preparer(f):
    def prepare(self, obj):
        return f.prepare(obj)

    return prepare


class _ArticleIndexBase(indexes.SearchIndex):
    def get_model(self):
        return Article

    def index_queryset(self, using=None):
        """What may be indexed: published pieces, scheduled ones included (searches filter on
        `date <= today`, so a publish date arriving needs no index write)."""
        return schema.indexable().for_listing()

    def read_queryset(self, using=None):
        return Article.objects.published()

    def should_update(self, instance, **kwargs):
        return schema.is_indexed(instance)

    def get_updated_field(self):
        return "updated_at"


# Built by Haystack's own metaclass, as a class statement would be.
ArticleIndex = type(_ArticleIndexBase)(
    "ArticleIndex", (_ArticleIndexBase, indexes.Indexable), {"__module__": __name__, **_fields()}
)
