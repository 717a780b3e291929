"""Our query language, parsed once into a small tree that each engine compiles.

    plain words      rank: pieces with all of them first, then pieces with enough of them
    +word, a AND b   must be present
    "exact phrase"   must be present, the words in this order
    a OR b           either one (one clause)
    NOT word, -word  must not be present
    prefix*          words starting with `prefix` (ranks like a plain word)
    author:x  keyword:x  title:x   (x a word or a "phrase") that part of the piece must hold x

Plain words rank rather than filter. A piece is a result when it holds at least
`required_matches(k)` of the k plain words that carry meaning; stop words ("what", "of", "the",
"در", "في") neither decide that nor score, unless the query has nothing else, but still count
inside a quoted phrase. Anything else is read as plain words: unbalanced quotes run to the end,
brackets and stray operators are ignored, an unknown `field:` is two words, and a word joined by
punctuation ("Iraq-Russia", "U.S.") is its parts side by side.

Caps keep every query cheap: `MAX_QUERY_CHARS` characters, `MAX_CLAUSES` clauses that carry
meaning, `MAX_PHRASE_WORDS` words per phrase, words cut at `MAX_TOKEN_CHARS` characters.
Nothing here knows an engine: `archive.search.backends.whoosh.compiler` and
`archive.search.backends.haystack` turn a `Query` into their own queries.
"""

import math
import re
from dataclasses import dataclass, field

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from archive.search.analysis import MAX_TOKEN_CHARS, WORD_RE, normalise_word
from archive.search.stopwords import is_stop_word

MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 32
MAX_PHRASE_WORDS = 12

WORD, PHRASE, PREFIX = "word", "phrase", "prefix"
SHOULD, MUST, NOT = "should", "must", "not"
FIELDS = ("title", "author", "keyword")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# One lexical item: an optional sign, an optional field prefix, then a phrase or a bare word.
_ITEM = re.compile(
    r'(?P<sign>[-+]?)(?:(?P<field>[A-Za-z]+):)?(?:"(?P<phrase>[^"]*)(?:"|$)|(?P<word>[^\s"()]+))'
)
_OR, _AND = "OR", "AND"


@dataclass(frozen=True)
class Term:
    kind: str  # WORD, PHRASE or PREFIX
    text: str  # as typed; a phrase's words joined by spaces
    field: str | None = None  # None: the whole piece

    @property
    def label(self):
        shown = f'"{self.text}"' if self.kind == PHRASE else self.text
        shown += "*" if self.kind == PREFIX else ""
        return f"{self.field}:{shown}" if self.field else shown


@dataclass(frozen=True)
class Clause:
    terms: tuple  # alternatives: a piece that holds any of them holds the clause
    occur: str  # SHOULD, MUST or NOT
    stop: bool = False  # stop words only: neither decides nor scores when the query has other words
    position: int = 0  # where it was typed, counted in words (words typed close together rank higher)

    @property
    def label(self):
        return " OR ".join(term.label for term in self.terms)


@dataclass
class Query:
    clauses: tuple = ()
    notes: list = field(default_factory=list)
    exact: bool = False  # the reader asked for these words exactly: no spelling correction

    @property
    def ranked(self):
        """The clauses whose presence ranks a piece: plain words that carry meaning (or, when the
        query holds only stop words, those)."""
        should = [c for c in self.clauses if c.occur == SHOULD]
        content = [c for c in should if not c.stop]
        return tuple(content or should)

    @property
    def required(self):
        return tuple(c for c in self.clauses if c.occur == MUST)

    @property
    def excluded(self):
        return tuple(c for c in self.clauses if c.occur == NOT)

    @property
    def positive(self):
        """Every clause a piece's score and snippet look at: the ranked ones and the required ones."""
        return self.ranked + self.required

    @property
    def is_empty(self):
        return not self.ranked and not self.required

    @property
    def words(self):
        """Plain words as typed (for "did you mean")."""
        return [t.text for c in self.ranked for t in c.terms if t.kind == WORD and t.field is None]

    @property
    def note(self):
        return " ".join(str(note) for note in self.notes)

    def loosened(self):
        """This query with each required quoted phrase of several words taken as its words,
        ranked; None when it has none, or nothing but phrases (a reader who typed only a phrase
        asked for exactly that). Asked when the query as typed finds nothing: a pasted paragraph
        often quotes a title the archive words differently, and quoting should not turn a
        question with good words into no answer at all."""
        if not any(clause.occur == SHOULD and not clause.stop for clause in self.clauses):
            return None
        clauses, phrases, meaningful = [], [], 0
        for clause in self.clauses:
            [term] = clause.terms if len(clause.terms) == 1 else (None,)
            words = term.text.split() if term and term.kind == PHRASE and term.field is None else []
            if clause.occur != MUST or len(words) < 2:
                clauses.append(clause)
                meaningful += not clause.stop
                continue
            phrases.append(term.label)
            for offset, word in enumerate(words):
                stop = is_stop_word(normalise_word(word))
                if not stop and meaningful >= MAX_CLAUSES:
                    break
                meaningful += not stop
                clauses.append(Clause((Term(WORD, word),), SHOULD, stop, clause.position + offset))
        if not phrases:
            return None
        note = format_lazy(
            gettext_lazy("No piece holds {phrases} as written: showing pieces with its words."),
            phrases=", ".join(phrases),
        )
        return Query(clauses=tuple(clauses), notes=[*self.notes, note], exact=self.exact)


