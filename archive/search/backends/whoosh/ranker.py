"""Matching and ranking a compiled query over the live index, as numpy arrays over docnums.

What matches (`Outcome.matched`): public, filtered pieces that hold every required clause, none
of the excluded ones and at least `query.required_matches(k)` of the k ranked clauses (fewer when
no piece holds that many, so a query that shares a word with some piece always finds it).

How they rank, for `sort=relevance`:
1. Pieces that hold every ranked clause come first, then the rest.
2. Within each group, by score: each clause's BM25F score (its term frequencies in the weighted
   fields, each normalised by that field's length, summed, then saturated once: `K1`, `B`), a
   close spelling counting `compiler.VARIANT_WEIGHT` of the word; for a query of
   `FEEDBACK_FROM_WORDS` words or more, plus pseudo-relevance feedback: the words that stand out in
   the openings of the best `FEEDBACK_DOCS` pieces score every match a little more (never what
   matches).
3. The best `RERANK_DEPTH` are then scored again with proximity: each pair of query words typed
   next to each other adds `PROXIMITY` x the rarer word's idf, the more the closer they stand in
   the piece (as typed: the most).

The constants were chosen on the tune half of judged test collections (bench/tune_ranking.py,
docs/search-relevance.md): a coordination factor and Whoosh's own idf measured worse and are gone.

Everything is a whole-array operation: a term's postings are read block-wise into arrays
(`segments.py`) and scored at once, so a query's cost grows with the postings it reads, not with
Python work per matching document; positions are decoded only for the reranked few.
"""

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from archive.search import schema
from archive.search.analysis import term_positions
from archive.search.backends.whoosh import segments
from archive.search.query import required_matches
from archive.search.stopwords import is_stop_word

# Tuned on the tune half of the judged collections (docs/search-relevance.md, bench/tune_ranking.py).
K1 = 1.6
B = 0.6
PROXIMITY = 0.25
PROXIMITY_WINDOW = 8
RERANK_DEPTH = 100


@dataclass
class Outcome:
    matched: np.ndarray  # bool by docnum
    count: int = 0
    count_all: int = 0
    order: list = field(default_factory=list)  # docnums of the first `need`, best first
    presence: list = field(default_factory=list)  # per ranked clause: bool by docnum
    named_only: object = None  # docnum -> whether the query's words are only in title/author/keyword


class Postings:
    """The postings a search reads, each term read once (positions decoded only on request)."""

    def __init__(self, state):
        self.state = state
        self._segments = {}
        self._arrays = {}

    def segments(self, fieldname, term):
        """[(offset, size, segments.Postings)] of `term` in `fieldname`, per segment holding it."""
        key = (fieldname, term)
        found = self._segments.get(key)
        if found is None:
            found = self._segments[key] = []
            schema_ = self.state.searcher.schema
            try:
                btext = schema_[fieldname].to_bytes(term) if fieldname in schema_ else None
            except ValueError:
                btext = None
            if btext is not None:
                for reader, offset in self.state.leaves:
                    read = segments.read_postings(reader, fieldname, btext)
                    if len(read):
                        found.append((offset, reader.doc_count_all(), read))
        return found

    def arrays(self, fieldname, term):
        """(global docnums, frequencies) of `term` in `fieldname`."""
        key = (fieldname, term)
        found = self._arrays.get(key)
        if found is None:
            parts = self.segments(fieldname, term)
            if not parts:
                found = (segments.EMPTY_IDS, segments.EMPTY_FREQS)
            elif len(parts) == 1:
                offset, _size, read = parts[0]
                found = (read.ids + offset if offset else read.ids, read.freqs)
            else:
                found = (
                    np.concatenate([read.ids + offset for offset, _size, read in parts]),
                    np.concatenate([read.freqs for _offset, _size, read in parts]),
                )
            self._arrays[key] = found
        return found

    def positions_of(self, fieldname, term, docnums):
        """{docnum: positions} of `term` in `fieldname` for the global `docnums` (sorted) that hold it."""
        found = {}
        for offset, size, read in self.segments(fieldname, term):
            local = docnums[(docnums >= offset) & (docnums < offset + size)] - offset
            if not len(local):
                continue
            at = np.searchsorted(read.ids, local)
            at = np.minimum(at, len(read.ids) - 1)
            held = read.ids[at] == local
            for docnum, positions in zip(
                (local[held] + offset).tolist(), read.positions_of(at[held]), strict=True
            ):
                found[docnum] = positions
        return found

    def positions(self, fieldname, term, docnum):
        for offset, size, read in self.segments(fieldname, term):
            if offset <= docnum < offset + size:
                index = read.at(docnum - offset)
                return read.positions(index) if index >= 0 else ()
        return ()


