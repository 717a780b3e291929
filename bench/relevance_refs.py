"""The reference systems of bench/relevance.py, built from the same documents in the same run.

- Raw Whoosh 2.7.4 BM25F (K1 1.2, B 0.75, its defaults): one TEXT field holding each document's
  title and text, analysed with Whoosh's own `StemmingAnalyzer` (lower case, English stop words,
  Porter stemming), in memory. Queries through `QueryParser("text", schema, group=OrGroup)`:
  every word optional, no coordination bonus. The query text is reduced to its lower-cased words
  first, so that no character or upper-case AND/OR/NOT is taken as syntax and every query parses.
  Related pieces: Whoosh's more-like-this (`Searcher.more_like`, its defaults: 5 key terms by
  Bo1, top 5, the document itself left out).
- `rank_bm25`'s BM25Okapi (k1 1.5, b 0.75, epsilon 0.25, its defaults) over the same tokens.

Both return doc ids best first, at most `depth`, only documents sharing a word with the query.
"""

import re
import shutil

WORD = re.compile(r"\w+")


def query_words(text):
    """The words of a query, lower-cased: plain words for any query parser."""
    return " ".join(WORD.findall(text.lower()))


def _private_temp_ram_storage():
    import tempfile

    from whoosh.filedb.filestore import FileStorage, RamStorage

    class PrivateTempRamStorage(RamStorage):
        """RamStorage whose writers spill into a folder of its own (removed by `close`): Whoosh
        names it after the index ("/tmp/MAIN.tmp"), so two processes building a reference at once
        removed each other's files (FileNotFoundError in tune_ranking.py's parallel children)."""

        def __init__(self):
            super().__init__()
            self.temp_root = tempfile.mkdtemp(prefix="whoosh-reference-")

        def temp_storage(self, name=None):
            return FileStorage(tempfile.mkdtemp(dir=self.temp_root)).create()

    return PrivateTempRamStorage()


class WhooshReference:
    def __init__(self, docs):
        """`docs`: {doc id: plain text (title and text)}."""
        from whoosh import fields
        from whoosh.analysis import StemmingAnalyzer
        from whoosh.qparser import OrGroup, QueryParser

        self.analyzer = StemmingAnalyzer()
        text = fields.TEXT(analyzer=self.analyzer)
        schema = fields.Schema(id=fields.ID(stored=True, unique=True), text=text)
        self.index = _private_temp_ram_storage().create_index(schema)
        writer = self.index.writer()
        for doc_id, text in docs.items():
            writer.add_document(id=doc_id, text=text)
        writer.commit()
        self.texts = docs
        self.parser = QueryParser("text", schema, group=OrGroup)
        self.searcher = self.index.searcher()  # BM25F, Whoosh's default weighting

    def tokens(self, text):
        return [token.text for token in self.analyzer(text)]

    def search(self, text, *, depth):
        words = query_words(text)
        if not words:
            return []
        results = self.searcher.search(self.parser.parse(words), limit=depth)
        return [hit["id"] for hit in results]

    def related(self, doc_id, *, top=5):
        docnum = self.searcher.document_number(id=doc_id)
        if docnum is None:
            return []
        try:
            hits = self.searcher.more_like(docnum, "text", text=self.texts[doc_id], top=top)
        except ZeroDivisionError:  # Bo1 over a document none of whose words is in the index
            return []
        return [hit["id"] for hit in hits]

    def close(self):
        self.searcher.close()
        shutil.rmtree(self.index.storage.temp_root, ignore_errors=True)


class RankBM25Reference:
    def __init__(self, docs, tokens):
        """`docs`: {doc id: plain text}; `tokens`: the tokenizer (the Whoosh reference's)."""
        from rank_bm25 import BM25Okapi

        self.ids = list(docs)
        self.tokens = tokens
        self.bm25 = BM25Okapi([tokens(docs[d]) for d in self.ids])

    def search(self, text, *, depth):
        import numpy

        words = self.tokens(text)
        if not words:
            return []
        scores = self.bm25.get_scores(words)
        order = numpy.argsort(-scores, kind="stable")[:depth]
        return [self.ids[i] for i in order if scores[i] > 0]
