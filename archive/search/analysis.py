"""One analyzer for indexing, querying and highlighting.

Words are found in the original text (so a highlighter knows where each one starts and ends),
then each word is normalised: NFKD with combining marks dropped (accents, Arabic tashkeel,
hamza and madda on alef/waw/yeh), tatweel and zero-width joiners removed, Arabic letter
variants mapped to their Persian forms (Arabic yeh and alef maksura -> Farsi yeh, Arabic kaf
-> keheh, teh marbuta and heh-with-yeh -> heh, alef wasla -> alef), Persian and
Arabic-Indic digits mapped to ASCII, case folded; then English words are stemmed.
"""

import contextlib
import re
import unicodedata
from functools import lru_cache

from whoosh.analysis import Filter, Token, Tokenizer

# Inside a word: letters and digits, combining marks, tatweel, ZWNJ/ZWJ and direction marks.
WORD_RE = re.compile(
    r"(?:[^\W_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c-\u200f])+"
)

# Longest word kept; longer runs are cut (a 10,000-character "word" is noise, not a term).
MAX_TOKEN_CHARS = 64

_CHAR_MAP = str.maketrans(
    {
        "\u064a": "\u06cc",  # ARABIC YEH -> FARSI YEH
        "\u0649": "\u06cc",  # ALEF MAKSURA -> FARSI YEH
        "\u0643": "\u06a9",  # ARABIC KAF -> KEHEH
        "\u0629": "\u0647",  # TEH MARBUTA -> HEH
        "\u06c0": "\u0647",  # HEH WITH YEH ABOVE -> HEH
        "\u0671": "\u0627",  # ALEF WASLA -> ALEF
        "\u0640": None,  # TATWEEL
        "\u200c": None,  # ZERO WIDTH NON-JOINER
        "\u200d": None,  # ZERO WIDTH JOINER
        "\u200e": None,  # LEFT-TO-RIGHT MARK
        "\u200f": None,  # RIGHT-TO-LEFT MARK
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian digits
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
    }
)


@lru_cache(maxsize=50_000)
def normalise_word(word):
    """The normalised, unstemmed form of one word."""
    word = unicodedata.normalize("NFKD", word)
    word = "".join(ch for ch in word if not unicodedata.combining(ch))
    return word.translate(_CHAR_MAP).casefold()


def normalise_text(text):
    """Every word of `text` normalised, joined by spaces (for suggestions and comparisons)."""
    return " ".join(filter(None, (normalise_word(m.group()) for m in WORD_RE.finditer(text or ""))))


_STEM = None
# Words each per-process cache below holds before it starts afresh. A word costs about 700 bytes
# across them, and a serving process meets new words all day (names, typos, a growing archive):
# at 500,000 words, gunicorn workers grew past 300 MB (issue 19.5). 50,000 words hold the words
# that recur; a bulk build, which meets the whole vocabulary at once, may hold more (`building()`).
WORD_CACHE_MAX = 50_000
BUILD_WORD_CACHE_MAX = 500_000
# raw word as WORD_RE finds it -> (stemmed term, plain term); "" when it normalises to nothing.
# Texts repeat their words, so most words of a document are one dict lookup.
_WORD_TERMS = {}
# The same, one dict per form (term_positions, where a tuple lookup per word shows).
_STEMMED = {}
_PLAIN_TERMS = {}


def _stemmer():
    global _STEM
    if _STEM is None:
        from whoosh.lang import stemmer_for_language

        _STEM = stemmer_for_language("en")
    return _STEM


def word_terms(word):
    """(stemmed, unstemmed) index terms of one word as WORD_RE finds it."""
    terms = _WORD_TERMS.get(word)
    if terms is None:
        plain = normalise_word(word[:MAX_TOKEN_CHARS]).lower()
        terms = (_stemmer()(plain) if plain else "", plain)
        if len(_WORD_TERMS) >= WORD_CACHE_MAX:
            _forget_word_terms()
        _WORD_TERMS[word] = terms
        _STEMMED[word], _PLAIN_TERMS[word] = terms
    return terms


def _forget_word_terms():
    _WORD_TERMS.clear()
    _STEMMED.clear()
    _PLAIN_TERMS.clear()


@contextlib.contextmanager
def building():
    """A bulk build's word cache: up to BUILD_WORD_CACHE_MAX words while it lasts, then back to
    WORD_CACHE_MAX (emptied if it holds more), so a process that served a rebuild stays small."""
    global WORD_CACHE_MAX
    serving = WORD_CACHE_MAX
    WORD_CACHE_MAX = max(serving, BUILD_WORD_CACHE_MAX)
    try:
        yield
    finally:
        WORD_CACHE_MAX = serving
        if len(_WORD_TERMS) > serving:
            _forget_word_terms()


class ArchiveTokenizer(Tokenizer):
    """The whole analysis in one pass: words of the original text (with their character offsets
    and positions), each normalised (see the module docstring), lower-cased and, with `stem`,
    English-stemmed. Words that normalise to nothing are dropped but keep their position.

    One tokenizer rather than a chain of filters: a chain runs a Python generator per filter per
    word, and indexing spends most of its time here.
    """

    def __init__(self, stem=True):
        self.stem = stem

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.stem == self.stem

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        which = 0 if self.stem else 1
        get = _WORD_TERMS.get
        pos = start_pos - 1
        for match in WORD_RE.finditer(value):
            pos += 1
            word = match.group()
            terms = get(word) or word_terms(word)
            text = terms[which]
            if not text:
                continue
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = word[:MAX_TOKEN_CHARS]
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t


