"""A latent semantic component (LSI, Deerwester et al. 1990) tried on the tune half: round 4 of
MED's bar (docs/search-relevance.md). Bench only: the ranking on main is unchanged.

    .venv/bin/python bench/tune_ranking.py --work bench/out/relevance/archive@COMMIT --refs \\
        --plugin bench.latent --grid '{"ranker.LATENT": [0, 0.3], "ranker.LATENT_K": [100, 200]}'

The model is learnt from the open index itself (no downloaded model): the documents' `text`
terms, weighted by log-entropy or tf-idf, decomposed once per weighting (the documents' Gram
matrix, eigen-decomposed with numpy: no scipy here, and the collections are small), truncated to
`LATENT_K` dimensions. A query is the latent image of its own words (and, with
`LATENT_CENTROID`, plus the centroid of the best `LATENT_FEEDBACK` pieces' latent vectors); the
best `LATENT_DEPTH` of the first ranking then score `LATENT` x the best score x their cosine to
it, rescaled to 0-1 over those pieces, more, before proximity reorders the best 100. Also:
gates (`LATENT_PLAIN`, `LATENT_FROM_WORDS`), weighting by how much of the query (`LATENT_FIT`)
or piece (`LATENT_DOC_FIT`) the K dimensions keep, and Diaz's score regularisation over the
pieces' latent neighbours (`LATENT_SMOOTH`). Round 5 added: no latent bonus (or the others'
mean) for pieces without an abstract (`LATENT_MIN_BODY`, `LATENT_TITLE_ONLY`), such pieces left
out of the decomposition (`LATENT_MODEL_MIN_BODY`), and a lower-case gate (`LATENT_LOWER`).
What each did: docs/search-relevance.md, rounds 4 and 5.
"""

import math
import re
import sys
import time

import numpy as np

from archive.search.backends.whoosh import ranker

# The constants bench/tune_ranking.py's grid sets as ranker.X (0: the ranking on main).
SETTINGS = {
    "LATENT": 0.0,  # weight of the latent cosine, in units of the best score
    "LATENT_K": 200,  # dimensions kept
    "LATENT_DEPTH": 200,  # pieces of the first ranking rescored
    "LATENT_WEIGHTING": "logentropy",  # or "tfidf"
    "LATENT_SCALE": 1.0,  # documents as V S^p, queries as U^T q S^(p-1) (1: both U^T x)
    "LATENT_CENTROID": 0.0,  # the best pieces' latent centroid, added to the query's image
    "LATENT_FEEDBACK": 15,  # how many best pieces make that centroid
    "LATENT_FROM_WORDS": 0,  # only for queries of this many ranked words or more
    "LATENT_MIN_DF": 2,  # terms held by fewer pieces are left out of the model
    "LATENT_RESCALE": True,  # cosines min-max over the rescored pieces (else raw, clipped at 0)
    "LATENT_PLAIN": False,  # only for plain questions (is_plain_question: no operators, no names)
    "LATENT_DOC_FIT": 0.0,  # each piece's bonus times (share of its vector kept)^DOC_FIT
    "LATENT_SMOOTH": 0.0,  # score regularisation (Diaz 2005) over latent neighbours: its a
    "LATENT_NEIGHBOURS": 10,
    "LATENT_ROUNDS": 10,
    "LATENT_FIT": 0.0,  # weight times (share of the query's vector the latent space keeps)^FIT
    # Round 5: pieces with fewer body words (text less title, authors, keywords) than this score
    # no latent bonus ("none") or the mean of the others' ("neutral"); 0: every piece scores it.
    "LATENT_MIN_BODY": 0,
    "LATENT_TITLE_ONLY": "none",
    "LATENT_MODEL_MIN_BODY": 0,  # such pieces are also left out of the decomposition
    "LATENT_LOWER": False,  # only for queries in Latin letters with no capital after the first
}
_typed = {"text": ""}
_models = {}
_timings = []


