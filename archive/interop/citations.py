"""Citation formats of an article: BibTeX, RIS, CSL-JSON, Highwire `citation_*` tags, schema.org
JSON-LD. Each function takes articles from `for_listing()` (authors, keywords and titles in other
languages prefetched) and an `absolute_url(path)` callable; none of them queries the database.

A piece's title and abstract in other languages (`ArticleTranslation`) follow the original in
each format's own way where it has one (RIS `TT`, CSL-M's `multi._keys`); docs/interop.md says
why each was chosen.
"""

import re
import unicodedata

from django.conf import settings

from archive.articles.models import Article

# --- names and pages ---------------------------------------------------------------------------


def split_name(name):
    """(family, given) of a display name: "Family, Given" or "Given Family"; one word is family."""
    name = " ".join(name.split())
    if "," in name:
        family, _, given = name.partition(",")
        return family.strip(), given.strip()
    given, _, family = name.rpartition(" ")
    return family, given


def split_pages(pages):
    """(first, last) page of "12-34", "12--34", "12" (en and em dashes count as hyphens)."""
    first, _, last = re.sub(r"\s*[-\u2013\u2014]+\s*", "-", pages.strip()).partition("-")
    return first.strip(), last.strip()


def article_kind_is_journal(article):
    return bool(article.source_name) and article.kind in (Article.Kind.PAPER, Article.Kind.REVIEW)


def source_citation(article):
    """ "Journal, vol. 3, no. 2, pp. 10-20" from the source fields, or ""."""
    parts = [article.source_name] if article.source_name else []
    if article.source_volume:
        parts.append(f"vol. {article.source_volume}")
    if article.source_issue:
        parts.append(f"no. {article.source_issue}")
    if article.source_pages:
        parts.append(f"pp. {article.source_pages}")
    return ", ".join(parts)


def _one_line(text):
    return " ".join((text or "").split())


def other_languages(article):
    """The piece's titles and abstracts in other languages (prefetched by `for_listing()`)."""
    return [t for t in article.translation_list if t.language != article.language]


# --- BibTeX ------------------------------------------------------------------------------------

_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibtex_escape(text):
    return "".join(_BIBTEX_ESCAPES.get(ch, ch) for ch in _one_line(text))


def bibtex_key(article):
    authors = article.ordered_authors
    base = split_name(authors[0].name)[0] if authors else article.title.split(" ")[0]
    ascii_base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    ascii_base = re.sub(r"[^A-Za-z0-9]", "", ascii_base) or "article"
    return f"{ascii_base.lower()}{article.date.year}-{article.pk}"


def bibtex_entry(article, *, absolute_url):
    journal = article_kind_is_journal(article)
    fields = [("title", article.title + (f": {article.subtitle}" if article.subtitle else ""))]
    names = []
    for author in article.ordered_authors:
        family, given = split_name(author.name)
        names.append(
            f"{{{bibtex_escape(family)}}}, {bibtex_escape(given)}"
            if given
            else f"{{{bibtex_escape(family)}}}"
        )
    raw = {"author"}
    if names:
        fields.append(("author", " and ".join(names)))
    fields += [
        ("year", str(article.date.year)),
        ("month", str(article.date.month)),
        ("date", article.date.isoformat()),
    ]
    if journal:
        fields.append(("journal", article.source_name))
    elif article.source_name:
        fields.append(("publisher", article.source_name))
    else:
        fields.append(("publisher", settings.ARCHIVE_SITE_NAME))
    fields += [("volume", article.source_volume), ("number", article.source_issue)]
    if article.source_pages:
        first, last = split_pages(article.source_pages)
        fields.append(("pages", f"{first}--{last}" if last else first))
    fields += [
        ("doi", article.doi),
        ("url", absolute_url(article.get_absolute_url())),
        ("abstract", article.abstract),
        ("keywords", ", ".join(k.name for k in article.keyword_list)),
        ("language", article.language),
    ]
    # BibTeX has no field for a title in another language (biblatex's `origtitle` is the original
    # of a translated work, `titleaddon` is printed in every citation): one field per language,
    # `title_fa`, `abstract_fa`, which BibTeX and biber skip and a script can read by name.
    for other in other_languages(article):
        fields += [(f"title_{other.language}", other.title), (f"abstract_{other.language}", other.abstract)]
    lines = [f"@{'article' if journal else 'misc'}{{{bibtex_key(article)},"]
    for name, value in fields:
        if value:
            lines.append(f"  {name} = {{{value if name in raw else bibtex_escape(value)}}},")
    lines.append("}")
    return "\n".join(lines)