def idf(state, fieldname, term):
    """BM25's idf (Lucene's, never negative) of `term` in `fieldname`."""
    n = max(state.searcher.doc_count(), 1)
    df = state.doc_frequency(fieldname, term)
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def run(state, plan, *, allowed, sort, need, postings=None):
    """The Outcome of `plan` over the documents `allowed` (bool by docnum: public, filtered)."""
    postings = postings or Postings(state)
    size = state.size
    matched = allowed.copy()
    for compiled in plan.excluded:
        matched &= ~_presence(compiled, postings, size, within=None)
    for compiled in plan.required:
        if not matched.any():
            break
        matched &= _presence(compiled, postings, size, within=matched)
    presence = [_presence(c, postings, size, within=matched) for c in plan.ranked]
    counts = np.zeros(size, dtype=np.int16)
    for present in presence:
        counts += present
    k = len(presence)
    if k:
        if not plan.required:
            held = counts[matched]
            most = int(held.max()) if len(held) else 0
            need_held = min(required_matches(k), most) if most else 1
            matched &= counts >= need_held
        all_held = matched & (counts == k)
    else:
        all_held = matched
    outcome = Outcome(matched=matched, presence=presence)
    outcome.count = int(matched.sum())
    outcome.count_all = int(all_held.sum())
    if not outcome.count or need <= 0:
        return outcome
    if sort != "relevance" or not (plan.ranked or plan.required):
        outcome.order = _by_date(state, matched, sort, need)
        return outcome
    scores = np.zeros(size, dtype=np.float32)
    for compiled in (*plan.ranked, *plan.required):
        scores += _clause_score(state, compiled, postings, size)
    if FEEDBACK and k >= FEEDBACK_FROM_WORDS:
        scores += _feedback(state, plan, postings, scores, matched)
    outcome.order = _best(state, plan, postings, scores, matched, all_held, need)
    return outcome


# Pseudo-relevance feedback: the words that stand out in the best few pieces (their stored
# opening) add to the score of every match, never to what matches.
FEEDBACK = 2.0
FEEDBACK_FROM_WORDS = 3
FEEDBACK_DOCS = 15
FEEDBACK_TERMS = 20
# Words in more than this share of the archive say too little (and cost the most to read).
FEEDBACK_MAX_DF = 0.05


