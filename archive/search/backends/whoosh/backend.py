"""The built-in engine: the archive's own Whoosh index, searched with numpy (see ranker.py)."""

import logging
import math
import re
import time

import numpy as np

from archive.search import schema
from archive.search.analysis import analyze
from archive.search.backends.base import Page, Row, SearchBackend, SearchUnavailable
from archive.search.backends.whoosh import compiler, live, merging, ranker, store
from archive.search.backends.whoosh.compiler import Compiled, Plan, Source
from archive.search.query import Clause
from archive.search.text import html_to_text

log = logging.getLogger("archive.search")

# "Did you mean" is offered when a search finds fewer pieces than this.
SUGGEST_BELOW = 3
MAX_SUGGEST_WORDS = 6
# Related pieces: the key terms of an article's opening (title, abstract, first paragraphs).
RELATED_SCAN_CHARS = 6_000
RELATED_TERMS = 30
MAX_AUTOCOMPLETE_EXPANSIONS = 30
# An index write taking longer than this (seconds) is logged with where its time went.
SLOW_WRITE = 1.0


def _key_terms(state, text, count, fieldname="text"):
    """The `count` words of `text` that best tell it apart from the index, with their weights:
    Whoosh's `key_terms_from_text` (Bo1, normalised), with each word's collection frequency taken
    from the per-segment statistics `state` keeps (Whoosh looks every word up in every segment's
    term table again, each time: a fifth of the serving CPU in the soak)."""
    field = state.searcher.schema[fieldname]
    in_text = {}
    for btext, _freq, weight, _value in field.index(text):
        word = field.from_bytes(btext)
        in_text[word] = in_text.get(word, 0.0) + weight
    size = state.size
    scored, heaviest = [], 0.0
    for word, weight in in_text.items():
        collection = state.frequency(fieldname, word)
        if collection:
            score = _bo1(weight, collection / size)
            heaviest = max(heaviest, score)
            scored.append((score, word))
    if not heaviest:
        return []
    norm = _bo1(heaviest, heaviest / size)
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(word, score / norm) for score, word in scored[:count]]


def _bo1(weight, f):
    """Bose-Einstein (Bo1) weight of a word seen `weight` times, `f` its mean count per document."""
    return weight * math.log2((1.0 + f) / f) + math.log2(1.0 + f)


def date_int(day):
    return day.year * 10000 + day.month * 100 + day.day