def to_bibtex(articles, *, absolute_url):
    return "\n\n".join(bibtex_entry(a, absolute_url=absolute_url) for a in articles) + "\n"


# --- RIS ---------------------------------------------------------------------------------------

RIS_TYPES = {
    Article.Kind.PAPER: "JOUR",
    Article.Kind.REVIEW: "JOUR",
    Article.Kind.REPORT: "RPRT",
    Article.Kind.NEWS: "NEWS",
    Article.Kind.INTERVIEW: "GEN",
    Article.Kind.COMMENTARY: "ELEC",
    Article.Kind.OTHER: "GEN",
}


def ris_record(article, *, absolute_url):
    tags = [("TY", RIS_TYPES.get(article.kind, "GEN")), ("TI", article.title)]
    if article.subtitle:
        tags.append(("ST", article.subtitle))
    for author in article.ordered_authors:
        family, given = split_name(author.name)
        tags.append(("AU", f"{family}, {given}" if given else family))
    tags += [("PY", str(article.date.year)), ("DA", article.date.strftime("%Y/%m/%d"))]
    tags.append(("T2", article.source_name) if article.source_name else ("PB", settings.ARCHIVE_SITE_NAME))
    tags += [("VL", article.source_volume), ("IS", article.source_issue)]
    if article.source_pages:
        first, last = split_pages(article.source_pages)
        tags += [("SP", first), ("EP", last)]
    tags += [("DO", article.doi), ("UR", absolute_url(article.get_absolute_url())), ("AB", article.abstract)]
    tags += [("KW", keyword.name) for keyword in article.keyword_list]
    tags.append(("LA", article.language))
    # RIS's own tag for a translated title is TT: one, without a language (readers such as rispy
    # keep only one), so the English title when there is one, else the first by language code. The
    # notes (N1) name every title and abstract in another language with its language code.
    others = other_languages(article)
    if others:
        tags.append(("TT", next((o for o in others if o.language == "en"), others[0]).title))
    for other in others:
        tags.append(("N1", f"Title ({other.language}): {other.title}"))
        if other.abstract:
            tags.append(("N1", f"Abstract ({other.language}): {other.abstract}"))
    tags.append(("ER", ""))
    lines = []
    for tag, value in tags:
        value = _one_line(value)
        if value or tag == "ER":
            lines.append(f"{tag}  - {value}".rstrip() if tag == "ER" else f"{tag}  - {value}")
    return "\r\n".join(lines)


def to_ris(articles, *, absolute_url):
    return "\r\n".join(ris_record(a, absolute_url=absolute_url) + "\r\n" for a in articles)


# --- CSL-JSON ----------------------------------------------------------------------------------

CSL_TYPES = {
    Article.Kind.PAPER: "article-journal",
    Article.Kind.REVIEW: "review",
    Article.Kind.REPORT: "report",
    Article.Kind.NEWS: "article-newspaper",
    Article.Kind.INTERVIEW: "interview",
    Article.Kind.COMMENTARY: "article",
    Article.Kind.OTHER: "article",
}


def csl_item(article, *, absolute_url):
    item = {
        "id": bibtex_key(article),
        "type": CSL_TYPES.get(article.kind, "article"),
        "title": article.title + (f": {article.subtitle}" if article.subtitle else ""),
        "author": [],
        "issued": {"date-parts": [[article.date.year, article.date.month, article.date.day]]},
        "URL": absolute_url(article.get_absolute_url()),
        "language": article.language,
    }
    for author in article.ordered_authors:
        family, given = split_name(author.name)
        item["author"].append({"family": family, "given": given} if given else {"literal": family})
    optional = {
        "container-title": article.source_name,
        "publisher": "" if article.source_name else settings.ARCHIVE_SITE_NAME,
        "volume": article.source_volume,
        "issue": article.source_issue,
        "page": article.source_pages,
        "DOI": article.doi,
        "abstract": article.abstract,
        "keyword": ", ".join(k.name for k in article.keyword_list),
    }
    item.update({key: value for key, value in optional.items() if value})
    # CSL-M's multilingual fields (citeproc-js, Zotero and Juris-M read them; other processors
    # ignore the key): `multi._keys.<field>.<language>`. CSL's `original-title` would say the
    # piece is a translation of that title, which it is not.
    others = other_languages(article)
    if others:
        keys = {"title": {other.language: other.title for other in others}}
        abstracts = {other.language: other.abstract for other in others if other.abstract}
        if abstracts:
            keys["abstract"] = abstracts
        item["multi"] = {"main": {"title": article.language}, "_keys": keys}
    return item