def _feedback(state, plan, postings, scores, matched):
    docnums = np.flatnonzero(matched)
    if len(docnums) < 2:
        return 0.0
    best = docnums[np.argsort(-scores[docnums], kind="stable")[:FEEDBACK_DOCS]]
    top = float(scores[best[0]]) or 1.0
    asked = {t for c in (*plan.ranked, *plan.required) for s in c.sources for t, _w in s.terms}
    weights, docs = {}, {}
    for docnum in best:
        stored = state.stored(int(docnum))
        text = f"{stored.get('title', '')}\n{stored.get('excerpt') or ''}"
        found = term_positions(text)
        length = sum(len(p) if isinstance(p, list) else 1 for p in found.values()) or 1
        share = float(scores[docnum]) / top
        for term, positions in found.items():
            if len(term) < 3 or term.isdigit() or term in asked or is_stop_word(term):
                continue
            tf = len(positions) if isinstance(positions, list) else 1
            weights[term] = weights.get(term, 0.0) + share * tf / length
            docs[term] = docs.get(term, 0) + 1
    # Words shared by several of the best pieces first; the index is asked about the likeliest
    # few only (a look-up per word was most of the feedback's time).
    shortlist = sorted(weights, key=lambda term: (docs[term] > 1, weights[term]), reverse=True)
    n = max(state.searcher.doc_count(), 1)
    ranked = []
    for term in shortlist[: FEEDBACK_TERMS * 5]:
        df = state.doc_frequency("text", term)
        if 1 < df < n * FEEDBACK_MAX_DF:  # found elsewhere too, and not everywhere
            ranked.append((weights[term] * idf(state, "text", term), term))
    ranked.sort(reverse=True)
    chosen = ranked[:FEEDBACK_TERMS]
    if not chosen:
        return 0.0
    total = sum(w for w, _t in chosen)
    bonus = np.zeros(state.size, dtype=np.float32)
    lengths = state.lengths("text")
    average = state.average_length("text")
    for weight, term in chosen:
        ids, freqs = postings.arrays("text", term)
        if not len(ids):
            continue
        norm = (1 - B) + B * lengths[ids] / average
        bonus[ids] += (weight / total) * idf(state, "text", term) * freqs * (K1 + 1) / (freqs + K1 * norm)
    return FEEDBACK * bonus


def _presence(compiled, postings, size, *, within):
    """Which documents hold the clause (any of its sources)."""
    present = np.zeros(size, dtype=bool)
    for source in compiled.sources:
        if source.phrase is not None:
            present |= _phrase(source, postings, size, within)
            continue
        for fieldname in source.fields:
            for term, _weight in source.terms:
                ids, _freqs = postings.arrays(fieldname, term)
                present[ids] = True
    return present


def _phrase(source, postings, size, within):
    """Documents (among `within`, when given) where the phrase's words stand in order: the set
    every word holds, then their positions, the rarest word first, for the documents still in."""
    fieldname = source.fields[0]
    candidates = np.ones(size, dtype=bool) if within is None else within.copy()
    for word in source.phrase:
        ids, _freqs = postings.arrays(fieldname, word)
        holds = np.zeros(size, dtype=bool)
        holds[ids] = True
        candidates &= holds
    docnums = np.flatnonzero(candidates)
    order = sorted(
        range(len(source.phrase)), key=lambda i: len(postings.arrays(fieldname, source.phrase[i])[0])
    )
    starts = None  # docnum -> positions where the phrase could start
    for i in order:
        if not len(docnums):
            break
        held = postings.positions_of(fieldname, source.phrase[i], docnums)
        if starts is None:
            starts = {d: {p - i for p in positions} for d, positions in held.items() if positions}
        else:
            starts = {d: kept for d, s in starts.items() if (kept := s & {p - i for p in held.get(d, ())})}
        docnums = np.fromiter(sorted(starts), dtype=np.int64, count=len(starts))
    found = np.zeros(size, dtype=bool)
    found[docnums] = True
    return found


def _clause_score(state, compiled, postings, size):
    total = np.zeros(size, dtype=np.float32)
    for source in compiled.sources:
        for term, weight in source.terms:
            pseudo = np.zeros(size, dtype=np.float32)
            fields = source.scored
            for fieldname, field_weight in fields:
                ids, freqs = postings.arrays(fieldname, term)
                if not len(ids):
                    continue
                lengths = state.lengths(fieldname)[ids]
                norm = (1 - B) + B * lengths / state.average_length(fieldname)
                pseudo[ids] += field_weight * freqs / norm
            deciding = source.fields[0] if source.fields[0] in dict(fields) else fields[0][0]
            total += weight * idf(state, deciding, term) * pseudo * (K1 + 1) / (K1 + pseudo)
    return total


