"""The text of a PDF as laid out on its pages, read with pypdfium2 (PDFium, the PDF engine of
Chromium): every character with its box, font size, weight and angle, gathered into lines.

A `Line` knows its page, position, font size and boldness, so the PDF reader can tell the title
(the largest text on page one) from the byline, a heading from a paragraph, and running heads,
footers and page numbers (lines in a page's margins that recur) from the text. Within a line, a
wide gap between characters is kept as a tab (names set side by side, columns of a byline), and
superscripts (footnote and affiliation marks) are set apart: `Line.text` leaves them out,
`Line.marked` keeps them between U+E000 and U+E001.

Right-to-left lines (Arabic script) come out in reading order: characters ordered right to left,
runs of left-to-right text (numbers, Latin words) kept as they read.
"""

import ctypes
import itertools
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from archive.ingest.progress import report_progress

SUP_START, SUP_END = "\ue000", "\ue001"  # private-use characters: never in real text
_MARKED = re.compile("\ue000[^\ue001]*\ue001")


def _rtl(ch):
    cp = ord(ch[0])
    return 0x0590 <= cp <= 0x08FF or 0xFB1D <= cp <= 0xFEFC


@dataclass
class Char:
    ch: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool
    base: float = 0.0  # the tight box's bottom (for raised marks)


@dataclass
class Line:
    page: int
    chars: list = field(default_factory=list, repr=False)
    marked: str = ""  # text with superscripts between SUP_START and SUP_END, gaps as tabs
    x0: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0
    top: float = 0.0
    size: float = 0.0
    bold: bool = False
    rtl: bool = False

    @property
    def text(self):
        # A mark between two words ("S2ORC,1 a corpus") leaves the space it stood in.
        text = _MARKED.sub(lambda m: " " if " " in m.group() else "", self.marked)
        return " ".join(text.replace("\t", " ").split())

    @property
    def height(self):
        return self.top - self.bottom


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list
    rotated: list  # text set at an angle (an arXiv stamp in the margin)


def _font_bold(textpage, index, buffer, cache):
    weight = pdfium_c.FPDFText_GetFontWeight(textpage, index)
    if weight >= 600:
        return True
    flags = ctypes.c_int(0)
    length = pdfium_c.FPDFText_GetFontInfo(textpage, index, buffer, len(buffer), ctypes.byref(flags))
    name = bytes(buffer[: max(0, length - 1)])
    if name not in cache:
        cache[name] = bool(re.search(rb"bold|black|heavy|semibold|demi|\.B$|-B$|Medi", name, re.I))
    return cache[name]


def _chars(textpage):
    """(chars, rotated text) of a page: characters in content order, their boxes in points."""
    count = pdfium_c.FPDFText_CountChars(textpage)
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    buffer = (ctypes.c_ubyte * 128)()
    matrix = pdfium_c.FS_MATRIX()
    loose = pdfium_c.FS_RECTF()
    cache = {}
    chars, rotated = [], []
    for i in range(count):
        code = pdfium_c.FPDFText_GetUnicode(textpage, i)
        if code in (0, 0xFFFE, 0xFFFF) or code > 0x10FFFF:
            continue
        ch = "-" if code == 2 else chr(code)  # PDFium writes a line-end hyphen as U+0002
        if ch in "\r\n":
            continue
        if ch.isspace():
            chars.append(None)  # a space: a word boundary
            continue
        pdfium_c.FPDFText_GetCharBox(textpage, i, left, right, bottom, top)
        base = bottom.value
        # The loose box (the font's ascent and descent) gives every letter of a line the same
        # height, so a quote mark or a short letter does not start a line of its own.
        if pdfium_c.FPDFText_GetLooseCharBox(textpage, i, ctypes.byref(loose)):
            bottom.value, top.value = min(loose.bottom, loose.top), max(loose.bottom, loose.top)
        angle = pdfium_c.FPDFText_GetCharAngle(textpage, i)
        # The size as set on the page: the font size times the text matrix's scale.
        size = pdfium_c.FPDFText_GetFontSize(textpage, i)
        if pdfium_c.FPDFText_GetMatrix(textpage, i, ctypes.byref(matrix)):
            scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
            if scale > 0.01:
                size *= scale
        char = Char(ch, left.value, bottom.value, right.value, top.value, size, False, base)
        if 0.05 < angle < 6.23:
            rotated.append(char)
            continue
        char.bold = _font_bold(textpage, i, buffer, cache)
        chars.append(char)
    return chars, rotated