def install():
    """Give ranker the defaults and put the latent step in front of its `_best`."""
    for name, value in SETTINGS.items():
        if not hasattr(ranker, name):
            setattr(ranker, name, value)
    if getattr(ranker._best, "latent", False):
        return
    original = ranker._best

    def best(state, plan, postings, scores, matched, all_held, need):
        if ranker.LATENT or ranker.LATENT_SMOOTH:
            scores = _with_latent(state, plan, scores, matched, all_held)
        return original(state, plan, postings, scores, matched, all_held, need)

    best.latent = True
    ranker._best = best
    from archive.search import service

    searched = service.search_article_ids

    def search_article_ids(request, **kwargs):
        _typed["text"] = request.q or ""
        return searched(request, **kwargs)

    service.search_article_ids = search_article_ids


_NAME = re.compile(r"\w*[A-Z]\w*[A-Z]\w*|[A-Z]\w*")  # capitals inside a word, or a capital first


def is_plain_question(text, content_words, at_least=6):
    """Plain words only (no quotes, signs, OR/AND/NOT, field:, prefix*) and no name (a capital
    word inside a sentence, or a word with two capitals), with `at_least` content words."""
    if content_words < at_least or re.search(r'["*:]|(^|\s)[-+]\S|\b(OR|AND|NOT)\b', text):
        return False
    previous = "."
    for word in text.split():
        bare = word.strip("()[],;'")
        if bare and (
            re.fullmatch(r"\w*[A-Z]\w*[A-Z]\w*", bare) or (bare[0].isupper() and previous[-1] not in ".?!:")
        ):
            return False
        previous = word
    return True


def is_lower_case(text):
    """Latin letters, none of them a capital after the first character (Persian and Arabic have
    no case, so a case test alone would let every one of their queries through)."""
    return bool(re.search("[a-z]", text)) and text[1:] == text[1:].lower()


class Model:
    """Terms (str -> column), their global weights, U_k (terms x K) and the documents' V_k S_k."""

    def __init__(self, state, weighting, min_df, top_k=400, min_body=0):
        started = time.monotonic()
        rows, cols, freqs, terms = _postings(state, min_df, body_words(state) >= min_body)
        self.terms = {term: i for i, term in enumerate(terms)}
        n_docs, n_terms = state.size, len(terms)
        local = np.log1p(freqs).astype(np.float32)
        self.globals = _global_weights(weighting, rows, cols, freqs, n_docs, n_terms)
        values = local * self.globals[cols]
        gram = np.zeros((n_docs, n_docs), dtype=np.float64)
        blocks = _term_blocks(cols, n_terms, block=4000)
        for first, last, chosen in blocks:
            dense = np.zeros((n_docs, last - first), dtype=np.float32)
            dense[rows[chosen], cols[chosen] - first] = values[chosen]
            gram += dense @ dense.T
        eigen, vectors = np.linalg.eigh(gram)
        order = np.argsort(-eigen)[:top_k]
        eigen = np.clip(eigen[order], 1e-12, None)
        self.singular = np.sqrt(eigen).astype(np.float32)
        self.v = vectors[:, order].astype(np.float32)  # docs x K
        # U = A^T V S^-1, one term block at a time.
        self.u = np.zeros((n_terms, len(order)), dtype=np.float32)
        for first, last, chosen in blocks:
            dense = np.zeros((n_docs, last - first), dtype=np.float32)
            dense[rows[chosen], cols[chosen] - first] = values[chosen]
            self.u[first:last] = (dense.T @ self.v) / self.singular
        # How much of each document's vector the latent space keeps, per k (docs x K, cumulative).
        squared = np.bincount(rows, weights=values.astype(np.float64) ** 2, minlength=n_docs)
        self.doc_norms = np.sqrt(squared).astype(np.float32)
        self.seconds = time.monotonic() - started
        self.shape = (n_docs, n_terms)

    def documents(self, k, scale):
        """The documents' latent vectors (docs x k), unit length."""
        docs = self.v[:, :k] * self.singular[:k] ** scale
        return docs / np.maximum(np.linalg.norm(docs, axis=1, keepdims=True), 1e-12)

    def query(self, weighted_terms, k, scale):
        """The latent image of {term: weight} (zeros when no term is in the model)."""
        image = np.zeros(k, dtype=np.float32)
        for term, weight in weighted_terms.items():
            column = self.terms.get(term)
            if column is not None:
                image += weight * self.globals[column] * self.u[column, :k]
        return image * self.singular[:k] ** (scale - 1)

    def doc_kept_share(self, k):
        kept = np.linalg.norm(self.v[:, :k] * self.singular[:k], axis=1)
        return kept / np.maximum(self.doc_norms, 1e-12)

    def kept_share(self, weighted_terms, k):
        """How much of the query's (weighted) vector lies in the first k latent dimensions."""
        image = self.query(weighted_terms, k, 1.0)
        whole = [w * self.globals[self.terms[t]] for t, w in weighted_terms.items() if t in self.terms]
        return float(np.linalg.norm(image)) / max(float(np.linalg.norm(whole)), 1e-12) if whole else 0.0