def _by_date(state, matched, sort, need):
    """Newest first (ties: the later indexed first), or oldest first (ties: the earlier)."""
    docnums = np.flatnonzero(matched)
    key = state.dates[docnums].astype(np.int64) * (1 << 24) + docnums
    return [int(docnums[i]) for i in _top(-key if sort == "oldest" else key, need)]


def _top(key, need):
    """Indexes of the `need` largest values of `key`, largest first (ties: as np.argsort)."""
    if need < len(key):
        part = np.argpartition(-key, need - 1)[:need]
        return part[np.argsort(-key[part], kind="stable")]
    return np.argsort(-key, kind="stable")


def _best(state, plan, postings, scores, matched, all_held, need):
    """The best `need` of `matched` docnums: every-clause holders first, by score; the first
    RERANK_DEPTH rescored with proximity."""
    docnums = np.flatnonzero(matched)
    tier = all_held[docnums].astype(np.float64)
    base = scores[docnums].astype(np.float64)
    key = tier * (float(base.max()) + 1.0 + PROXIMITY * 100) + base
    depth = max(need, RERANK_DEPTH)
    take = _top_stable(key, docnums, depth)
    rerank = take[:RERANK_DEPTH]
    bonus = _proximity(state, plan, postings, docnums[rerank]) if PROXIMITY else None
    if bonus is not None:
        reranked_key = key[rerank] + bonus
        order = np.lexsort((docnums[rerank], -reranked_key))
        rerank = rerank[order]
    ordered = np.concatenate([rerank, take[RERANK_DEPTH:]])
    return [int(docnums[i]) for i in ordered[:need]]


def _top_stable(key, docnums, depth):
    """Indexes of the `depth` best by key, ties broken by lower docnum."""
    if depth < len(key):
        part = np.argpartition(-key, depth - 1)[:depth]
        threshold = key[part].min()
        part = np.flatnonzero(key >= threshold)  # every tie at the edge, then cut after sorting
    else:
        part = np.arange(len(key))
    order = np.lexsort((docnums[part], -key[part]))
    return part[order][:depth]


def _proximity(state, plan, postings, docnums):
    """Per docnum: the bonus for query words standing close together in its text."""
    pairs = _typed_pairs(state, plan)
    if not pairs:
        return None
    ordered = np.sort(docnums)
    positions = {word: postings.positions_of("text", word, ordered) for pair in pairs for word in pair[:2]}
    bonus = np.zeros(len(docnums), dtype=np.float64)
    for i, docnum in enumerate(docnums.tolist()):
        total = 0.0
        for first, second, gap, weight in pairs:
            a = positions[first].get(docnum)
            b = positions[second].get(docnum) if a else None
            if b:
                distance = _closest(a, b, gap)
                if distance <= PROXIMITY_WINDOW:
                    total += weight / (1.0 + distance)
        bonus[i] = PROXIMITY * total
    return bonus


def _typed_pairs(state, plan):
    """(word, next word, gap as typed, weight: the rarer word's idf) for ranked words typed one
    after the other."""
    words = []
    for compiled in plan.ranked:
        main = compiled.words
        if len(main) == 1:
            words.append((compiled.clause.position, main[0]))
    words.sort()
    pairs = []
    for (pa, a), (pb, b) in itertools.pairwise(words):
        if a != b:
            pairs.append((a, b, pb - pa, min(idf(state, "text", a), idf(state, "text", b))))
    return pairs


def _closest(a, b, gap):
    """How far, beyond the typed `gap`, the nearest occurrences of two words stand (0: as typed)."""
    best = math.inf
    j = 0
    b = sorted(b)
    for p in sorted(a):
        target = p + gap
        while j < len(b) - 1 and b[j] < target:
            j += 1
        for q in (b[j - 1] if j else None, b[j]):
            if q is None:
                continue
            d = abs(q - target) if q > p else abs(p - q) + gap
            best = min(best, d)
    return best


def facets(state, matched):
    """{filter name: {value: count}} over the matched documents."""
    return {f.name: state.column(f).counts(matched) for f in schema.FACETS}
