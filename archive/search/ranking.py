"""Ranking: Whoosh's own BM25F scores, worked out over posting blocks for the matched documents.

Whoosh's top-N search steps a tree of matchers once per document in Python (and reads each hit's
field length from a column): most of a search's time. The set of matches is known already (see
`service._match`), so here every term of the query is read a block at a time (ids and term
frequencies), scored with the same formula and the same statistics (idf, average field length,
B, K1, boosts) against field lengths kept per segment (`engine.Live.field_lengths`), and the
parts are added up in the order Whoosh's matcher tree adds them: per segment, the same weighted
tree for `And` and `Or`, left-to-right halves for a phrase. The scores are therefore Whoosh's to
the last bit, and so is the order (higher score first, then lower docnum).

Anything else (another weighting, a query type not built by `query.translate`) raises
`Unsupported` and the caller asks Whoosh.
"""

import heapq
from array import array
from bisect import bisect_left, bisect_right
from itertools import accumulate

from whoosh import query as wq
from whoosh.query.compound import DefaultOr
from whoosh.scoring import BM25F


class Unsupported(Exception):
    """A query or weighting this module does not score; Whoosh's search is used instead."""


def top(state, query, matched, need, *, phrases=None, postings=None):
    """The best `need` of `matched` (global docnums, all matching `query`) by Whoosh's score.
    `phrases`: {phrase_key: docnums} of phrases whose matches are known already; `postings`: the
    search's memo of posting blocks read so far (see `posting_blocks`)."""
    searcher = state.searcher
    weighting = searcher.weighting
    if type(weighting) is not BM25F:
        raise Unsupported(type(weighting).__name__)
    context = _Context(state, weighting, matched, phrases, postings)
    scores = {}
    for reader, offset in searcher.reader().leaf_readers():
        found = _node(query, context, reader, offset)
        if found:
            scores.update(found)
    return heapq.nsmallest(need, scores, key=lambda docnum: (-scores[docnum], docnum))


class _Context:
    def __init__(self, state, weighting, matched, phrases, postings=None):
        self.state = state
        self.searcher = state.searcher
        self.weighting = weighting
        self.matched = matched
        self.phrases = {} if phrases is None else phrases
        self.postings = {} if postings is None else postings


def phrase_key(q):
    return (q.fieldname, tuple(q.words), q.slop)


def _node(q, context, reader, offset):
    """{global docnum: score} of `q` on one segment, for matched documents only."""
    kind = type(q)
    if kind is wq.Term:
        scores = _term(context, reader, offset, q.fieldname, q.text)
        return _boosted(scores, q.boost)
    if kind is DefaultOr or kind is wq.And:
        subs = q.subqueries
        if not subs:
            return {}
        if len(subs) == 1:  # (Whoosh ignores the compound's boost here too)
            return _node(subs[0], context, reader, offset)
        sign = -1 if kind is wq.And else 1
        items = [(sign * sub.estimate_size(reader), _node(sub, context, reader, offset)) for sub in subs]
        scores = _weighted_tree(items, _intersection if kind is wq.And else _union)
        return _boosted(scores, q.boost)
    if kind is wq.AndMaybe:
        a = _node(q.a, context, reader, offset)
        if not a:
            return a
        b = _node(q.b, context, reader, offset)
        return {docnum: score + b[docnum] if docnum in b else score for docnum, score in a.items()}
    if kind is wq.Phrase:
        return _boosted(_phrase(q, context, reader, offset), q.boost)
    raise Unsupported(kind.__name__)


def _boosted(scores, boost):
    if boost == 1.0:
        return scores
    return {docnum: score * boost for docnum, score in scores.items()}


def _union(a, b):
    # UnionMatcher: a.score() + b.score() where both match, else the one that does.
    if not b:
        return a
    if not a:
        return b
    out = dict(a)
    for docnum, score in b.items():
        out[docnum] = out[docnum] + score if docnum in out else score
    return out


def _intersection(a, b):
    return {docnum: score + b[docnum] for docnum, score in a.items() if docnum in b}


def _weighted_tree(items, combine):
    """Whoosh's `make_weighted_tree`: sort by weight (ties keep their order: matchers never compare
    as less), join the first two, put the join back after every item of equal or lower weight."""
    items = sorted(items, key=lambda item: item[0])
    while len(items) > 1:
        (wa, a), (wb, b) = items[0], items[1]
        del items[:2]
        weight = wa + wb
        at = bisect_right([item[0] for item in items], weight)
        items.insert(at, (weight, combine(a, b)))
    return items[0][1]


def _binary_tree_sum(values):
    """Sum in Whoosh's `make_binary_tree` order (first half + second half, recursively)."""
    if len(values) == 1:
        return values[0]
    half = len(values) // 2
    return _binary_tree_sum(values[:half]) + _binary_tree_sum(values[half:])


def _phrase(q, context, reader, offset):
    # A phrase scores as the sum of its words' scores (Whoosh's SpanNear2 wraps an intersection of
    # the word matchers), for the documents where the words stand in order.
    if q.fieldname not in context.searcher.schema or not q.words:
        return {}
    if any((q.fieldname, word) not in reader for word in q.words):
        return {}
    key = phrase_key(q)
    where = context.phrases.get(key)
    if where is None:
        where = context.phrases[key] = set(
            context.searcher.docs_for_query(wq.Phrase(q.fieldname, q.words, slop=q.slop))
        )
    where = where & context.matched
    parts = [_term(context, reader, offset, q.fieldname, word, within=where) for word in q.words]
    return {docnum: _binary_tree_sum([part[docnum] for part in parts]) for docnum in parts[0]}