def model(state):
    key = (state.version, ranker.LATENT_WEIGHTING, ranker.LATENT_MIN_DF, ranker.LATENT_MODEL_MIN_BODY)
    found = _models.get(key)
    if found is None:
        found = _models[key] = Model(
            state, ranker.LATENT_WEIGHTING, ranker.LATENT_MIN_DF, min_body=ranker.LATENT_MODEL_MIN_BODY
        )
        print(f"latent model {key[1:]}: {found.shape} in {found.seconds:.1f} s", file=sys.stderr)
    return found


def body_words(state):
    """Per docnum: the words of its text that are not its title, authors or keywords."""
    body = state.lengths("text").astype(np.float64)
    for name in ("title", "author", "keyword"):
        body -= state.lengths(name)
    return body


def _postings(state, min_df, kept):
    """(docnums, term columns, frequencies, terms) of every `text` term held by min_df pieces,
    over the pieces `kept` (bool by docnum)."""
    per_term = {}
    field = state.searcher.schema["text"]
    for reader, offset in state.leaves:
        for btext in reader.lexicon("text"):
            read = ranker.segments.read_postings(reader, "text", btext, with_positions=False)
            if len(read):
                per_term.setdefault(field.from_bytes(btext), []).append((read.ids + offset, read.freqs))
    deleted = state.deleted | ~kept
    rows, cols, freqs, terms = [], [], [], []
    for term, parts in per_term.items():
        ids = np.concatenate([ids for ids, _f in parts])
        tf = np.concatenate([f for _i, f in parts])
        alive = ~deleted[ids]
        if alive.sum() < min_df:
            continue
        rows.append(ids[alive])
        freqs.append(tf[alive])
        cols.append(np.full(int(alive.sum()), len(terms), dtype=np.int64))
        terms.append(term)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(freqs), terms


def _global_weights(weighting, rows, cols, freqs, n_docs, n_terms):
    df = np.bincount(cols, minlength=n_terms).astype(np.float64)
    if weighting == "tfidf":
        return np.log(n_docs / df).astype(np.float32)
    # Log-entropy: 1 + sum_j p log p / log n, p = tf_ij / gf_i (Dumais 1991).
    gf = np.bincount(cols, weights=freqs, minlength=n_terms)
    p = freqs / gf[cols]
    entropy = np.bincount(cols, weights=p * np.log(p), minlength=n_terms)
    return (1.0 + entropy / math.log(n_docs)).astype(np.float32)


def _term_blocks(cols, n_terms, block):
    """[(first column, last column, which entries)] over blocks of `block` terms."""
    order = np.argsort(cols, kind="stable")
    bounds = np.searchsorted(cols[order], np.arange(0, n_terms + block, block))
    return [
        (first, min(first + block, n_terms), order[bounds[i] : bounds[i + 1]])
        for i, first in enumerate(range(0, n_terms, block))
    ]


def _query_terms(plan):
    """{term: weight} of the query's words as searched in `text` (close spellings at their weight)."""
    weights = {}
    for compiled in (*plan.ranked, *plan.required):
        for source in compiled.sources:
            if "text" not in source.fields:
                continue
            for term, weight in source.terms:
                weights[term] = weights.get(term, 0.0) + weight
    return {term: math.log1p(w) if w >= 1 else w for term, w in weights.items()}


