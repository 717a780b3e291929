"""Term dependence (Metzler & Croft 2005, the sequential dependence model) tried on the tune half:
round 5 of MED's bar (docs/search-relevance.md). Bench only: the ranking on main is unchanged.

    .venv/bin/python bench/tune_ranking.py --work bench/out/relevance/archive@COMMIT --refs \\
        --plugin bench.sdm --grid '{"ranker.SDM_ORDERED": [0, 0.1], "ranker.SDM_UNORDERED": [0, 0.05]}'

Beside each query word's own score (the unigram part), every two content words typed one after
the other (`ranker._typed_pairs`) make two more "terms": ordered, the second word following the
first within the gap as typed plus `SDM_SLACK` words (#1 when typed side by side), and unordered,
both within `SDM_WINDOW` words of each other (#uw8). Each is scored as BM25 scores a word: its
count in the piece saturated by `K1` and the text's length (`B`), times its own idf, from the
number of pieces in the whole index that hold it (read from the positions of every piece holding
both words, once per pair and index). The best `SDM_DEPTH` of the first ranking (feedback
included) are rescored: unigram + (lambda_O x ordered + lambda_U x unordered) / lambda_T, with
lambda_T = 1 - lambda_O - lambda_U, before proximity reorders the best 100 (`PROXIMITY` 0 leaves
SDM alone). `SDM_BEFORE_FEEDBACK` also rescores the first ranking the feedback reads.
"""

import math
import time

import numpy as np

from archive.search.backends.whoosh import ranker

# The constants bench/tune_ranking.py's grid sets as ranker.X (0: the ranking on main).
SETTINGS = {
    "SDM_ORDERED": 0.0,  # lambda_O
    "SDM_UNORDERED": 0.0,  # lambda_U
    "SDM_WINDOW": 8,  # #uwN: both words within N words (|p - q| < N)
    "SDM_SLACK": 0,  # ordered: the second word at most this many words further than typed
    "SDM_DEPTH": 100,  # pieces of the first ranking rescored
    "SDM_FROM_WORDS": 2,  # only for queries of this many ranked words or more
    "SDM_BEFORE_FEEDBACK": False,  # also rescore the ranking the feedback's best pieces come from
}
_pair_stats = {}  # (index, a, b, gap, slack, window) -> (ordered df, unordered df)
timings = []  # seconds per rescoring, for the cost


def install():
    """Give ranker the defaults and put the SDM step in front of its `_best` (and `_feedback`)."""
    for name, value in SETTINGS.items():
        if not hasattr(ranker, name):
            setattr(ranker, name, value)
    if getattr(ranker._best, "sdm", False):
        return
    best_original, feedback_original = ranker._best, ranker._feedback

    def best(state, plan, postings, scores, matched, all_held, need):
        if ranker.SDM_ORDERED or ranker.SDM_UNORDERED:
            scores = with_dependence(state, plan, postings, scores, matched, all_held)
        return best_original(state, plan, postings, scores, matched, all_held, need)

    def feedback(state, plan, postings, scores, matched):
        if ranker.SDM_BEFORE_FEEDBACK and (ranker.SDM_ORDERED or ranker.SDM_UNORDERED):
            scores = with_dependence(state, plan, postings, scores, matched, None)
        return feedback_original(state, plan, postings, scores, matched)

    best.sdm = True
    ranker._best = best
    ranker._feedback = feedback


def with_dependence(state, plan, postings, scores, matched, all_held):
    """`scores` with the dependence features added for the best SDM_DEPTH of `matched`."""
    pairs = ranker._typed_pairs(state, plan)
    if not pairs or len(pairs) + 1 < ranker.SDM_FROM_WORDS:
        return scores
    started = time.perf_counter()
    docnums = np.flatnonzero(matched)
    base = scores[docnums].astype(np.float64)
    tier = all_held[docnums].astype(np.float64) if all_held is not None else np.zeros(len(docnums))
    key = tier * (float(base.max()) + 1.0) + base
    chosen = np.sort(docnums[ranker._top_stable(key, docnums, ranker.SDM_DEPTH)])
    bonus = _bonus(state, postings, pairs, chosen)
    scores = scores.copy()
    scores[chosen] += bonus.astype(np.float32)
    timings.append(time.perf_counter() - started)
    return scores