def required_matches(count):
    """How many of `count` ranked clauses a piece must hold to be a result: one of a short query,
    then a share that grows with the query (a pasted question matches on its gist, not on one
    shared word). Measured on judged collections (docs/search-relevance.md)."""
    if count <= ONE_WORD_UP_TO:
        return 1
    return max(1, math.floor(count * MATCH_SHARE))


ONE_WORD_UP_TO = 2
# One in ten of a long query's words (a 20-word paragraph needs 2): each 0.05 more cost 1-4% of
# MAP on the judged collections for 15-20% fewer results (docs/search-relevance.md).
MATCH_SHARE = 0.1


def parse(text, *, exact=False):
    """The Query of the reader's `text`; never raises."""
    notes = []
    text = _CONTROL.sub(" ", str(text or ""))
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(
            format_lazy(
                gettext_lazy("Your query was shortened to its first {n} characters."), n=MAX_QUERY_CHARS
            )
        )
    items = _items(text.replace("(", " ").replace(")", " "), notes)
    return Query(clauses=_clauses(items, notes), notes=notes, exact=exact)


@dataclass
class _Item:
    term: Term
    occur: str
    stop: bool
    position: int


def _items(text, notes):
    """Terms in order, with OR and AND markers between them."""
    items = []
    negate_next = False
    long_word = False
    position = 0
    for match in _ITEM.finditer(text):
        sign, fieldname, phrase, word = match.group("sign", "field", "phrase", "word")
        if word is not None and fieldname is None and sign == "":
            if word == "OR":
                if items and items[-1] not in (_OR, _AND):
                    items.append(_OR)
                continue
            if word in {"AND", "&&"}:
                if items and items[-1] not in (_OR, _AND):
                    items.append(_AND)
                continue
            if word in {"NOT", "!"}:
                negate_next = True
                continue
        target = fieldname.lower() if fieldname and fieldname.lower() in FIELDS else None
        occur = NOT if sign == "-" or negate_next else MUST if sign == "+" else SHOULD
        negate_next = False
        if fieldname and target is None:  # not one of our fields: "foo:bar" is two words
            word, phrase = f"{fieldname} {word or phrase or ''}", None
        if phrase is not None:
            words = WORD_RE.findall(phrase)
            if words:
                if len(words) > MAX_PHRASE_WORDS:
                    notes.append(
                        format_lazy(
                            gettext_lazy("Only the first {n} words of a phrase were used."),
                            n=MAX_PHRASE_WORDS,
                        )
                    )
                    words = words[:MAX_PHRASE_WORDS]
                # Quoted words are asked for on purpose, exactly as typed: they must be present
                # (one quoted word is a phrase of one: no close spellings, no correction).
                occur = MUST if occur == SHOULD else occur
                items.append(_Item(Term(PHRASE, " ".join(words), target), occur, False, position))
                position += len(words)
            continue
        for piece in (word or "").split():
            parts = WORD_RE.findall(piece)
            if len(parts) > 1 and parts[-1].lower() == "s" and re.search(r"['\u2019]s$", piece, re.I):
                parts = parts[:-1]  # "Russia's": the word itself
            if not parts:
                continue
            if any(len(part) > MAX_TOKEN_CHARS for part in parts):
                long_word = True
            parts = [part[:MAX_TOKEN_CHARS] for part in parts]
            if piece.endswith("*") and len(parts) == 1:
                term = Term(PREFIX, parts[0], target)
            elif len(parts) == 1:
                term = Term(WORD, parts[0], target)
            else:  # "Iraq-Russia": the parts side by side
                term = Term(PHRASE, " ".join(parts[:MAX_PHRASE_WORDS]), target)
            if target is not None and occur == SHOULD:
                occur = MUST
            stop = term.kind == WORD and target is None and is_stop_word(normalise_word(term.text))
            items.append(_Item(term, occur, stop, position))
            position += len(parts)
    while items and items[-1] in (_OR, _AND):
        items.pop()
    if long_word:
        notes.append(
            format_lazy(gettext_lazy("Words longer than {n} characters were shortened."), n=MAX_TOKEN_CHARS)
        )
    return items


def _clauses(items, notes):
    """Group OR-joined items into one clause each; AND makes both its sides required."""
    groups = []  # lists of _Item joined by OR
    joined = required_next = False
    for item in items:
        if item is _OR:
            joined = True
            continue
        if item is _AND:
            if groups and len(groups[-1]) == 1 and groups[-1][0].occur == SHOULD:
                groups[-1][0].occur = MUST
            required_next = True
            continue
        if required_next and item.occur == SHOULD:
            item.occur = MUST
        required_next = False
        if joined and groups and item.occur != NOT and groups[-1][0].occur != NOT:
            groups[-1].append(item)
        else:
            groups.append([item])
        joined = False
    clauses = []
    meaningful = 0
    for group in groups:
        occur = group[0].occur
        if len(group) > 1:
            # "a OR b" ranks unless every alternative is required on its own (two phrases, two fields).
            occur = MUST if all(item.occur == MUST for item in group) else SHOULD
        stop = occur == SHOULD and all(item.stop for item in group)
        if not stop:
            meaningful += 1
            if meaningful > MAX_CLAUSES:
                notes.append(
                    format_lazy(
                        gettext_lazy("Only the first {n} words of your query were used."), n=MAX_CLAUSES
                    )
                )
                break
        terms = tuple(dict.fromkeys(item.term for item in group))
        clauses.append(Clause(terms, occur, stop, group[0].position))
    return tuple(clauses)