def _term(context, reader, offset, fieldname, text, *, within=None):
    """BM25F scores of one term's postings in one segment, as Whoosh's BM25FScorer gives them."""
    searcher = context.searcher
    schema = searcher.schema
    if fieldname not in schema:
        return {}
    field = schema[fieldname]
    try:
        btext = field.to_bytes(text)
    except ValueError:
        return {}
    if (fieldname, btext) not in reader:
        return {}
    matched = context.matched if within is None else within
    if not field.scorable:
        # WeightScorer: the posting's weight (filter terms on slugs and codes add it to every match).
        return {
            docnum + offset: tf
            for ids, weights in posting_blocks(reader, fieldname, btext, context.postings)
            for docnum, tf in zip(ids, weights, strict=True)
            if docnum + offset in matched
        }
    weighting = context.weighting
    idf = searcher.idf(fieldname, btext)
    avgfl = searcher.avg_field_length(fieldname) or 1
    B = weighting._field_B.get(fieldname, weighting.B)
    K1 = weighting.K1
    lengths = context.state.field_lengths(fieldname)
    out = {}
    for ids, weights in posting_blocks(reader, fieldname, btext, context.postings):
        for docnum, tf in zip(ids, weights, strict=True):
            docnum += offset
            if docnum in matched:
                # whoosh.scoring.bm25, operation for operation (the same float result).
                out[docnum] = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths[docnum] / avgfl)))
    return out


def posting_blocks(reader, fieldname, btext, memo=None):
    """[(ids, weights)] of a term's postings in one segment, a block at a time, deleted documents
    left out: Whoosh's per-posting walk (`all_ids`) costs a few Python calls per document. With
    `memo` (a dict for one search), a term read for the set of matches is not read again to rank."""
    if memo is not None:
        key = (id(reader), fieldname, btext)
        blocks = memo.get(key)
        if blocks is None:
            blocks = memo[key] = _read_blocks(reader, fieldname, btext)
        return blocks
    return _read_blocks(reader, fieldname, btext)


def _read_blocks(reader, fieldname, btext):
    terms = getattr(reader, "_terms", None)
    perdoc = getattr(reader, "_perdoc", None)
    matcher = None
    if terms is not None and perdoc is not None:
        matcher = terms.matcher(fieldname, btext, reader.schema[fieldname].format, scorer=None)
    if matcher is None or not all(
        hasattr(matcher, name) for name in ("_read_data", "_data", "_byteids", "_blocklength", "_next_block")
    ):
        # Another codec: the documented walk.
        matcher = reader.postings(fieldname, btext)
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return [(ids, weights)]
    deleted = perdoc.deleted_docs() if reader.has_deletions() else None
    deleted = frozenset(deleted) if deleted else None
    blocks = []
    while matcher.is_active():
        # What W3LeafMatcher._read_ids/_read_weights do, with the id deltas summed in C.
        if matcher._data is None:
            matcher._read_data()
        ids, weights = matcher._data[0], matcher._data[1]
        if not matcher._byteids:
            ids = list(accumulate(ids))
        size = matcher._blocklength
        if weights is None:
            weights = [1.0] * size
        elif isinstance(weights, float):
            weights = [array("f", (weights,))[0]] * size  # (Whoosh keeps them as 32-bit floats)
        if deleted:
            kept = [i for i, docnum in enumerate(ids) if docnum not in deleted]
            ids, weights = [ids[i] for i in kept], [weights[i] for i in kept]
        blocks.append((ids, weights))
        matcher._next_block()
    return blocks


# Parts of the `text` field that are also indexed on their own (the rest: subtitle, abstract, body).
NAMED_PARTS = ("title", "author", "keyword")


def only_in_named_parts(searcher, docnum, terms, memo=None):
    """Whether every one of `terms` occurs in document `docnum`'s `text` no more often than in
    its title, author names and keywords together: then its subtitle, abstract and body hold none
    (a hit found by a keyword alone), and the database need not be read to look for a passage."""
    for reader, offset in searcher.reader().leaf_readers():
        if offset <= docnum < offset + reader.doc_count_all():
            local = docnum - offset
            break
    else:
        return False
    schema = searcher.schema
    for term in terms:
        btext = schema["text"].to_bytes(term)
        in_text = _frequency(reader, "text", btext, local, memo)
        if in_text and in_text > sum(_frequency(reader, name, btext, local, memo) for name in NAMED_PARTS):
            return False
    return True


def _frequency(reader, fieldname, btext, docnum, memo):
    """How often the term occurs in one document of one segment (its posting's weight), or 0."""
    if (fieldname, btext) not in reader:
        return 0
    for ids, weights in posting_blocks(reader, fieldname, btext, memo):
        if ids and ids[0] <= docnum <= ids[-1]:
            at = bisect_left(ids, docnum)
            return weights[at] if at < len(ids) and ids[at] == docnum else 0
    return 0
