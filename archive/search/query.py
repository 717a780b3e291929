"""Our query language, translated into Whoosh query objects (user text never reaches a parser).

    words            all must match (a rare or unknown word also matches close spellings, ranked lower)
    "exact phrase"   the words in this order
    a OR b           either
    NOT word, -word  must not match
    prefix*          words starting with `prefix`
    author:x  keyword:x  title:x   (x a word or a "phrase") search one field

Anything else is read as plain words: unbalanced quotes end at the end of the query, stray
operators and brackets are ignored. Caps keep every query cheap: `MAX_QUERY_CHARS` characters,
`MAX_CLAUSES` clauses, `MAX_PHRASE_WORDS` words per phrase, words cut at `MAX_TOKEN_CHARS`,
`MAX_PREFIX_TERMS` expansions per `prefix*`, `MAX_FUZZY_TERMS` close spellings per word, looked
for only when the word itself is in fewer than `FUZZY_BELOW_DOCS` pieces.
"""

import contextlib
import re
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.query.compound import DefaultOr
from whoosh.support.levenshtein import damerau_levenshtein

from archive.search.analysis import MAX_TOKEN_CHARS, WORD_RE, analyze, normalise_word

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 20
MAX_PHRASE_WORDS = 12
MAX_PREFIX_TERMS = 50
MAX_FUZZY_TERMS = 8
FUZZY_MIN_CHARS = 4
FUZZY_BOOST = 0.25
FUZZY_PREFIX = 2
# Close spellings are looked for only when the exact word is in fewer pieces than this (a page of
# results): a typo or a rare word gets them; a word with pages of exact matches does not need them.
FUZZY_BELOW_DOCS = 20
# A query word found in at most this many pieces may itself be the typo: all its close spellings
# are tried. A commoner word only takes close spellings rarer than itself.
FUZZY_TRUST_BELOW_DOCS = 2

FIELDS = {"author": "author", "keyword": "keyword", "title": "title"}
DEFAULT_FIELDS = (("text", 1.0), ("title", 2.0), ("author", 1.5), ("keyword", 1.5))
SHORT_FIELDS = (("title", 2.0), ("author", 1.5), ("keyword", 1.5))

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# One lexical item: an optional sign, an optional field prefix, then a phrase or a bare word.
_ITEM = re.compile(
    r'(?P<sign>[-+]?)(?:(?P<field>[A-Za-z]+):)?(?:"(?P<phrase>[^"]*)(?:"|$)|(?P<word>[^\s"()]+))'
)


@dataclass
class Clause:
    kind: str  # "word" | "phrase" | "prefix"
    text: str
    field: str | None = None
    negated: bool = False


@dataclass
class ParsedQuery:
    query: object = None  # a whoosh Query, or None when nothing searchable was asked
    # The part of `query` that decides what matches (no score-only parts): the same documents,
    # cheaper to walk when only the set is needed.
    required: object = None
    has_phrase: bool = False  # a phrase decides matching (its positions are read either way)
    highlight_terms: set = field(default_factory=set)
    words: list = field(default_factory=list)  # plain words as typed (for "did you mean")
    notes: list = field(default_factory=list)

    @property
    def note(self):
        return " ".join(self.notes)


def parse(text):
    """The clauses of `text` as a list of Clause and "OR" markers, plus notes about caps applied."""
    notes = []
    text = _CONTROL.sub(" ", text or "")
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(f"Your query was shortened to its first {MAX_QUERY_CHARS} characters.")
    items = []
    negate_next = False
    long_word = False
    for match in _ITEM.finditer(text.replace("(", " ").replace(")", " ")):
        sign, fieldname, phrase, word = match.group("sign", "field", "phrase", "word")
        if word is not None and fieldname is None and sign == "":
            if word == "OR":
                if items and items[-1] != "OR":
                    items.append("OR")
                continue
            if word in {"AND", "&&"}:
                continue
            if word in {"NOT", "!"}:
                negate_next = True
                continue
        target = FIELDS.get((fieldname or "").lower())
        negated = sign == "-" or negate_next
        negate_next = False
        if fieldname and target is None:
            # Not one of our fields: "foo:bar" is two words.
            word = f"{fieldname} {word or phrase or ''}"
            phrase = None
        if phrase is not None:
            if phrase.strip():
                items.append(Clause("phrase", phrase, target, negated))
            continue
        for piece in (word or "").split():
            prefix = piece.endswith("*") and len(piece.strip("*")) > 0
            core = "".join(WORD_RE.findall(piece))
            if not core:
                continue
            if len(core) > MAX_TOKEN_CHARS:
                long_word = True
            if prefix:
                items.append(Clause("prefix", core, target, negated))
            else:
                # Punctuation inside a word ("Iraq-Russia", "U.S.") keeps the parts together.
                kind = "word" if len(WORD_RE.findall(piece)) == 1 else "phrase"
                items.append(Clause(kind, " ".join(WORD_RE.findall(piece)), target, negated))
    while items and items[-1] == "OR":
        items.pop()
    if items and items[0] == "OR":
        items.pop(0)
    clauses = [item for item in items if item != "OR"]
    if len(clauses) > MAX_CLAUSES:
        kept, count = [], 0
        for item in items:
            if item != "OR":
                count += 1
                if count > MAX_CLAUSES:
                    break
            kept.append(item)
        items = kept[:-1] if kept and kept[-1] == "OR" else kept
        notes.append(f"Only the first {MAX_CLAUSES} words of your query were used.")
    if long_word:
        notes.append(f"Words longer than {MAX_TOKEN_CHARS} characters were shortened.")
    return items, notes