def to_csl_json(articles, *, absolute_url):
    return [csl_item(a, absolute_url=absolute_url) for a in articles]


# --- Highwire Press tags (Google Scholar) ------------------------------------------------------


def highwire_tags(article, *, absolute_url, pdf_url=""):
    """(name, content) pairs for `<meta name=... content=...>` on the article page."""
    tags = [("citation_title", article.title)]
    for author in article.ordered_authors:
        tags.append(("citation_author", author.name))
        if author.affiliation:
            tags.append(("citation_author_institution", author.affiliation))
    tags.append(("citation_publication_date", article.date.strftime("%Y/%m/%d")))
    if article_kind_is_journal(article):
        tags.append(("citation_journal_title", article.source_name))
    else:
        tags.append(("citation_publisher", article.source_name or settings.ARCHIVE_SITE_NAME))
    tags += [("citation_volume", article.source_volume), ("citation_issue", article.source_issue)]
    if article.source_pages:
        first, last = split_pages(article.source_pages)
        tags += [("citation_firstpage", first), ("citation_lastpage", last)]
    tags.append(("citation_doi", article.doi))
    tags.append(("citation_abstract_html_url", absolute_url(article.get_absolute_url())))
    tags.append(("citation_pdf_url", pdf_url))
    keywords = [k.name for k in article.keyword_list]
    tags.append(("citation_keywords", "; ".join(keywords)))
    tags.append(("citation_language", article.language))
    return [(name, value) for name, value in tags if value]


# --- schema.org JSON-LD ------------------------------------------------------------------------


JSON_LD_TYPES = {
    Article.Kind.PAPER: "ScholarlyArticle",
    Article.Kind.REPORT: "Report",
    Article.Kind.NEWS: "NewsArticle",
}


def json_ld(article, *, absolute_url):
    url = absolute_url(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": JSON_LD_TYPES.get(article.kind, "Article"),
        "@id": url,
        "url": url,
        "headline": article.title[:110],
        "name": article.title,
        "datePublished": article.date.isoformat(),
        "dateModified": article.updated_at.isoformat(timespec="seconds"),
        "inLanguage": article.language,
        "author": [],
        "publisher": {"@type": "Organization", "name": settings.ARCHIVE_SITE_NAME, "url": absolute_url("/")},
        "mainEntityOfPage": url,
    }
    if article.subtitle:
        data["alternativeHeadline"] = article.subtitle
    for author in article.ordered_authors:
        person = {"@type": "Person", "name": author.name, "url": absolute_url(author.get_absolute_url())}
        if author.affiliation:
            person["affiliation"] = {"@type": "Organization", "name": author.affiliation}
        data["author"].append(person)
    keywords = [k.name for k in article.keyword_list]
    if keywords:
        data["keywords"] = keywords
    if article.abstract:
        data["abstract"] = article.abstract
    if article.doi:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": article.doi}
        data["sameAs"] = f"https://doi.org/{article.doi}"
    if article.source_name:
        periodical = {"@type": "Periodical", "name": article.source_name}
        data["isPartOf"] = periodical
        if article.source_volume:
            data["isPartOf"] = {
                "@type": "PublicationVolume",
                "volumeNumber": article.source_volume,
                "isPartOf": periodical,
            }
        if article.source_issue:
            data["isPartOf"] = {
                "@type": "PublicationIssue",
                "issueNumber": article.source_issue,
                "isPartOf": data["isPartOf"],
            }
    if article.source_pages:
        data["pagination"] = article.source_pages
    # The same text as another piece of the archive, in another language (linked by an editor).
    linked = [
        {"@id": absolute_url(other.get_absolute_url()), "name": other.title, "inLanguage": other.language}
        for other in article.also_in
    ]
    if linked:
        data["workTranslation"] = linked
    return data
