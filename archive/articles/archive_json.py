"""The archive's JSON format (PRODUCT.md, "Fixed points"): one object per article.

Export (`article_to_archive_json`) lives here because every wire format and the backup need it;
parsing and validating imported objects is the import service's job (archive.ingest).
"""

ARCHIVE_JSON_KEYS = (
    "title",
    "subtitle",
    "authors",
    "date",
    "kind",
    "language",
    "abstract",
    "body",
    "keywords",
    "source",
    "status",
)
SOURCE_KEYS = ("name", "volume", "issue", "pages", "doi", "url")
AUTHOR_KEYS = ("name", "affiliation")


def article_to_archive_json(article):
    """An article as an archive JSON object. Use `for_listing()` querysets to avoid a query per article."""
    return {
        "title": article.title,
        "subtitle": article.subtitle,
        "authors": [{"name": a.name, "affiliation": a.affiliation} for a in article.ordered_authors],
        "date": article.date.isoformat(),
        "kind": article.kind,
        "language": article.language,
        "abstract": article.abstract,
        "body": article.body,
        "keywords": [k.name for k in article.keyword_list],
        "source": {
            "name": article.source_name,
            "volume": article.source_volume,
            "issue": article.source_issue,
            "pages": article.source_pages,
            "doi": article.doi,
            "url": article.source_url,
        },
        "status": article.status,
    }