def _overlap(a0, a1, b0, b1):
    return min(a1, b1) - max(a0, b0)


def _group_lines(chars, page_number):
    """Characters gathered into lines: a character starts a new line when it does not share the
    line's height, or (left-to-right text) jumps back left of where the line got to."""
    lines, current, space = [], None, False
    for char in chars:
        if char is None:
            space = True
            continue
        height = max(char.y1 - char.y0, 0.6 * char.size, 0.1)
        if current is not None:
            band = _overlap(char.y0, char.y0 + height, current["bottom"], current["top"])
            last = current["chars"][-1]
            back = not _rtl(char.ch) and not _rtl(last.ch) and char.x0 < last.x0 - 2 * max(char.size, 1)
            far = abs(char.x0 - last.x1) > 40 * max(char.size, 1)
            # A small raised or lowered mark right after the last character stays on its line.
            mark = (
                char.size < 0.85 * current["size"]
                and -1.5 < char.x0 - last.x1 < 2
                and current["bottom"] - 0.5 * current["size"]
                < char.y0
                < current["top"] + 0.3 * current["size"]
            )
            split = band < 0.25 * min(height, current["top"] - current["bottom"] or height) and not mark
            if split or back or far:
                lines.append(current)
                current = None
        if current is None:
            current = {"chars": [], "spaces": set(), "bottom": char.y0, "top": char.y0 + height, "size": 0}
        if space and current["chars"]:
            current["spaces"].add(len(current["chars"]))
        space = False
        current["chars"].append(char)
        if char.size >= current["size"] - 0.1:
            current["size"] = max(current["size"], char.size)
            current["bottom"] = min(current["bottom"], char.y0)
            current["top"] = max(current["top"], char.y0 + height)
    if current is not None:
        lines.append(current)
    lines = [_make_line(raw, page_number) for raw in lines]
    return [line for line in lines if line is not None]


# Spacing accents that TeX sets over a letter as a character of their own.
_ACCENTS = {
    "\u02d8": "\u0306", "\u00b4": "\u0301", "\u00a8": "\u0308", "\u02c6": "\u0302", "\u02dc": "\u0303",
    "`": "\u0300", "\u02c7": "\u030c", "\u00b8": "\u0327", "\u02da": "\u030a", "\u02dd": "\u030b",
    "\u00af": "\u0304", "\u02d9": "\u0307",
}  # fmt: skip


def _place_accents(raw):
    """A spacing accent set over (or under) a letter becomes that letter's combining mark."""
    chars = raw["chars"]
    keep = []
    for index, char in enumerate(chars):
        if char.ch in _ACCENTS:
            centre = (char.x0 + char.x1) / 2
            letters = [c for c in chars if c.ch.isalpha() and c.x0 - 1 <= centre <= c.x1 + 1]
            if letters:
                target = min(letters, key=lambda c: abs((c.x0 + c.x1) / 2 - centre))
                target.ch = unicodedata.normalize("NFC", target.ch + _ACCENTS[char.ch])
                raw["spaces"] = {i - 1 if i > index else i for i in raw["spaces"]}
                continue
        keep.append(char)
    raw["chars"] = keep


_MIRROR = str.maketrans("()[]{}<>", ")(][}{><")