def _bonus(state, postings, pairs, docnums):
    """(lambda_O x ordered + lambda_U x unordered) / lambda_T per docnum (sorted)."""
    lam_o, lam_u = ranker.SDM_ORDERED, ranker.SDM_UNORDERED
    lam_t = max(1.0 - lam_o - lam_u, 1e-6)
    lengths = state.lengths("text")[docnums]
    norm = (1 - ranker.B) + ranker.B * lengths / state.average_length("text")
    n = max(state.searcher.doc_count(), 1)
    total = np.zeros(len(docnums), dtype=np.float64)
    for a, b, gap, _weight in pairs:
        df_o, df_u = _document_frequencies(state, postings, a, b, gap)
        tf_o, tf_u = _counts(postings, a, b, gap, docnums)
        for lam, df, tf in ((lam_o, df_o, tf_o), (lam_u, df_u, tf_u)):
            if lam and df:
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                total += lam * idf * tf * (ranker.K1 + 1) / (tf + ranker.K1 * norm)
    return total / lam_t


def _counts(postings, a, b, gap, docnums):
    """(ordered, unordered) occurrence counts of the pair in each of `docnums` (sorted)."""
    first = postings.positions_of("text", a, docnums)
    second = postings.positions_of("text", b, docnums) if first else {}
    ordered = np.zeros(len(docnums), dtype=np.float64)
    unordered = np.zeros(len(docnums), dtype=np.float64)
    reach = gap + ranker.SDM_SLACK
    for i, docnum in enumerate(docnums.tolist()):
        pa, pb = first.get(docnum), second.get(docnum)
        if pa and pb:
            ordered[i], unordered[i] = _pair_counts(pa, pb, reach, ranker.SDM_WINDOW)
    return ordered, unordered


def _pair_counts(pa, pb, reach, window):
    """Occurrences of the first word followed by the second within `reach` words, and of the
    first word with the second within `window` - 1 words either side."""
    pb = np.asarray(sorted(pb))
    pa = np.asarray(sorted(pa))
    after = np.searchsorted(pb, pa, side="right")  # first q > p
    upto = np.searchsorted(pb, pa + reach, side="right")  # q <= p + reach
    low = np.searchsorted(pb, pa - (window - 1), side="left")
    high = np.searchsorted(pb, pa + (window - 1), side="right")
    return float(np.count_nonzero(upto > after)), float(np.count_nonzero(high > low))


def _document_frequencies(state, postings, a, b, gap):
    """How many pieces of the index hold the pair ordered, and unordered (every piece holding
    both words is read once per index version)."""
    key = (id(state.searcher), a, b, gap, ranker.SDM_SLACK, ranker.SDM_WINDOW)
    found = _pair_stats.get(key)
    if found is None:
        ids_a, _ = postings.arrays("text", a)
        ids_b, _ = postings.arrays("text", b)
        both = np.intersect1d(ids_a, ids_b)
        tf_o, tf_u = _counts(postings, a, b, gap, both) if len(both) else (np.zeros(0), np.zeros(0))
        found = _pair_stats[key] = (int(np.count_nonzero(tf_o)), int(np.count_nonzero(tf_u)))
    return found


def cost(collection_name, corpus=None, rounds=3, ordered=0.1, unordered=0.05):
    """Median search time of the tune queries with SDM off and on (interleaved per query, the
    search cache cleared), the SDM step's own median, and the first (uncached) pair statistics'
    time. Run where the environment names the collection's kept work folder (as
    bench/tune_ranking.py sets it): python -c "import django; django.setup(); from bench import
    sdm; sdm.cost('med')"."""
    install()
    from archive.search.service import SearchRequest, clear_search_cache, search_article_ids
    from bench import ir_collections

    collection = ir_collections.load(collection_name, corpus=corpus)
    texts = [
        " ".join(collection.queries[q].split())
        for q, which in collection.split.items()
        if which == "tune" and q in collection.qrels
    ]
    started = time.perf_counter()
    ranker.SDM_ORDERED, ranker.SDM_UNORDERED = ordered, unordered
    for text in texts:  # the first pass fills the pair statistics
        search_article_ids(SearchRequest(q=text), limit=1000)
    first = time.perf_counter() - started
    times = {"off": [], "on": []}
    timings.clear()
    for _ in range(rounds):
        for text in texts:
            for label, weights in (("off", (0.0, 0.0)), ("on", (ordered, unordered))):
                ranker.SDM_ORDERED, ranker.SDM_UNORDERED = weights
                clear_search_cache()
                began = time.perf_counter()
                search_article_ids(SearchRequest(q=text), limit=1000)
                times[label].append(time.perf_counter() - began)
    ms = {label: round(1000 * float(np.median(values)), 1) for label, values in times.items()}
    step = round(1000 * float(np.median(timings)), 2) if timings else None
    print(
        f"{collection_name}: {len(texts)} queries x {rounds}: median search {ms['off']} ms off, "
        f"{ms['on']} ms on; SDM step median {step} ms; first pass (pair statistics read) {first:.1f} s"
    )
