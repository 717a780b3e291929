"""The built-in search engine, and the one room of the code that knows Whoosh.

- `store.py`: the index on disk (schema, generations swapped on rebuild, the write lock).
- `bulk.py`, `segments.py`: what reads or writes Whoosh's private structures (the bulk segment
  writer for rebuilds; posting blocks, field lengths and columns read into numpy arrays), pinned to
  Whoosh 2.7.4 by tests/search/whoosh/.
- `live.py`: the searcher each thread holds, and the per-document arrays searches read.
- `compiler.py`: a parsed query against the index's words (corrections, close spellings, prefixes).
- `ranker.py`: matching and ranking.
- `backend.py`: `WhooshBackend`, the engine interface (`archive.search.backends.base`).
"""

from archive.search.backends.whoosh.backend import WhooshBackend

__all__ = ["WhooshBackend"]
