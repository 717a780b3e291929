"""One analyzer for indexing, querying and highlighting.

Words are found in the original text (so a highlighter knows where each one starts and ends),
then each word is normalised: NFKD with combining marks dropped (accents, Arabic tashkeel,
hamza and madda on alef/waw/yeh), tatweel and zero-width joiners removed, Arabic letter
variants mapped to their Persian forms (Arabic yeh and alef maksura -> Farsi yeh, Arabic kaf
-> keheh, teh marbuta and heh-with-yeh -> heh, alef wasla -> alef), Persian and
Arabic-Indic digits mapped to ASCII, case folded; then English words are stemmed.
"""

import re
import unicodedata
from functools import lru_cache

from whoosh.analysis import Filter, LowercaseFilter, StemFilter, Token, Tokenizer

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


class WordTokenizer(Tokenizer):
    """Words of the original text, with their character offsets and positions."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

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
        pos = start_pos
        for match in WORD_RE.finditer(value):
            t.text = match.group()[:MAX_TOKEN_CHARS]
            t.boost = 1.0
            if keeporiginal:
                t.original = t.text
            t.stopped = False
            if positions:
                t.pos = pos
                pos += 1
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t


class NormaliseFilter(Filter):
    """Persian/Arabic letter variants, marks, joiners and digits (see the module docstring)."""

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
    return WordTokenizer() | NormaliseFilter() | LowercaseFilter() | StemFilter(lang="en", cachesize=50_000)


def plain_analyzer():
    """Words normalised but not stemmed: the suggestion field ("did you mean", autocomplete)."""
    return WordTokenizer() | NormaliseFilter() | LowercaseFilter()


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


_TERMS = {}
_TERMS_MAX = 200_000


def term_of(word):
    """The index term of one word as `WORD_RE` finds it ("" when it normalises to nothing).
    Cached: snippets look up every word of a text, and texts repeat their words."""
    term = _TERMS.get(word)
    if term is None:
        if len(_TERMS) >= _TERMS_MAX:
            _TERMS.clear()
        terms = analyze(word[:MAX_TOKEN_CHARS])
        term = _TERMS[word] = terms[0] if terms else ""
    return term


def matching_spans(text, terms):
    """(startchar, endchar) of each word of `text` whose index term is in `terms`: what the
    highlighter marks, with the analyzer's terms (one cached lookup per word)."""
    get = _TERMS.get
    return [
        match.span()
        for match in WORD_RE.finditer(text or "")
        if (get(match.group()) or term_of(match.group())) in terms
    ]