def _with_latent(state, plan, scores, matched, all_held):
    """`scores` with the latent bonus added to the best LATENT_DEPTH of `matched`."""
    if len(plan.ranked) < ranker.LATENT_FROM_WORDS:
        return scores
    if ranker.LATENT_PLAIN and not is_plain_question(_typed["text"], len(plan.ranked)):
        return scores
    if ranker.LATENT_LOWER and not is_lower_case(_typed["text"]):
        return scores
    started = time.monotonic()
    docnums = np.flatnonzero(matched)
    if len(docnums) < 2:
        return scores
    tier = all_held[docnums].astype(np.float64)
    base = scores[docnums].astype(np.float64)
    key = tier * (float(base.max()) + 1.0) + base
    take = np.argsort(-key, kind="stable")[: ranker.LATENT_DEPTH]
    chosen = docnums[take]
    found = model(state)
    k = ranker.LATENT_K
    docs = found.documents(k, ranker.LATENT_SCALE)
    asked = _query_terms(plan)
    image = found.query(asked, k, ranker.LATENT_SCALE)
    norm = float(np.linalg.norm(image))
    fit = found.kept_share(asked, k) ** ranker.LATENT_FIT if ranker.LATENT_FIT else 1.0
    image = image / norm if norm else image
    if ranker.LATENT_CENTROID:
        best = chosen[: ranker.LATENT_FEEDBACK]
        share = scores[best].astype(np.float64) / (float(scores[best[0]]) or 1.0)
        centroid = (docs[best] * share[:, None]).sum(axis=0)
        image = image + ranker.LATENT_CENTROID * centroid / max(float(np.linalg.norm(centroid)), 1e-12)
    cosines = docs[chosen] @ image / max(float(np.linalg.norm(image)), 1e-12)
    if ranker.LATENT_RESCALE:
        spread = float(cosines.max() - cosines.min())
        closeness = (cosines - cosines.min()) / spread if spread > 0 else np.zeros_like(cosines)
    else:
        closeness = np.clip(cosines, 0, None)
    if ranker.LATENT_SMOOTH:
        scores = _smoothed(scores, chosen, docs[chosen])
    if not ranker.LATENT:
        return scores
    if ranker.LATENT_DOC_FIT:
        closeness = closeness * found.doc_kept_share(k)[chosen] ** ranker.LATENT_DOC_FIT
    if ranker.LATENT_MIN_BODY:
        closeness = _title_only(closeness, body_words(state)[chosen] < ranker.LATENT_MIN_BODY)
    scores = scores.copy() if not ranker.LATENT_SMOOTH else scores
    scores[chosen] += (ranker.LATENT * fit * float(scores[chosen].max()) * closeness).astype(np.float32)
    _timings.append(time.monotonic() - started)
    return scores


def _title_only(closeness, short):
    """`closeness` with the pieces too short to place in the latent space given none, or the
    mean of the others' (LATENT_TITLE_ONLY)."""
    closeness = closeness.copy()
    if ranker.LATENT_TITLE_ONLY == "neutral" and (~short).any():
        closeness[short] = closeness[~short].mean()
    else:
        closeness[short] = 0.0
    return closeness


def _smoothed(scores, chosen, vectors):
    """Diaz's f <- (1 - a) f0 + a P f over the chosen pieces, P their nearest latent neighbours
    (cosine, row-normalised), anchored to the first ranking; kept above the pieces not chosen."""
    likeness = np.clip(vectors @ vectors.T, 0, None)
    np.fill_diagonal(likeness, 0)
    n = min(ranker.LATENT_NEIGHBOURS, len(chosen) - 1)
    if n < 1:
        return scores
    weak = np.argpartition(-likeness, n - 1, axis=1)[:, n:]
    np.put_along_axis(likeness, weak, 0, axis=1)
    likeness /= np.maximum(likeness.sum(axis=1, keepdims=True), 1e-12)
    first = scores[chosen].astype(np.float64)
    f = first.copy()
    for _ in range(ranker.LATENT_ROUNDS):
        f = (1 - ranker.LATENT_SMOOTH) * first + ranker.LATENT_SMOOTH * likeness @ f
    scores = scores.copy()
    floor = float(first.min())
    scores[chosen] = np.maximum(f, floor).astype(np.float32)
    return scores