def _make_line(raw, page_number):
    _place_accents(raw)
    chars = raw["chars"]
    if not chars:
        return None
    # Small capitals: upper-case letters set smaller than the capital before them in a word.
    top_size = max(c.size for c in chars)
    for index in range(1, len(chars)):
        char, before = chars[index], chars[index - 1]
        if (
            char.ch.isupper()
            and before.ch.isalpha()
            and char.size < 0.9 * before.size
            and char.size >= 0.6 * top_size
            and abs(char.y0 - before.y0) < 0.15 * top_size
            and index not in raw["spaces"]
        ):
            char.ch = char.ch.lower()
            char.size = before.size
    sizes = Counter(round(c.size, 1) for c in chars)
    size = sizes.most_common(1)[0][0]
    normal = [c for c in chars if c.size >= 0.85 * size] or chars
    baseline = statistics.median(c.base for c in normal)
    rtl = sum(_rtl(c.ch) for c in chars) > sum(c.ch.isalpha() and not _rtl(c.ch) for c in chars)
    order = list(range(len(chars)))
    visual = False
    if rtl:
        # Most writers store right-to-left text in reading order (x falls along the line); some
        # store it as drawn, left to right: then it is put in reading order here.
        letters = [c for c in chars if _rtl(c.ch)]
        steps = [b.x0 - a.x0 for a, b in itertools.pairwise(letters)]
        visual = sum(step > 0 for step in steps) > sum(step < 0 for step in steps)
        if visual:
            order = _rtl_order(chars)
    if rtl and not visual:
        # A two-letter ligature (lam-alef, lam-jim) comes out of some fonts as drawn: both
        # letters share one box, in the wrong order.
        for k in range(len(order) - 1):
            a, b = chars[order[k]], chars[order[k + 1]]
            if _rtl(a.ch) and _rtl(b.ch) and abs(a.x0 - b.x0) < 0.3 and abs(a.x1 - b.x1) < 0.3:
                order[k], order[k + 1] = order[k + 1], order[k]
    cells, out, in_sup, previous = [], [], False, None
    for position in order:
        char = chars[position]
        sup = char.size < 0.85 * size and char.base > baseline + 0.2 * size
        if previous is not None:
            gap = abs(previous.x0 - char.x1) if rtl else (char.x0 - previous.x1)
            if gap > (1.5 if rtl else 1.0) * max(size, 4) and not (sup or in_sup):
                if in_sup:
                    out.append(SUP_END)
                    in_sup = False
                cells.append(out)
                out = []
            elif (position + 1 if visual else position) in raw["spaces"] or (not rtl and gap > 0.3 * size):
                out.append(" ")
        if sup and not in_sup:
            out.append(SUP_START)
        elif in_sup and not sup:
            out.append(SUP_END)
        in_sup = sup
        out.append((char.ch, char.x0, char.x1))
        previous = char
    if in_sup:
        out.append(SUP_END)
    cells.append(out)
    if rtl:
        # Cells set apart on a right-to-left line read from the right.
        cells.sort(key=lambda cell: -max((p[2] for p in cell if isinstance(p, tuple)), default=0))
    texts = ["".join(p[0] if isinstance(p, tuple) else p for p in cell) for cell in cells]
    marked = "\t".join(" ".join(t.split(" ")).strip() for t in texts if t.strip())
    marked = re.sub(r" +", " ", marked).strip()
    if rtl and not visual:
        marked = marked.translate(_MIRROR)  # brackets are stored as drawn
    return Line(
        page=page_number,
        chars=chars,
        marked=marked,
        x0=min(c.x0 for c in chars),
        x1=max(c.x1 for c in chars),
        bottom=raw["bottom"],
        top=raw["top"],
        size=size,
        bold=sum(c.bold for c in normal) > 0.6 * len(normal),
        rtl=rtl,
    )


def _rtl_order(chars):
    """Reading order of a right-to-left line: right to left, with runs of left-to-right
    characters (digits, Latin words) read left to right."""
    by_x = sorted(range(len(chars)), key=lambda i: -(chars[i].x0 + chars[i].x1))
    out, run = [], []
    for index in by_x:
        ch = chars[index].ch
        if (ch.isalnum() and not _rtl(ch)) or (run and ch in ".,:/-%" and not _rtl(ch)):
            run.append(index)
            continue
        if run:
            out.extend(reversed(run))
            run = []
        out.append(index)
    out.extend(reversed(run))
    return out


def read_pages(data, *, max_pages=None):
    """The pages of a PDF (bytes) as lines; PdfiumError when PDFium cannot open it."""
    document = pdfium.PdfDocument(data)
    try:
        pages = []
        count = len(document) if max_pages is None else min(len(document), max_pages)
        for index in range(count):
            page = document[index]
            width, height = page.get_size()
            textpage = page.get_textpage()
            try:
                chars, rotated = _chars(textpage.raw)
            finally:
                textpage.close()
                page.close()
            lines = _group_lines(chars, index + 1)
            stamp = "".join(c.ch for c in rotated)
            pages.append(Page(index + 1, width, height, lines, [stamp] if stamp else []))
            report_progress(index + 1, count, "text")
        return pages
    finally:
        document.close()


def metadata(data):
    """The document information dictionary (Title, Author, Keywords, CreationDate ...)."""
    document = pdfium.PdfDocument(data)
    try:
        return document.get_metadata_dict(skip_empty=True)
    finally:
        document.close()
