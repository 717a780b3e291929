"""A parsed `Query` compiled against the index's words: which terms of which fields each clause
reads, corrected and widened by close spellings and prefixes.

- An unfielded word reads its term in `text` (which holds the whole piece, so it alone decides
  whether a piece holds the word) and scores it across the weighted fields (`schema.SCORED`);
  a one-letter word reads the short fields (title, author, keyword) only.
- A word that is rare or unknown and has a much more frequent close spelling is replaced by that
  one spelling (`spelling.correction`), unless the reader asked for the exact words.
- A word also matches its OCR slips and rarer close spellings (`spelling.variants`), which score
  `VARIANT_WEIGHT` of the word itself: `Iraq` finds the OCR'd `Irag` below the exact matches.
- `prefix*` reads up to `MAX_PREFIX_TERMS` words starting with the prefix.
- A phrase reads its words and keeps their order (`Source.phrase`).
"""

import functools
import logging
import string
from dataclasses import dataclass, field

from archive.search import schema, spelling
from archive.search.analysis import analyze, normalise_word
from archive.search.query import PHRASE, PREFIX, WORD

log = logging.getLogger("archive.search")

MAX_PREFIX_TERMS = 50
MAX_VARIANTS = 8
VARIANT_WEIGHT = 0.3
# Close spellings share their first letters with the word (the walk through the word list stays
# short): two, or three after the Arabic article ال.
SHARED_PREFIX = 2
SHORT_FIELDS = ("title", "author", "keyword")
# Longer words are not corrected: no misspelt word is this long, and the edits of a long one are many.
MAX_CORRECTED_CHARS = 24
# Words whose single edits and their index terms are kept (`_edit_terms`): about 10 KB each (20 KB
# for Persian or Arabic), so at most 2.5-5 MB.
EDITS_KEPT = 256


@dataclass
class Source:
    """Terms read for one alternative of a clause. `terms` are (term, weight) in `fields`: a piece
    holds the alternative when one of the fields holds any of them (all of `phrase`, in order, for
    a phrase). `scored` are the fields the alternative's words score in, with their weights."""

    fields: tuple
    terms: list
    scored: tuple
    phrase: list | None = None


@dataclass
class Compiled:
    clause: object  # the query.Clause
    sources: list = field(default_factory=list)

    @property
    def words(self):
        """The main terms (not close spellings), for proximity."""
        return [t for s in self.sources if s.phrase is None for t, w in s.terms if w == 1.0]


@dataclass
class Plan:
    ranked: list = field(default_factory=list)
    required: list = field(default_factory=list)
    excluded: list = field(default_factory=list)
    highlight: set = field(default_factory=set)
    corrections: dict = field(default_factory=dict)  # word typed -> spelling searched
    notes: list = field(default_factory=list)


def compile_query(query, state, memo):
    """The Plan of `query` on the open index `state` (live.Live). `memo` is a dict kept per index
    version: corrections and close spellings are worked out once per word."""
    plan = Plan(notes=list(query.notes))
    for target, clauses in ((plan.ranked, query.ranked), (plan.required, query.required)):
        for clause in clauses:
            target.append(_compile(clause, state, memo, plan, positive=True, exact=query.exact))
    for clause in query.excluded:
        plan.excluded.append(_compile(clause, state, memo, plan, positive=False, exact=True))
    return plan


def _compile(clause, state, memo, plan, *, positive, exact):
    compiled = Compiled(clause)
    for term in clause.terms:
        source = _source(term, state, memo, plan, positive=positive, exact=exact)
        if source is not None:
            compiled.sources.append(source)
    return compiled


def _scored(fieldname):
    if fieldname == "text":
        return tuple((f.name, f.weight) for f in schema.SCORED)
    return ((fieldname, 1.0),)


def _source(term, state, memo, plan, *, positive, exact):
    fieldname = term.field or "text"
    if term.kind == PREFIX:
        found = _prefix_terms(term.text, fieldname, state.searcher.reader(), plan)
        if positive:
            plan.highlight.update(found)
        return Source((fieldname,), [(t, 1.0) for t in found], ((fieldname, 1.0),)) if found else None
    words = analyze(term.text)
    if not words:
        return None
    if term.kind == PHRASE and len(words) > 1:
        if positive:
            plan.highlight.update(words)
        return Source((fieldname,), [(w, 1.0) for w in words], _scored(fieldname), phrase=words)
    word = words[0]
    if term.kind == WORD and term.field is None and len(word) == 1:
        if positive:
            plan.highlight.add(word)
        return Source(SHORT_FIELDS, [(word, 1.0)], tuple((name, 1.0) for name in SHORT_FIELDS))
    weighted = [(word, 1.0)]
    if term.kind == WORD and positive and not exact and not word.isdigit():
        corrected = _correction(term.text, word, fieldname, state, memo)
        if corrected is not None:
            plan.corrections[term.text] = corrected[0]
            word = corrected[1]
            weighted = [(word, 1.0)]
        weighted += [(other, VARIANT_WEIGHT) for other in _variants(word, fieldname, state, memo)]
    if positive:
        plan.highlight.update(t for t, _w in weighted)
    return Source((fieldname,), weighted, _scored(fieldname))


