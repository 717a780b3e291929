"""The fixed query mix, and how each engine asks it.

One `Query` says what is asked (words, a phrase, a prefix, an author or keyword filter, facets,
fuzzy); the adapters turn it into our query language (for `archive.search`), Whoosh query objects
(raw Whoosh on any index) and SQL (PostgreSQL tsvector). The words come from the generated
corpus' manifest, so each query hits what its name says at any corpus size.
"""

import re
from dataclasses import dataclass, field

ARABIC_FOLD = str.maketrans(
    {
        "\u064a": "\u06cc",  # Arabic yeh -> Persian yeh
        "\u0649": "\u06cc",  # alef maksura -> Persian yeh
        "\u0643": "\u06a9",  # Arabic kaf -> Persian keheh
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u0623": "\u0627",  # alef forms -> bare alef
        "\u0625": "\u0627",
        "\u0622": "\u0627",
        "\u0671": "\u0627",
        "\u0640": None,  # tatweel
        "\u200c": None,  # zero-width non-joiner: a word written with it matches one without
        **{chr(c): None for c in range(0x064B, 0x0653)},  # tashkeel
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
    }
)


def fold(text):
    """Persian/Arabic normalisation used by the reference indexes (the same rules issue 3 sets ours)."""
    return text.translate(ARABIC_FOLD)


def slug_token(name):
    """A name as one index token: lowercase letters and digits joined by '_'."""
    return "_".join(re.findall(r"\w+", fold(name).lower()))


@dataclass
class Query:
    name: str
    words: list = field(default_factory=list)
    phrase: list = field(default_factory=list)
    prefix: str = ""
    author: str = ""
    keyword: str = ""
    facets: bool = False
    fuzzy: bool = False

    @property
    def text(self):
        """The query in our query language (PRODUCT.md "Search")."""
        parts = list(self.words)
        if self.phrase:
            parts.append('"' + " ".join(self.phrase) + '"')
        if self.prefix:
            parts.append(self.prefix + "*")
        return " ".join(parts)


# Pasted questions and short topics, in the words of the Global Voices articles the generated
# corpus is learnt from: plain words rank (issue 14), so these read many postings.
QUESTIONS = (
    "why did the government block social media during the election protests",
    "what happened to the journalists arrested for reporting on the government",
    "how do activists use the internet to fight censorship in their country",
)
TOPICS = ("press freedom", "internet censorship", "human rights activists")


def query_mix(manifest):
    """Seventeen queries: rare, common, two words, phrase, prefix, author, keyword, facets, fa, ar,
    typo, three 2-3-word topics and three pasted questions of 11-13 words."""
    top_author = manifest["top_authors"][0][0]
    top_keyword = manifest["top_keywords"][0][0]
    return [
        Query("rare word", words=[manifest["rare_word"]]),
        Query("common word", words=["people"]),
        Query("two words", words=["police", "election"]),
        Query("phrase", phrase=["human", "rights"]),
        Query("prefix", prefix="journalis"),
        Query("author filter", words=["government"], author=top_author),
        Query("keyword filter", words=["rights"], keyword=top_keyword),
        Query("facet-heavy", words=["government"], facets=True),
        Query("Persian", words=["ایران"]),
        Query("Arabic", words=["المملكة"]),
        Query("typo", words=["goverment"], fuzzy=True),
        *(Query(f"topic {n}", words=topic.split()) for n, topic in enumerate(TOPICS, 1)),
        *(Query(f"question {n}", words=question.split()) for n, question in enumerate(QUESTIONS, 1)),
    ]


# --- Whoosh ---------------------------------------------------------------------------------


@dataclass
class WhooshFields:
    """Which fields of an index play which part (the lean reference or our Haystack index)."""

    text: str = "text"
    author: str = "author_ids"
    keyword: str = "keyword_ids"
    facets: tuple = ("kind", "language", "year", "author_ids", "keyword_ids")
    overlapping: tuple = ("author_ids", "keyword_ids")
    stored: tuple = ("id", "title", "excerpt")