# The analyzer chain of earlier versions, kept so that an index whose stored schema names it still
# opens with plain Whoosh (the archive itself always opens its index with `build_schema()`).
class WordTokenizer(ArchiveTokenizer):
    stem = False

    def __init__(self):
        super().__init__(stem=False)


class NormaliseFilter(Filter):
    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        for t in tokens:
            text = normalise_word(t.text)
            if text:
                t.text = text
                yield t


def text_analyzer():
    """Words, normalised, lower-cased, English-stemmed: the `text`, `title`, `author`, `keyword` fields."""
    return ArchiveTokenizer(stem=True)


def plain_analyzer():
    """Words normalised but not stemmed: the suggestion field ("did you mean", autocomplete)."""
    return ArchiveTokenizer(stem=False)


_ANALYZER = None
_PLAIN = None


def analyze(text, *, stem=True):
    """The terms of `text`, as the index stores them."""
    global _ANALYZER, _PLAIN
    if _ANALYZER is None:
        _ANALYZER, _PLAIN = text_analyzer(), plain_analyzer()
    analyzer = _ANALYZER if stem else _PLAIN
    return [t.text for t in analyzer(text or "")]


def analyze_with_offsets(text):
    """(term, startchar, endchar) for each word of `text`: what the highlighter marks."""
    global _ANALYZER, _PLAIN
    if _ANALYZER is None:
        _ANALYZER, _PLAIN = text_analyzer(), plain_analyzer()
    return [(t.text, t.startchar, t.endchar) for t in _ANALYZER(text or "", chars=True)]


def term_of(word):
    """The index term of one word as `WORD_RE` finds it ("" when it normalises to nothing).
    Cached: snippets look up every word of a text, and texts repeat their words."""
    return (_WORD_TERMS.get(word) or word_terms(word))[0]


# A character that continues a word (what WORD_RE runs are made of).
_WORD_CHAR = r"[^\W_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c-\u200f]"


_WORD_CHAR_RE = re.compile(_WORD_CHAR)


@lru_cache(maxsize=512)
def _words_pattern(words):
    """A regex finding occurrences of `words` (a sorted tuple) that end a word; `_whole_words`
    keeps those that also start one. (A leading look-behind would stop the regex engine from
    skipping ahead to the words' first letters: several times slower.)"""
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?:{alternatives})(?!{_WORD_CHAR})")


def _whole_words(pattern, text):
    """Spans of `pattern`'s matches not preceded by a word character: each is exactly one WORD_RE
    word. (A match starting inside a word hides no other: every character it covers continues
    that word.)"""
    continues = _WORD_CHAR_RE.match
    return [
        match.span()
        for match in pattern.finditer(text)
        if not (match.start() and continues(text, match.start() - 1))
    ]


# The highlighter's reverse lookup: index term -> the words of texts already highlighted that have
# it as their term; the words met so far; and (hashes of) the texts whose words have all been met.
# A snippet then finds its matching words with one regex over the known words of the query's
# terms, instead of looking each word of the excerpt up in Python; a text is split into words
# only the first time it is seen. Per process, like the word cache above, and capped like it
# (WORD_CACHE_MAX words, as many texts).
_SURFACES = {}
_SEEN = set()
_SEEN_TEXTS = set()


def _learn_words(text):
    words = set(WORD_RE.findall(text))
    new = words - _SEEN
    if new:
        if len(_SEEN) + len(new) > WORD_CACHE_MAX:
            _SEEN.clear()
            _SEEN_TEXTS.clear()
            _SURFACES.clear()
            new = words
        get = _WORD_TERMS.get
        for word in new:
            term = (get(word) or word_terms(word))[0]
            surfaces = _SURFACES.get(term)
            if surfaces is None:
                surfaces = _SURFACES[term] = set()
            surfaces.add(word)
        _SEEN.update(new)
    if len(_SEEN_TEXTS) >= WORD_CACHE_MAX:
        _SEEN_TEXTS.clear()  # its texts are read again when next met; their words stay known
    _SEEN_TEXTS.add(hash(text))


def matching_spans(text, terms):
    """(startchar, endchar) of each word of `text` whose index term is in `terms`: what the
    highlighter marks, with the analyzer's terms. Every word of `text` is known once the text has
    been seen (see `_SURFACES`), so one regex over the words known to have one of `terms` as their
    term finds them (the same few words recur from hit to hit, so the compiled patterns are
    reused)."""
    if not text or not terms:
        return []
    if hash(text) not in _SEEN_TEXTS:
        _learn_words(text)
    surfaces = set()
    for term in terms:
        known = _SURFACES.get(term)
        if known:
            surfaces |= known
    if not surfaces:
        return []
    return _whole_words(_words_pattern(tuple(sorted(surfaces))), text)


def term_positions(text, *, stem=True):
    """{term: position, or a list of positions when it recurs} of `text` as the analyzer indexes
    it (positions count every word, also those that normalise to nothing): the index builder's
    one pass per field. Most terms occur once, so they cost no list."""
    terms = _STEMMED if stem else _PLAIN_TERMS
    found = {}
    pos = -1
    for word in WORD_RE.findall(text):
        pos += 1
        term = terms.get(word)
        if term is None:
            term = word_terms(word)[0 if stem else 1]
        if term:
            seen = found.get(term)
            if seen is None:
                found[term] = pos
            elif seen.__class__ is int:
                found[term] = [seen, pos]
            else:
                seen.append(pos)
    return found