def translate(text, reader, *, fuzzy=True):
    """A ParsedQuery for the user's `text`; `reader` expands prefixes and close spellings
    (close spellings only for words that must match, never for excluded ones, and not at all
    with `fuzzy=False`)."""
    items, notes = parse(text)
    parsed = ParsedQuery(notes=notes)
    groups = []  # each a list of positive clauses joined by OR
    negatives = []
    joined = False
    for item in items:
        if item == "OR":
            joined = True
            continue
        built = _clause_parts(item, reader, parsed, fuzzy=fuzzy and not item.negated)
        if built is None:
            joined = False
            continue
        if item.negated:
            negatives.append(built[0])
        elif joined and groups:
            groups[-1].append(built)
        else:
            groups.append([built])
        joined = False
    # A clause that must match on its own puts its score-only part (title, author, keyword) in one
    # AndMaybe around the whole query: Whoosh then reads those postings for the final matches only,
    # not at every step of intersecting the words. The scores are the same sums either way.
    positives, boosts = [], []
    for group in groups:
        if len(group) == 1:
            required, boost = group[0]
            positives.append(required)
            if boost is not None:
                boosts.append(boost)
        else:
            positives.append(_or([_maybe(required, boost) for required, boost in group]))
    if not positives and not negatives:
        return parsed
    positive = wq.And(positives) if len(positives) > 1 else (positives[0] if positives else wq.Every())
    parsed.required = wq.AndNot(positive, _or(negatives)) if negatives else positive
    if boosts:
        positive = wq.AndMaybe(positive, boosts[0] if len(boosts) == 1 else _or(boosts))
    parsed.query = wq.AndNot(positive, _or(negatives)) if negatives else positive
    parsed.has_phrase = any(isinstance(part, wq.Phrase) for part in parsed.required.leaves())
    return parsed


def _or(subqueries):
    """Whoosh's Or that walks its parts side by side. The plain `Or` switches to a pre-loading
    matcher on indexes under 5,000 documents, which allocates and scans a 2,048-slot array per
    segment per clause: most of a rare word's search time, and it defeats top-N skipping."""
    return DefaultOr(subqueries)


def _maybe(required, boost):
    return required if boost is None else wq.AndMaybe(required, boost)


def _clause_parts(clause, reader, parsed, *, fuzzy=True):
    """(query that must match, query that only adds to the score or None), or None."""
    if clause.kind == "prefix":
        built = _prefix_query(clause, reader, parsed)
        return None if built is None else (built, None)
    terms = analyze(clause.text)[:MAX_PHRASE_WORDS]
    if not terms:
        return None
    if not clause.negated:
        parsed.highlight_terms.update(terms)
        if clause.kind == "word" and clause.field is None:
            parsed.words.append(clause.text)
    if clause.field:
        if len(terms) == 1:
            fields = ((clause.field, 1.0),)
            return _word_query(
                terms[0], reader, parsed, fields=fields, fuzzy_field=clause.field, fuzzy=fuzzy
            ), None
        return wq.Phrase(clause.field, terms), None
    if len(terms) == 1 and len(terms[0]) == 1:
        return _word_query(
            terms[0], reader, parsed, fields=SHORT_FIELDS, fuzzy_field="text", fuzzy=False
        ), None
    # `text` holds the title, authors and keywords too, so it alone decides what matches; a match
    # in those fields only adds to the score (AndMaybe: their postings are read for matches only).
    if len(terms) == 1:
        required = _word_query(
            terms[0], reader, parsed, fields=(("text", 1.0),), fuzzy_field="text", fuzzy=fuzzy
        )
        boosts = [wq.Term(name, terms[0], boost=boost) for name, boost in DEFAULT_FIELDS if name != "text"]
    else:
        required = wq.Phrase("text", terms)
        boosts = [wq.Phrase("title", terms, boost=2.0)]
    if clause.negated:
        return required, None
    return required, boosts[0] if len(boosts) == 1 else _or(boosts)


