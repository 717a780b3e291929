"""Repairs for text that extraction broke: shared by every format.

- `normalise_text`: one newline convention, no-break and zero-width oddities, ligatures.
- `join_lines`: hard-wrapped lines joined into one paragraph, hyphenated line breaks rejoined.
- `split_wrapped`: a hard-wrapped block cut into paragraphs where a short line ends a sentence.
- `drop_page_furniture`: running headers, footers and page numbers repeated across pages.
- `detect_language`: the language, from the script of the letters and py3langid's classifier.
"""

import re
import statistics
import unicodedata
from collections import Counter

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_SOFT = re.compile("[\u00ad\ufeff\u200b]")
# What XML 1.0 forbids, but the form feed (a page break, kept as a marker) and the vertical tab (a
# line break): removed before the text is read, so a byline with a stray control byte is a byline.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def normalise_text(text):
    """Newlines as \\n, spaces as spaces, ligatures and presentation forms as letters."""
    text = _XML_FORBIDDEN.sub("", text).replace("\v", "\n")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\f\n")
    text = unicodedata.normalize("NFKC", text)
    text = _SOFT.sub("", text)
    lines = [_SPACES.sub(" ", line).strip(" \t\v") for line in text.split("\n")]  # keeps \f lines
    return "\n".join(lines)


def blocks_of_lines(text):
    """Blank-line separated blocks, each a list of its non-empty lines."""
    blocks, current = [], []
    for line in text.split("\n"):
        if line.strip() and line != "\f":
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


_HYPHEN_END = re.compile(r"(\w)[-\u2010\u2011]$")


def join_lines(lines):
    """Hard-wrapped lines as one line. A hyphen at a line end joins the word when the next line
    goes on in lower case ("cooper-" + "ation"); before a capital it is a real hyphen ("Iraqi-" +
    "Russian") and stays, without a space."""
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if not out:
            out = line
        elif _HYPHEN_END.search(out[-2:]):  # the end only: searching all of `out` is quadratic
            out = out[:-1] + line if line[0].islower() else out + line
        else:
            out = f"{out} {line}"
    return out


_SENTENCE_END = re.compile(r"[.!?:;\"'\u201d\u2019)]$")


def split_wrapped(lines):
    """Paragraphs of a hard-wrapped block: a line that ends a sentence well short of the usual
    line width closes its paragraph."""
    if len(lines) < 4:
        return [join_lines(lines)]
    width = statistics.median(len(line) for line in lines)
    paragraphs, current = [], []
    for i, line in enumerate(lines):
        current.append(line)
        last = i == len(lines) - 1
        if not last and _SENTENCE_END.search(line) and len(line) < 0.7 * width:
            paragraphs.append(join_lines(current))
            current = []
    if current:
        paragraphs.append(join_lines(current))
    return paragraphs


_PAGE_NUMBER = re.compile(r"^(page\s*)?[-\u2013(\[]?\s*\d{1,4}\s*[-\u2013)\]]?(\s*(of|/)\s*\d{1,4})?$", re.I)


def _furniture_key(line):
    return re.sub(r"\d+", "#", line.strip().casefold())


def drop_page_furniture(pages):
    """Lines of each page without running headers/footers and page numbers (blank lines kept).

    A line counts as furniture when it sits among the first or last two non-blank lines of its
    page and is a bare page number, or the same line (digits ignored) is there on every page of a
    short document (under 6 pages) or on half the pages (3 or more) of a longer one."""
    edges = []
    for page in pages:
        filled = [i for i, line in enumerate(page) if line.strip()]
        edges.append(set(filled[:2] + filled[-2:]))
    repeated = set()
    if len(pages) >= 2:
        counts = Counter()
        for page, edge in zip(pages, edges, strict=True):
            counts.update({_furniture_key(page[i]) for i in edge})
        needed = len(pages) if len(pages) < 6 else max(3, len(pages) / 2)
        repeated = {key for key, n in counts.items() if n >= needed}
    kept, dropped = [], 0
    for page, edge in zip(pages, edges, strict=True):
        lines = []
        for i, line in enumerate(page):
            if i in edge and (_PAGE_NUMBER.match(line.strip()) or _furniture_key(line) in repeated):
                dropped += 1
                continue
            lines.append(line)
        kept.append(lines)
    return kept, dropped


# --- Scripts and language ---------------------------------------------------------------------

_PERSIAN_ONLY = set("پچژگکی")  # letters Persian uses and Arabic does not (ک/ی vs ك/ي)
_ARABIC_ONLY = set("ةكيى")


def script_of(text):
    """'arabic', 'latin', 'cyrillic' or '' for the letters that dominate `text`."""
    counts = Counter()
    for ch in text:
        if not ch.isalpha():
            continue
        cp = ord(ch)
        if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0xFB50 <= cp <= 0xFEFF:
            counts["arabic"] += 1
        elif cp < 0x0250:
            counts["latin"] += 1
        elif 0x0400 <= cp <= 0x04FF:
            counts["cyrillic"] += 1
        else:
            counts["other"] += 1
    return counts.most_common(1)[0][0] if counts else ""


# The languages an article may have (archive.articles.models.Article.Language).
LANGUAGES = ("en", "fa", "ar", "fr", "de", "es", "ru", "tr", "ur")
_IDENTIFIER = None


def _identifier():
    """py3langid's model (shipped inside the package: nothing is downloaded) over all its 97
    languages, so an Italian page is not called Spanish. Loading it takes about a second, so it
    is loaded once, when needed."""
    global _IDENTIFIER
    if _IDENTIFIER is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _IDENTIFIER


def detect_language(text, default="en"):
    """ISO 639-1 code of `text`: Persian and Arabic told apart by their own letters (Urdu by its
    own), Cyrillic as Russian, Latin-script text by py3langid's classifier."""
    text = text or ""
    script = script_of(text[:20000])
    if script == "arabic":
        sample = text[:20000]
        if sum(ch in "ٹڈڑںھےۓ" for ch in sample) > 5:
            return "ur"
        persian = sum(ch in _PERSIAN_ONLY for ch in sample)
        arabic = sum(ch in _ARABIC_ONLY for ch in sample)
        return "fa" if persian >= arabic else "ar"
    if script == "cyrillic":
        return "ru"
    if script != "latin":
        return default
    sample = " ".join(text.split())[:5000]
    if len(sample) < 20:
        return default
    language, _ = _identifier().classify(sample)
    return language if language in LANGUAGES else default  # a language the archive has no name for