def _correction(typed, term, fieldname, state, memo):
    """(spelling shown, index term) to search instead of `typed`, or None."""
    key = ("correction", fieldname, term)
    if key not in memo:
        memo[key] = None
        frequency = state.doc_frequency(fieldname, term)
        if frequency < spelling.TRUST_FROM_DOCS and 3 <= len(term) <= MAX_CORRECTED_CHARS:
            plain = normalise_word(typed).lower()
            edits = _edit_terms(plain)
            counts = state.doc_frequencies(fieldname, ("edits", plain), lambda: {t for _o, t in edits})
            neighbours = {other: counts[t] for other, t in edits if t != term and t in counts}
            best = spelling.correction(plain, frequency, neighbours)
            if best is not None:
                memo[key] = (best, analyze(best)[0])
    found = memo[key]
    if found is None:
        return None
    shown = found[0]
    if typed[:1].isupper():
        shown = shown[:1].upper() + shown[1:]
    return shown, found[1]


def _edit_terms(plain):
    """[(edit, index term)] for the single edits of `plain` that analyse to one index term."""
    text = _edit_terms_text(plain)
    return [tuple(line.split("\t")) for line in text.split("\n")] if text else []


@functools.lru_cache(maxsize=EDITS_KEPT)
def _edit_terms_text(plain):
    """`_edit_terms` as "edit<TAB>term" lines: analysing 500 edits costs 2-15 ms, and one string
    takes a tenth of the memory of the list of pairs (about 10 KB for a Latin word of 9 letters)."""
    lines = []
    for other in _single_edits(plain):
        stemmed = analyze(other)
        if len(stemmed) == 1:
            lines.append(f"{other}\t{stemmed[0]}")
    return "\n".join(lines)


_LATIN = string.ascii_lowercase
_ARABIC_SCRIPT = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"


def _single_edits(word):
    """Every spelling one edit (a deleted, inserted, replaced or swapped letter, or two letters
    read as one) away from `word`, in its own script."""
    letters = _ARABIC_SCRIPT if any("\u0600" <= ch <= "\u06ff" for ch in word) else _LATIN
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = set()
    for left, right in splits:
        if right:
            edits.add(left + right[1:])
            for ch in letters:
                edits.add(left + ch + right[1:])
        if len(right) > 1:
            edits.add(left + right[1] + right[0] + right[2:])
            for pair, single in (("rn", "m"), ("cl", "d"), ("vv", "w"), ("ri", "n"), ("ii", "u")):
                if right.startswith(single):
                    edits.add(left + pair + right[1:])
                if right.startswith(pair):
                    edits.add(left + single + right[2:])
        for ch in letters:
            edits.add(left + ch + right)
    edits.discard(word)
    return edits


def _variants(term, fieldname, state, memo):
    """Close spellings of index term `term` that it also matches (`spelling.variants`): for a
    common word only its OCR look-alikes are asked for; a rare one walks the words sharing its
    first letters."""
    if len(term) < 4:
        return []
    key = ("variants", fieldname, term)
    if key not in memo:
        frequency = state.doc_frequency(fieldname, term)
        if frequency >= spelling.VARIANTS_BELOW_DOCS:
            candidates = spelling.look_alikes(term)
        else:
            candidates = _walk(term, fieldname, state)
        neighbours = {}
        for other in candidates:
            count = state.doc_frequency(fieldname, other)
            if count:
                neighbours[other] = count
        memo[key] = spelling.variants(term, frequency, neighbours)[:MAX_VARIANTS]
    return memo[key]


def _walk(term, fieldname, state):
    """Words of the index near `term` that share its first letters, in order. Each segment's are
    remembered while it lives (`Live.per_segment`): a new index version walks its new ones only."""
    limit = spelling.max_edits(term)
    prefix = term[: SHARED_PREFIX + 1 if term.startswith("ال") and len(term) > 4 else SHARED_PREFIX]

    def near(reader):
        found = []
        for btext in reader.expand_prefix(fieldname, prefix):
            other = btext.decode("utf-8")
            if other != term and abs(len(other) - len(term)) <= limit and _near(other, term, limit):
                found.append(other)
        return tuple(found)

    try:
        parts = state.per_segment(("near", fieldname, term), near)
    except Exception:  # an unusual term the lexicon cannot walk: no close spellings
        return []
    return sorted(set().union(*parts))


def _near(a, b, limit):
    """A cheap test before the weighted distance: a shared beginning and end cost nothing."""
    start, size = 0, min(len(a), len(b))
    while start < size and a[start] == b[start]:
        start += 1
    a, b = a[start:], b[start:]
    end, size = 0, min(len(a), len(b))
    while end < size and a[-1 - end] == b[-1 - end]:
        end += 1
    if end:
        a, b = a[:-end], b[:-end]
    return max(len(a), len(b)) <= limit or spelling.distance(a, b) <= limit


def _prefix_terms(text, fieldname, reader, plan):
    stem = normalise_word(text).lower()
    if not stem:
        return []
    candidates = {stem, *analyze(text)[:1]}
    found = []
    for prefix in sorted(candidates):
        try:
            for btext in reader.expand_prefix(fieldname, prefix):
                found.append(btext.decode("utf-8"))
                if len(found) >= MAX_PREFIX_TERMS:
                    break
        except Exception:  # an unusual prefix the lexicon cannot walk: no words from it
            log.warning("could not expand the prefix %r", prefix)
            continue
        if len(found) >= MAX_PREFIX_TERMS:
            plan.notes.append(f"“{text}*” matches many words; only the first {MAX_PREFIX_TERMS} were used.")
            break
    return sorted(set(found))