def _word_query(term, reader, parsed, *, fields, fuzzy_field, fuzzy=True):
    alternatives = [wq.Term(name, term, boost=boost) for name, boost in fields]
    if (
        fuzzy
        and len(term) >= FUZZY_MIN_CHARS
        and not term.isdigit()
        and reader is not None
        and reader.doc_frequency(fuzzy_field, term) < FUZZY_BELOW_DOCS
    ):
        close = _close_terms(reader, fuzzy_field, term)
        parsed.highlight_terms.update(close)
        alternatives.extend(wq.Term(fuzzy_field, other, boost=FUZZY_BOOST) for other in close)
    return alternatives[0] if len(alternatives) == 1 else _or(alternatives)


def reader_memo(reader):
    """A dict that lives as long as `reader` (one index version): close spellings and "did you
    mean" answers, which Whoosh finds by walking the word list, are worked out once per word."""
    memo = getattr(reader, "_archive_memo", None)
    if memo is None:
        memo = {}
        with contextlib.suppress(AttributeError):  # a reader that takes no attributes: no memo
            reader._archive_memo = memo
    elif len(memo) > 5_000:
        memo.clear()
    return memo


def _close_terms(reader, fieldname, term):
    if len(term) < FUZZY_MIN_CHARS or reader is None:
        return []
    memo = reader_memo(reader)
    key = ("close", fieldname, term)
    if key not in memo:
        memo[key] = _find_close_terms(reader, fieldname, term)
    return list(memo[key])


def _find_close_terms(reader, fieldname, term):
    maxdist = 2 if len(term) >= 9 else 1
    found = []
    try:
        # Sharing the first letters keeps the walk through the word list short; the length test
        # skips most of the edit-distance work (Whoosh's own walk over several segments ran the
        # distance in Python for every word with the prefix).
        for btext in reader.expand_prefix(fieldname, term[: _shared_prefix(term)]):
            other = btext.decode("utf-8")
            if abs(len(other) - len(term)) <= maxdist and other != term and _within(other, term, maxdist):
                found.append(other)
                if len(found) >= MAX_FUZZY_TERMS * 4:
                    break
    except Exception:  # an unusual term the lexicon cannot handle: no close spellings
        return []
    frequency = {other: reader.doc_frequency(fieldname, other) for other in found}
    own = reader.doc_frequency(fieldname, term)
    if own > FUZZY_TRUST_BELOW_DOCS:
        # A word the archive uses often is no typo; its close spellings that are at least as common
        # are other words ("Iran" for "Iraq"), while rarer ones are likely OCR slips ("Irag").
        found = [other for other in found if frequency[other] < own]
    # Prefer the commonest close spellings.
    found.sort(key=lambda other: -frequency[other])
    return found[:MAX_FUZZY_TERMS]


def _shared_prefix(term):
    """How many first letters a close spelling shares with `term`: two, or three after the Arabic
    article (ال begins a large part of an Arabic word list)."""
    return FUZZY_PREFIX + 1 if term.startswith("ال") and len(term) > FUZZY_PREFIX + 2 else FUZZY_PREFIX


def _within(a, b, maxdist):
    """Whether `a` and `b` are at most `maxdist` edits apart (Damerau-Levenshtein, as Whoosh
    counts it): a shared beginning and end add no edits, so only what differs is compared."""
    start, size = 0, min(len(a), len(b))
    while start < size and a[start] == b[start]:
        start += 1
    a, b = a[start:], b[start:]
    end, size = 0, min(len(a), len(b))
    while end < size and a[-1 - end] == b[-1 - end]:
        end += 1
    if end:
        a, b = a[:-end], b[:-end]
    if max(len(a), len(b)) <= maxdist:
        return True
    return damerau_levenshtein(a, b, limit=maxdist) <= maxdist


def _prefix_query(clause, reader, parsed):
    fieldname = clause.field or "text"
    stem = normalise_word(clause.text).lower()[:MAX_TOKEN_CHARS]
    if not stem:
        return None
    candidates = {stem}
    stemmed = analyze(clause.text)
    if stemmed:
        candidates.add(stemmed[0])
    terms = []
    if reader is not None:
        for prefix in sorted(candidates):
            for btext in reader.expand_prefix(fieldname, prefix):
                terms.append(btext.decode("utf-8"))
                if len(terms) >= MAX_PREFIX_TERMS:
                    break
            if len(terms) >= MAX_PREFIX_TERMS:
                parsed.notes.append(
                    f"“{clause.text}*” matches many words; only the first {MAX_PREFIX_TERMS} were used."
                )
                break
    terms = sorted(set(terms))
    if not terms:
        # Nothing starts like that: a term that matches nothing keeps "all words must match" honest.
        return wq.Term(fieldname, stem)
    if not clause.negated:
        parsed.highlight_terms.update(terms)
    return _or([wq.Term(fieldname, term) for term in terms])