def _date(value):
    import datetime

    value = int(value)
    return datetime.date(value // 10000, value // 100 % 100, value % 100)


class WhooshBackend(SearchBackend):
    name = "archive.search.backends.whoosh.WhooshBackend"
    builds_aside = True

    # --- Reading -----------------------------------------------------------------------------

    def _state(self):
        state = live.live()
        if state is None:
            raise SearchUnavailable("The search index is missing.")
        return state

    def doc_count(self):
        state = live.live()
        return None if state is None else state.searcher.doc_count()

    def version(self):
        state = live.live()
        return None if state is None else state.version

    def _memo(self, state):
        """Corrections and close spellings, kept while this index version lives."""
        return state._arrays.setdefault("memo", {})

    def _allowed(self, state, request, today):
        allowed = state.public(date_int(today)).copy()
        for f in schema.FILTERS:
            value = request.filters.get(f.name)
            if value not in (None, ""):
                allowed &= state.column(f).matching(str(value), state.size)
        if request.date_from or request.date_to:
            dates = state.dates
            if request.date_from:
                allowed &= dates >= date_int(request.date_from)
            if request.date_to:
                allowed &= dates <= date_int(request.date_to)
        return allowed

    def _run(self, request, *, today, need):
        state = self._state()
        plan = compiler.compile_query(request.query, state, self._memo(state))
        postings = ranker.Postings(state)
        outcome = ranker.run(
            state,
            plan,
            allowed=self._allowed(state, request, today),
            sort=request.sort,
            need=need,
            postings=postings,
        )
        return state, plan, postings, outcome

    def search(self, request, *, today, start, stop):
        state, plan, postings, outcome = self._run(request, today=today, need=stop)
        page = Page(
            notes=list(plan.notes), corrections=dict(plan.corrections), highlight=frozenset(plan.highlight)
        )
        page.count = outcome.count
        page.count_all = outcome.count_all if plan.ranked else None
        page.facets = ranker.facets(state, outcome.matched)
        if page.count < SUGGEST_BELOW and not plan.corrections and request.query.words:
            page.suggestion = self._suggestion(state, request.q, request.query.words)
        labels = [_label(c.clause, plan.corrections) for c in plan.ranked]
        shown = outcome.order[start:stop]
        named_only = _named_only(plan, postings, shown)
        for docnum in shown:
            stored = state.stored(docnum)
            page.rows.append(
                Row(
                    pk=int(stored["id"]),
                    title=stored.get("title", ""),
                    slug=stored.get("slug", ""),
                    authors=list(stored.get("authors") or ()),
                    author_slugs=list(stored.get("author_slugs") or ()),
                    date=_date(stored["date"]),
                    kind=stored.get("kind", ""),
                    language=stored.get("language", ""),
                    excerpt=stored.get("excerpt"),
                    missing=tuple(
                        label
                        for label, present in zip(labels, outcome.presence, strict=True)
                        if not present[docnum]
                    ),
                    named_only=named_only.get(docnum, True),
                )
            )
        return page

    def article_ids(self, request, *, today, limit):
        state, _plan, _postings, outcome = self._run(request, today=today, need=limit)
        return state.article_ids(outcome.order[:limit])

    def titles_starting(self, words, *, today, limit):
        state = self._state()
        reader = state.searcher.reader()
        expansions = []
        for btext in reader.expand_prefix("title_plain", words[-1]):
            expansions.append((btext.decode("utf-8"), 1.0))
            if len(expansions) >= MAX_AUTOCOMPLETE_EXPANSIONS:
                break
        if not expansions:
            return []
        fields, scored = ("title_plain",), (("title_plain", 1.0),)
        # Every word must be in the title, the last one as a prefix.
        plan = Plan(
            required=[
                Compiled(Clause((), "must"), [Source(fields, [(word, 1.0)], scored)]) for word in words[:-1]
            ]
            + [Compiled(Clause((), "must"), [Source(fields, expansions, scored)])]
        )
        outcome = ranker.run(state, plan, allowed=state.public(date_int(today)), sort="relevance", need=limit)
        return [
            {"title": stored.get("title", ""), "slug": stored.get("slug", "")}
            for stored in (state.stored(docnum) for docnum in outcome.order[:limit])
        ]

    def related_ids(self, article, *, today, limit):
        state = self._state()
        searcher = state.searcher
        own = searcher.document_number(id=str(article.pk))
        if own is None:
            return None
        text = "\n".join(filter(None, (article.title, article.abstract, html_to_text(article.body))))
        keyterms = _key_terms(state, text[:RELATED_SCAN_CHARS], RELATED_TERMS)
        if not keyterms:
            return []
        scored = (("text", 1.0),)
        plan = Plan(
            ranked=[
                Compiled(Clause((), "should"), [Source(("text",), [(term, float(weight))], scored)])
                for term, weight in keyterms
            ]
        )
        allowed = state.public(date_int(today)).copy()
        allowed[own] = False
        postings = ranker.Postings(state)
        matched = np.zeros(state.size, dtype=bool)
        scores = np.zeros(state.size, dtype=np.float32)
        for compiled in plan.ranked:
            matched |= ranker._presence(compiled, postings, state.size, within=None)
            scores += ranker._clause_score(state, compiled, postings, state.size)
        matched &= allowed
        docnums = np.flatnonzero(matched)
        best = ranker._top_stable(scores[docnums].astype(np.float64), docnums, limit)
        return [int(state.stored(docnums[i])["id"]) for i in best]

    def _suggestion(self, state, q, words):
        """The query with unknown words replaced by the closest word of our titles, authors and
        keywords."""
        searcher = state.searcher
        reader = searcher.reader()
        corrector = searcher.corrector("suggest")
        memo = self._memo(state)
        suggestion, changed = q, False
        for word in words[:MAX_SUGGEST_WORDS]:
            stemmed, plain = analyze(word), analyze(word, stem=False)
            if len(plain) != 1 or len(plain[0]) < 3 or reader.doc_frequency("text", stemmed[0]):
                continue
            key = ("suggest", plain[0])
            if key not in memo:
                memo[key] = corrector.suggest(plain[0], limit=1, maxdist=2, prefix=compiler.SHARED_PREFIX)
            found = memo[key]
            if found and found[0] != plain[0]:
                suggestion = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", found[0], suggestion, count=1)
                changed = True
        return suggestion if changed else None

    # --- Writing -----------------------------------------------------------------------------

    def write_lock(self, *, wait=True, timeout=600):
        return store.write_lock(wait=wait, timeout=timeout)

    def update(self, articles, *, delete_ids=()):
        started = time.monotonic()
        documents = list(store.documents(articles))
        built = time.monotonic()
        with store.write_lock(wait=True):
            locked = time.monotonic()
            ix = store.write_documents(documents=documents, delete_ids=delete_ids)
        done = time.monotonic()
        if done - started > SLOW_WRITE:
            log.info(
                "slow index write of %d documents and %d deletions: %.2f s (%.2f s building the "
                "documents, %.2f s waiting for the write lock, %.2f s committing)",
                len(documents),
                len(delete_ids),
                done - started,
                built - started,
                locked - built,
                done - locked,
            )
        merging.start_if_due(ix)

    def rebuild(self, articles, *, progress=None, count=None):
        documents = store.documents(articles)
        with store.write_lock(wait=True, timeout=3600), store.marked_as_rebuilding():
            name = store.build_generation(documents, progress=progress, procs=store.build_procs(count))
            store.swap_generation(name)
        return name

    def merge(self, *, everything=False):
        return merging.run(everything=everything)

    def clear(self):
        with store.write_lock(wait=True):
            store.clear()

    def exists(self):
        return store.current_name() is not None

    def rebuilding(self):
        return store.rebuild_running()

    def create(self):
        with store.write_lock(wait=True):
            store.open_for_writing()

    def stamps(self):
        state = live.live()
        if state is None:
            return {}
        return {
            int(stored["id"]): stored.get("stamp", "") for _, stored in state.searcher.reader().iter_docs()
        }

    def forget(self):
        live.forget()

    def damage(self, *, checksums=False):
        return store.verify(checksums=checksums)

    def write_problems(self):
        return store.write_problems()

    def clear_memo(self):
        state = getattr(live._local, "live", None)
        if state is not None:
            state._arrays.pop("memo", None)

    def warm(self):
        live.warm()


def _label(clause, corrections):
    label = clause.label
    for typed, searched in corrections.items():
        label = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", searched, label)
    return label


def _named_only(plan, postings, docnums):
    """{docnum: whether every main word of the query is in its text no more often than in its
    title, authors and keywords together}: then its subtitle, abstract and body hold none, and
    its snippet is its opening (the body is not read)."""
    found = dict.fromkeys(docnums, True)
    if not docnums:
        return found
    ordered = np.array(sorted(docnums), dtype=np.int64)
    for compiled in (*plan.ranked, *plan.required):
        for source in compiled.sources:
            if source.fields != ("text",):
                continue
            for term, _weight in source.terms:
                in_text = _frequencies(postings, "text", term, ordered)
                named = [
                    _frequencies(postings, name, term, ordered) for name in ("title", "author", "keyword")
                ]
                for docnum, count in in_text.items():
                    if count > sum(part.get(docnum, 0.0) for part in named):
                        found[docnum] = False
    return found


def _frequencies(postings, fieldname, term, docnums):
    """{docnum: frequency of `term` in `fieldname`} for the sorted `docnums` that hold it."""
    found = {}
    ids, freqs = postings.arrays(fieldname, term)
    if len(ids):
        at = np.minimum(np.searchsorted(ids, docnums), len(ids) - 1)
        held = ids[at] == docnums
        found = dict(zip(docnums[held].tolist(), freqs[at[held]].tolist(), strict=True))
    return found