def whoosh_query(query, schema, fields, *, author_value=None, keyword_value=None):
    """(query, filter, groupedby) as Whoosh objects; terms go through the field's own analyzer.

    Filters match `author_value`/`keyword_value` when given (our index holds database slugs),
    else the name as `slug_token` (the lean reference)."""
    from whoosh import query as wq
    from whoosh import sorting

    def analysed(word):
        return list(schema[fields.text].process_text(fold(word), mode="query"))

    clauses = []
    for word in query.words:
        terms = analysed(word)
        if not terms:
            continue
        term = terms[0]
        if query.fuzzy:
            clauses.append(
                wq.Or(
                    [wq.Term(fields.text, term), wq.FuzzyTerm(fields.text, term, maxdist=1, prefixlength=1)]
                )
            )
        else:
            clauses.append(wq.Term(fields.text, term))
    if query.phrase:
        terms = [t for w in query.phrase for t in analysed(w)]
        clauses.append(wq.Phrase(fields.text, terms))
    if query.prefix:
        clauses.append(wq.Prefix(fields.text, fold(query.prefix).lower()))
    # Plain words OR-grouped, as Whoosh's parser with OrGroup gives them: the ranked search the
    # archive's plain words are compared with (issue 14).
    q = clauses[0] if len(clauses) == 1 else wq.Or(clauses)
    filters = []
    if query.author:
        filters.append(wq.Term(fields.author, author_value or slug_token(query.author)))
    if query.keyword:
        filters.append(wq.Term(fields.keyword, keyword_value or slug_token(query.keyword)))
    flt = None if not filters else filters[0] if len(filters) == 1 else wq.And(filters)
    groupedby = None
    if query.facets:
        groupedby = {
            name: sorting.FieldFacet(name, allow_overlap=name in fields.overlapping, maptype=sorting.Count)
            for name in fields.facets
        }
    return q, flt, groupedby


def whoosh_run(searcher, query, schema, fields, limit=10, **values):
    """One results page as a lean raw-Whoosh site makes it: top 10 stored fields, estimated count, facets."""
    q, flt, groupedby = whoosh_query(query, schema, fields, **values)
    results = searcher.search(q, limit=limit, filter=flt, groupedby=groupedby)
    hits = [{name: hit.get(name) for name in fields.stored} for hit in results]
    facets = {name: results.groups(name) for name in groupedby} if groupedby else {}
    return {"count": results.estimated_length(), "hits": hits, "facets": facets}


# --- PostgreSQL -----------------------------------------------------------------------------


def pg_sql(query):
    """(sql, params) for one results page: top 10 by ts_rank plus a count; facet counts when asked."""
    config = "simple" if re.search(r"[\u0600-\u06FF]", " ".join(query.words)) else "english"
    if query.phrase:
        tsq = "phraseto_tsquery(%(cfg)s::regconfig, %(q)s)"
        text = " ".join(query.phrase)
    elif query.prefix:
        tsq = "to_tsquery(%(cfg)s::regconfig, %(q)s)"
        text = query.prefix + ":*"
    else:
        # Plain words OR-grouped, as the archive's rank (issue 14).
        words = [fold(word) for word in query.words] or [""]
        tsq = (
            "("
            + " || ".join(f"plainto_tsquery(%(cfg)s::regconfig, %(w{n})s)" for n in range(len(words)))
            + ")"
        )
        text = " ".join(words)
    where = ["tsv @@ q"]
    params = {"cfg": config, "q": text}
    if not query.phrase and not query.prefix:
        params.update({f"w{n}": word for n, word in enumerate(words)})
    if query.author:
        where.append("%(author)s = ANY(author_ids)")
        params["author"] = slug_token(query.author)
    if query.keyword:
        where.append("%(keyword)s = ANY(keyword_ids)")
        params["keyword"] = slug_token(query.keyword)
    # A sub-select names the query: a parenthesised expression is not a FROM item.
    matched = f"SELECT * FROM bench_fts, (SELECT {tsq} AS q) AS query WHERE {' AND '.join(where)}"
    top = f"SELECT id, title, excerpt FROM ({matched}) m ORDER BY ts_rank(tsv, q) DESC, id LIMIT 10"
    statements = [top, f"SELECT count(*) FROM ({matched}) m"]
    if query.facets:
        for col in ("kind", "language", "year"):
            statements.append(f"SELECT {col}, count(*) FROM ({matched}) m GROUP BY 1 ORDER BY 2 DESC")
        for col in ("author_ids", "keyword_ids"):
            statements.append(
                f"SELECT v, count(*) FROM ({matched}) m, unnest(m.{col}) v "
                "GROUP BY 1 ORDER BY 2 DESC LIMIT 20"
            )
    return statements, params
