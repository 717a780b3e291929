"""PDF: the text layer as laid out on the pages (archive.ingest.pdf_layout, PDFium through
pypdfium2), read the way an editor reads page one.

- The title is the largest text on page one (a kicker such as "Research Article" left out); the
  document's /Title property is the fallback, unless it is junk.
- The byline is the lines under the title: names are split on commas, "and", superscript marks
  and the gaps between names set side by side. Affiliations are the lines under the byline,
  matched to the authors by their marks (or one for all).
- Abstract and keywords follow their labels; an unlabelled structured abstract ("Objectives.",
  "Background:") counts as one.
- The date is a "Published" line, an arXiv stamp, or a date on page one (a proceedings footer);
  received, revised and accepted dates are not publication dates.
- The body starts after the front matter. Running heads and footers (lines at a page's edges
  that recur), page numbers, small print in the margins, footnote marks and text set at an angle
  are left out; larger or bold short lines become headings; lines become paragraphs where the
  spacing, the indent or a short last line says so.

pypdf still opens the file first: it caps what each stream may decompress to
(`pypdf.Configuration`) and tells an encrypted or damaged file apart with a clear message.
Extraction runs in the sandbox subprocess (archive.ingest.sandbox).

A PDF with no text layer (a scan) goes to `_no_text_layer`, which reads it by OCR
(archive.ingest.ocr).
"""

import html
import io
import itertools
import re
import statistics
from collections import Counter

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PyPdfError

from archive.ingest import ocr
from archive.ingest.dates import find_date, parse_date
from archive.ingest.draft import Draft, DraftAuthor, ExtractionError
from archive.ingest.frontmatter import (
    ABSTRACT_LABEL,
    AFFILIATION_WORDS,
    KEYWORDS_LABEL,
    KICKER,
    MARK_CHARS,
    NOT_AFFILIATION,
    PUBLISHED,
    RECEIVED,
    STRUCTURED_ABSTRACT,
    Joined,
    affiliations_of,
    assign_affiliations,
    byline_of,
    continues_name,
    ends_unfinished,
    keyword_list,
    take_labelled,
)
from archive.ingest.metadata import Block, byline_names, finish, read_blocks, split_keywords
from archive.ingest.pdf_layout import SUP_START, read_pages
from archive.ingest.pdf_layout import metadata as pdf_metadata
from archive.ingest.repair import (
    blocks_of_lines,
    detect_language,
    drop_page_furniture,
    join_lines,
    normalise_text,
)

MAX_PAGES = 2000
_JUNK_TITLE = re.compile(
    r"^(microsoft word|untitled|document\d*|doi:?|pending|\S+\.(docx?|pdf|odt|rtf|tex|dvi|ps|indd|qxd|wpd)$|"
    r"[\w.\-]*\d[\w.\- ]*$|.*(\.\.\.|\u2026)$)",
    re.I,
)


def _reader(data, filename):
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise FileNotDecryptedError("password")
            except (FileNotDecryptedError, DependencyError, NotImplementedError) as error:
                raise ExtractionError(
                    f"{filename} is encrypted (password-protected): save an unprotected copy and upload that."
                ) from error
        for page in reader.pages:
            # Each page's content decompressed once under pypdf's caps, before PDFium (which has
            # none of its own) reads it: a stream that inflates to gigabytes stops here.
            contents = page.get_contents()
            if contents is not None:
                contents.get_data()
        return reader, len(reader.pages)
    except LimitReachedError as error:
        raise ExtractionError(
            f"{filename} expands beyond the allowed size when decompressed (a decompression bomb?)."
        ) from error
    except ExtractionError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        raise ExtractionError(f"{filename} is a damaged PDF that cannot be read ({error}).") from error


def _no_text_layer(data, *, filename, page_count):
    """A PDF without a text layer (a scan): every page read by OCR (archive.ingest.ocr), then the
    rules for plain text lines."""
    scan = ocr.read_scanned_pdf(data, filename=filename, page_count=page_count)
    draft = Draft(page_count=page_count, text_from_ocr=True, ocr_languages=scan.languages)
    draft.warn(f"The text was read by OCR ({', '.join(scan.languages)}): check it against the original.")
    draft = draft_from_text_pages(scan.pages, draft, title_lines=scan.title_lines)
    draft.language = scan.language or draft.language
    if not (draft.body or draft.body_html or draft.abstract):
        raise ExtractionError(f"{filename} has no text: not in a text layer, and none that OCR could read.")
    return draft


def draft_from_text_pages(pages, draft=None, *, title_lines=()):
    """A draft from pages of plain text lines (OCR output, which has no fonts): running heads and
    page numbers dropped, then the general rules of archive.ingest.metadata. `title_lines`, the
    lines OCR saw set large at the top of page one, are the title (however many lines it takes)."""
    draft = draft or Draft()
    pages = [[normalise_text(line) for line in page] for page in pages]
    title = [normalise_text(line) for line in title_lines]
    if title and pages and [line for line in pages[0] if line][: len(title)] == title:
        first = pages[0]
        start = next(i for i, line in enumerate(first) if line)
        pages[0] = first[start + len(title) :]
    else:
        title = []
    pages, dropped = drop_page_furniture(pages)
    if dropped:
        draft.warn(f"Dropped {dropped} lines of page furniture (running headers, footers, page numbers).")
    text = "\n".join("\n".join(page) for page in pages)
    paragraphs = blocks_of_lines(text)
    if not title and paragraphs and _title_paragraph(paragraphs[0]):
        # OCR saw no larger lines (a page set in one size): a short first paragraph that reads as
        # a title is the title, all its lines; where it is the only text it stays the body too.
        title = paragraphs[0]
        paragraphs = paragraphs[1:] or paragraphs
    blocks = [Block(lines=lines, wrapped=True) for lines in paragraphs]
    if title:
        blocks.insert(0, Block(lines=title, tag="title"))
    return read_blocks(blocks, draft)


def _title_paragraph(lines):
    """Two or three lines that read as one title: no sentence ends in them, a capital first, and no
    byline among them ("By Sara Karimi")."""
    text = join_lines(lines)
    bylines = [line for line in lines[1:] if re.match(r"^(by|von|par)\s", line, re.I) or byline_names(line)]
    return (
        not bylines
        and 2 <= len(lines) <= 3
        and len(text) <= 200
        and len(text.split()) <= 30
        and text[:1].isupper()
        and not re.search(r"[.;:!?]$|[.!?]\s", text)
    )


# --- labels -------------------------------------------------------------------------------------

_ARXIV = re.compile(r"arXiv:\s*\S+\s*\[[^\]]+\]\s*(?P<date>\d{1,2}\s*[A-Za-z]{3}\s*\d{4})")
_HEADING_NUMBER = re.compile(r"^(\d{1,2}(\.\d{1,2})*\.?|[IVX]{1,5}\.|[A-Z]\.)\s+\S")
_PAGE_NUMBER = re.compile(
    r"^(page\s*)?[-\u2013(\[]?\s*\d{1,4}\s*[-\u2013)\]]?(\s*(of|/|من|از)\s*\d{1,4})?$", re.I
)


def _plain(text):
    return " ".join(re.sub(r"[^\w\s]", " ", text).casefold().split())


def _key(text):
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text.casefold()))


# --- furniture -----------------------------------------------------------------------------------


def _body_size(pages):
    """The size most of the text is set in: counted over the first half of the pages, where the
    text is (references and appendices at the end are often set smaller)."""
    counts = Counter()
    for page in pages[: max(2, (len(pages) + 1) // 2)]:
        for line in page.lines:
            counts[round(line.size * 2) / 2] += len(line.text)
    return counts.most_common(1)[0][0] if counts else 10.0


# A footnote with the corresponding author's address, set without a mark ("Email address: …").
_CONTACT_NOTE = re.compile(r"^(e-?mail( address(es)?)?|corresponding author|correspondence)\s*:", re.I)


def _furniture(pages, body_size):
    """ids of the lines that are page furniture: running heads and footers (the same line, digits
    aside, at the top or bottom of many pages), page numbers at a page's edge, and small print
    above or below a page's text."""
    edges = {}
    counts = Counter()
    for page in pages:
        ordered = sorted(page.lines, key=lambda line: -line.top)
        edge = ordered[:3] + ordered[-3:]
        edges[page.number] = edge
        counts.update({_key(line.text) for line in edge if line.text})
    needed = 2 if len(pages) <= 3 else max(2, round(0.25 * len(pages)))
    furniture, repeated = set(), set()
    for page in pages:
        body_lines = [line for line in page.lines if abs(line.size - body_size) < 0.8 and len(line.text) > 30]
        top = max((line.top for line in body_lines), default=None)
        bottom = min((line.bottom for line in body_lines), default=None)
        left = min((line.x0 for line in body_lines), default=None)
        right = max((line.x1 for line in body_lines), default=None)
        if page.number == 1 and page.lines:
            # On page one the front matter sits between the title and the text: only what is
            # above the title counts as the page's head.
            title = max(page.lines, key=lambda line: (line.size, line.top))
            top = max(top or 0, title.top)
        for line in edges[page.number]:
            if _PAGE_NUMBER.match(line.text) or (counts[_key(line.text)] >= needed and len(pages) > 1):
                furniture.add(id(line))
                repeated.add(id(line))
        on_page = Counter(line.text for line in page.lines)
        for line in page.lines:
            small = line.size < body_size - 0.6
            margin = (left is not None and line.x1 < left - 2) or (right is not None and line.x0 > right + 2)
            outside = (
                (top is not None and line.bottom > top + 1)
                or (bottom is not None and line.top < bottom - 1)
                or margin
            )
            # Small print outside the text, and a line repeated in the margin whatever its size
            # (the text behind a column of check boxes or logos: "a1111111111" five times).
            if (small and outside) or (margin and on_page[line.text] >= 2):
                furniture.add(id(line))
        # Footnotes: small print low on the page that starts with a mark, and its lines after it.
        in_note = False
        for line in page.lines:
            small = line.size < body_size - 0.6
            low = line.top < 0.35 * page.height
            starts = (
                line.marked.startswith(SUP_START)
                or re.match(r"^[\d*\u2217\u2020\u2021]\s?\S", line.text)
                or _CONTACT_NOTE.match(line.text)
            )
            if small and low and (starts or in_note):
                furniture.add(id(line))
                in_note = True
            else:
                in_note = False
            if not line.text.strip(". \u2026_-"):
                furniture.add(id(line))
                repeated.add(id(line))
    return furniture, repeated


# --- names and affiliations ----------------------------------------------------------------------


# --- page one ------------------------------------------------------------------------------------


def _title_lines(lines, body_size):
    """The run of page one's largest lines (a kicker such as "Research Article" left out)."""
    candidates = [
        line
        for line in lines
        if sum(ch.isalpha() for ch in line.text) >= 3
        and not KICKER.match(line.text.strip())
        and not re.match(r"^[\-\u2013]?\d+([.\-\u2013]\d+)*[.\-\u2013]?\s", line.text)
    ]
    if not candidates:
        return []
    size = max(line.size for line in candidates)
    if size < body_size + 1.0:
        return []
    start = next(i for i, line in enumerate(lines) if line in candidates and abs(line.size - size) < 0.6)
    run = [lines[start]]
    for line in lines[start + 1 :]:
        if abs(line.size - size) < 0.6 and run[-1].bottom - line.top < 2.2 * size:
            run.append(line)
        else:
            break
    # A bold line right under it, larger than the notes around it, continues the title
    # ("Law No. 8 of 2022" / "on the hotel and tourist establishments").
    following = lines[start + len(run)] if start + len(run) < len(lines) else None
    if (
        following is not None
        and following.bold
        and following.size >= 0.65 * size
        and run[-1].bottom - following.top < 2.5 * size
        and not byline_of(following)
        and not _stop_line(following, body_size)
        and not following.text.endswith(".")
    ):
        run.append(following)
    return run


_PERMISSION = re.compile(
    r"^(this (work|article|paper) is licensed under|permission to make digital or hard copies|"
    r"publication rights licensed to)",
    re.I,
)


def _permission_box(lines):
    """The ids of page one's permission box: a licence or permission statement at the foot of a
    column (as ACM sets it) and the lines under it in the same column and print."""
    start = next((line for line in lines if _PERMISSION.match(line.text)), None)
    if start is None:
        return set()
    box, above = {id(start)}, start
    column = [line for line in lines if abs(line.x0 - start.x0) <= 6 and line.top <= start.top]
    for below in sorted(column, key=lambda line: -line.top):
        if below is start or below.top > above.top:
            continue
        if below.size > start.size + 0.5 or not -1 <= above.bottom - below.top < 2 * start.size:
            break
        box.add(id(below))
        above = below
        if len(box) > 12:
            break
    return box


_LIST_GOES_ON = (",", ";", "\u00b7", "\u2022")


def _page_one_keywords(lines):
    """The keyword line of page one that the text's paragraphs lost (set in a margin column, or
    below the abstract at another size, as PeerJ does): its words, and the lines under it that
    carry the list on (each after a separator, at the same indent and size)."""
    for at, line in enumerate(lines):
        match = KEYWORDS_LABEL.match(line.text)
        if not match:
            continue
        words = [(match["rest"] or match["bare"] or "").strip()]
        above = line
        for below in lines[at + 1 : at + 6]:
            close = 0 < above.bottom - below.bottom < 2 * max(line.size, 1) and abs(below.x0 - line.x0) < 4
            if not close or abs(below.size - line.size) > 1 or KEYWORDS_LABEL.match(below.text):
                break
            if words[-1] and not words[-1].endswith(_LIST_GOES_ON):
                break
            words.append(below.text)
            above = below
        if found := keyword_list(" ".join(w for w in words if w)):
            return found
    return []


def _front_matter(page_lines, body_size, draft, furniture):
    """Title, authors, affiliations, abstract and keywords from page one (and two); returns the
    index in `page_lines` where the body may start."""
    # A running head repeats the title in small print: the title itself is large.
    lines = [line for line in page_lines if id(line) not in furniture or line.size > body_size + 0.5]
    title = _title_lines(lines, body_size) or _top_line(lines)
    index = lines.index(title[-1]) + 1 if title else 0
    if title:
        draft.title = join_lines([line.text for line in title])
    # The byline and affiliations: lines under the title up to a label or the text.
    names, byline_end, first = [], index, None
    for offset, line in enumerate(lines[index : index + 8]):
        if first is not None and line.size < first.size - 1:
            break  # set smaller than the names above it: the affiliation under a name (ACM's columns)
        found = byline_of(line)
        if found and names and _repeated(line, lines[index : index + 24]):
            break  # printed under several names ("UC San Diego"): an affiliation, no name
        if not found and names and continues_name(lines[index + offset - 1], line):
            # "Benjamin Charles Germain" / "Lee4, Jacob Carlson3": a name broken over two lines.
            joined = byline_of(Joined(lines[index + offset - 1].marked + " " + line.marked))
            if joined:
                previous = byline_of(lines[index + offset - 1])
                names = names[: len(names) - len(previous)] + joined
                byline_end = index + offset + 1
                continue
        if found:
            names.extend(found)
            byline_end = index + offset + 1
            first = first or line
        elif names or _stop_line(line, body_size):
            break
    stop = byline_end
    byline = lines[byline_end - 1] if names else None
    # Lines printed under several names of a byline set in columns ("UC San Diego"): affiliations.
    shared = {line.text for line in lines[index : index + 24] if _repeated(line, lines[index : index + 24])}
    authors = []
    while names:
        after = []
        for line in lines[stop : stop + 16]:
            # The first line under the names, set smaller, reads on from them (no affiliation word
            # needed: "Embedded Systems" under "Martin Becker").
            before = after or ([byline] if byline is not None and line.size < byline.size - 0.5 else [])
            if (
                _stop_line(line, body_size)
                or not (_front_line(line, before) or line.text in shared)
                or _next_group(line, byline, after)
            ):
                break
            after.append(line)
            stop += 1
        entries = affiliations_of(after, shared)
        if not entries and any(marks for _, marks in names):
            # Affiliations as footnotes of page one ("1 Department of Surgery, ...").
            notes = []
            for previous, line in zip([None, *page_lines], page_lines, strict=False):
                if line.marked.startswith(SUP_START) and AFFILIATION_WORDS.search(line.text):
                    notes.append(line)
                elif notes and notes[-1] is previous and ends_unfinished(previous.text):
                    notes.append(line)  # the note goes on in this line ("…, Institute of" / "Software …")
            entries = affiliations_of(notes)
        authors.extend(assign_affiliations(names, entries))
        # Authors in groups, each over its own affiliation (JMLR: names, department, names, ...).
        following = lines[stop] if stop < len(lines) else None
        names = (
            byline_of(following) if following is not None and _next_group(following, byline, after) else []
        )
        stop += 1 if names else 0
        # Names stacked in one column of a byline in a grid, over the affiliation they share.
        while (
            names
            and stop < len(lines)
            and lines[stop].text not in shared
            and _stacked_name(lines[stop], following)
        ):
            names += byline_of(lines[stop])
            stop += 1
    if authors:
        draft.authors = authors
    return lines, stop


def _stacked_name(line, above):
    """The line names another author right under a name in the same column, set alike."""
    return (
        line.page == above.page
        and line.bold == above.bold
        and abs(line.size - above.size) < 0.3
        and 0 < above.bottom - line.bottom < 2 * above.size
        and line.x0 < above.x1
        and above.x0 < line.x1
        and bool(byline_of(line))
    )


def _repeated(line, lines):
    """The line's text is printed again on another line near it."""
    return any(other is not line and other.text == line.text for other in lines)


def _next_group(line, byline, after):
    """The line names the next group of authors: a byline set like the first one, after
    affiliation lines set otherwise, and no marks to pair names with affiliations."""
    if byline is None or not after or SUP_START in byline.marked:
        return False
    styled_like = line.bold == byline.bold and abs(line.size - byline.size) < 0.3
    unlike_after = after[0].bold != byline.bold or abs(after[0].size - byline.size) >= 0.3
    # Or the next column of a byline set in columns: a name level with the first one.
    beside = unlike_after or (
        line.page == byline.page
        and abs(line.top - byline.top) < 1
        and line.x0 > getattr(byline, "x1", line.x0)
    )
    return styled_like and beside and bool(byline_of(line))


def _front_line(line, before):
    """A line of the block under a byline: an affiliation, an address, an e-mail, a note."""
    text = line.text
    if not text:
        return True
    if line.marked.startswith(SUP_START) or AFFILIATION_WORDS.search(text) or NOT_AFFILIATION.search(text):
        return True
    if re.match(r"^[" + re.escape(MARK_CHARS) + r"\d]", text) and len(text) < 200:
        return True
    if before:
        last = before[-1]
        # Tightly set lines overlap a little (a line's top above the bottom of the one before it).
        gap = last.bottom - line.top
        close = line.page == last.page and -0.3 * line.size <= gap < 1.2 * max(line.size, last.size)
        return close and (len(text) < 120 or bool(NOT_AFFILIATION.search(last.text)))
    return False


def _top_line(lines):
    """Page one's first line from the top that reads like a title (when no text is larger)."""
    for line in sorted(lines, key=lambda line: -line.top)[:6]:
        text = line.text
        if (
            len(text.split()) >= 2
            and len(text) <= 200
            and not text.endswith((".", ":", "?", "\u061f", ","))
            and not re.match(r"^[\-\u2013]?\d+([.\-\u2013]\d+)*[.\-\u2013]?\s", text)
            and not KICKER.match(text)
            and (line.bold or line.size > 0)
        ):
            return [line]
    return []


def _stop_line(line, body_size):
    text = line.text
    return bool(
        ABSTRACT_LABEL.match(text)
        or KEYWORDS_LABEL.match(text)
        or STRUCTURED_ABSTRACT.match(text)
        or (_HEADING_NUMBER.match(text) and line.bold)
        or (abs(line.size - body_size) < 0.8 and len(text) > 60 and not AFFILIATION_WORDS.search(text[:50]))
    )


# --- paragraphs ------------------------------------------------------------------------------------


def _is_heading(line, body_size, next_line):
    text = line.text
    if not text or len(text) > 120 or text.endswith((",", ";")) or _PAGE_NUMBER.match(text):
        return False
    if sum(ch.isalpha() for ch in text) < 3:
        return False
    bigger = line.size > body_size + 0.8
    bold = line.bold and (next_line is None or not next_line.bold)
    numbered = bool(_HEADING_NUMBER.match(text))
    if bigger or (bold and (numbered or len(text) < 80)):
        return not text.endswith(".") or numbered or len(text) < 40
    return False


def _paragraphs(lines, body_size):
    """[(tag, text)] from lines in reading order: headings, and paragraphs split where the
    spacing, an indent or a short last line says a new one starts."""
    blocks, current, sizes = [], [], []
    gaps = [
        a.bottom - b.top
        for a, b in itertools.pairwise(lines)
        if a.page == b.page and 0 < a.bottom - b.top < 3 * body_size and abs(a.size - b.size) < 0.6
    ]
    step = statistics.median(gaps) if gaps else body_size * 0.3
    widths = Counter(round(line.x1 - line.x0) // 10 for line in lines if len(line.text) > 40)
    full = (widths.most_common(1)[0][0] * 10) if widths else 0

    def close():
        if current:
            size = statistics.median(line.size for line in current)
            # Text set in another size than the paragraph before (an abstract, then the text):
            # a break that ends a labelled section.
            if sizes and abs(size - sizes[-1]) >= 0.4:
                blocks.append(("break", ""))
            sizes.append(size)
            blocks.append(("p", join_lines([line.text for line in current])))
            current.clear()

    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else None
        if _is_heading(line, body_size, following):
            close()
            if (
                blocks
                and blocks[-1][0] == "h"
                and blocks[-1][2] == line.page
                and not _HEADING_NUMBER.match(line.text)
            ):
                blocks[-1] = ("h", f"{blocks[-1][1]} {line.text}", line.page)
            else:
                blocks.append(("h", line.text, line.page))
            continue
        label = ABSTRACT_LABEL.match(line.text) or KEYWORDS_LABEL.match(line.text)
        if label:
            close()
        if current:
            last = current[-1]
            same_column = line.page == last.page and abs(line.x0 - last.x0) < 0.5 * max(full, 100)
            gap = last.bottom - line.top if line.page == last.page else 0
            indent = same_column and line.x0 - last.x0 > 0.8 * body_size and line.rtl == last.rtl
            short = last.x1 - last.x0 < 0.75 * full and re.search(r"[.!?:\u201d\"')\u061f]$", last.text)
            if line.rtl:
                indent = same_column and last.x1 - line.x1 > 0.8 * body_size
            if (
                (same_column and gap > step + 0.5 * body_size)
                or indent
                or short
                or abs(line.size - last.size) > 1.2
            ):
                close()
        current.append(line)
        if label and not (label["rest"] or label.groupdict().get("bare") or "").strip():
            close()  # a label on a line of its own
    close()
    return [(tag, text) for tag, text, *_ in blocks]


# --- dates -----------------------------------------------------------------------------------------


_EMAIL = re.compile(r"[\w.+\-]+\s?@\s?[\w\-]+(\s?\.\s?[\w\-]+)+")
_REFERENCES = re.compile(
    r"^(references|bibliography|literature cited|literatur|références|bibliographie)$", re.I
)


def _signature(lines):
    """An editorial's closing signature right before its references: a name alone on its line,
    the affiliation under it (up to four lines) and an e-mail line. Returns (DraftAuthor, ids of
    the signature's lines) or (None, set())."""
    end = next((i for i, line in enumerate(lines) if _REFERENCES.match(line.text)), len(lines))
    window = lines[max(0, end - 7) : end]
    tail = list(window)
    while tail and _EMAIL.search(tail[-1].text):
        tail.pop()
    for at in range(len(tail) - 2, -1, -1):
        name, under = tail[at].text, tail[at + 1 :]
        if byline_names(name) == [name] and 1 <= len(under) <= 4:
            affiliation = join_lines([line.text for line in under])
            if AFFILIATION_WORDS.search(affiliation) and not re.search(r"[.!?]$", affiliation):
                return DraftAuthor(name=name, affiliation=affiliation), {id(line) for line in window[at:]}
    return None, set()


def _without_contact_lines(blocks):
    """The text without the byline's leftovers before it: the blocks up to the last one holding an
    e-mail address among the first few, none of them a heading or a paragraph of prose
    ("jraych2@uic.edu, yzhuang52@bloomberg.net", "Alekh Agarwal alekh@… Department of EECS …")."""
    last = None
    for index, (tag, text) in enumerate(blocks[:6]):
        prose = len(text) >= 400 or (len(text.split()) >= 14 and text.endswith((".", "?", "!")))
        if tag == "h" or prose:
            break
        if _EMAIL.search(text):
            last = index
    return blocks if last is None else blocks[last + 1 :]


def _date(pages, stamps, candidates):
    """The publication date the file states, or None."""
    for page in pages[:3] + pages[-2:]:
        for line in page.lines:
            if PUBLISHED.search(line.text) and not RECEIVED.search(line.text.split("ublished")[-1][:3] or ""):
                after = re.split(PUBLISHED, line.text, maxsplit=1)[-1]
                date = find_date(after)
                if date:
                    return date
    for stamp in stamps:
        match = _ARXIV.search(stamp)
        if match:
            date = find_date(re.sub(r"(\d{1,2})\s*([A-Za-z]{3})\s*(\d{4})", r"\1 \2 \3", match["date"]))
            if date:
                return date
    if pages:
        previous = ""
        for line in pages[0].lines:
            text, before, previous = line.text, previous, line.text
            if id(line) not in candidates:
                continue
            if RECEIVED.search(text) or RECEIVED.search(before[-40:]) or len(text) > 200:
                continue
            date = parse_date(text) or (find_date(text) if re.search(r"\b(19|20)\d{2}\b", text) else None)
            if date and _full_date(text):
                return date
    return None


def _full_date(text):
    """The text names a day or a month, not a year alone."""
    return bool(
        re.search(
            r"\d{1,2}[./\-]\d{1,2}[./\-]\d{4}|\d{4}[./\-]\d{1,2}[./\-]\d{1,2}|[^\W\d_]{3,}\.?,?\s+\d{1,4}\b|"
            r"\b\d{1,2}\.?\s+[^\W\d_]{3,}",
            text,
        )
    )


# --- the reader --------------------------------------------------------------------------------------


def extract(data, *, filename="file.pdf"):
    _reader_checked, page_count = _reader(data, filename)
    if page_count > MAX_PAGES:
        raise ExtractionError(f"{filename} has {page_count} pages; the limit is {MAX_PAGES}.")
    try:
        pages = read_pages(data, max_pages=MAX_PAGES)
        info = pdf_metadata(data)
    except Exception as error:  # PDFium's errors on a file pypdf could open
        raise ExtractionError(f"{filename} is a damaged PDF that cannot be read ({error}).") from error
    if sum(len(line.text) for page in pages for line in page.lines) < 20:
        return _no_text_layer(data, filename=filename, page_count=page_count)

    draft = Draft(page_count=page_count)
    body_size = _body_size(pages)
    furniture, repeated = _furniture(pages, body_size)
    # Page one's permission box (licence, conference line, ISBN, DOI) is no part of the text; its
    # conference line dates the paper.
    furniture |= _permission_box(pages[0].lines)
    if repeated:
        draft.warn(
            f"Dropped {len(repeated)} lines of page furniture (running headers, footers, page numbers)."
        )
    stamps = [stamp for page in pages[:1] for stamp in page.rotated]

    page_one, start = _front_matter(pages[0].lines, body_size, draft, repeated)
    # The rest of page one, then every other page, without furniture.
    rest = [line for line in page_one[start:] if id(line) not in furniture]
    for page in pages[1:]:
        rest.extend(line for line in page.lines if id(line) not in furniture)
    if not draft.authors:
        # No byline on page one: an editorial signed at its end names its author there.
        signature, signed = _signature(rest)
        if signature:
            draft.authors = [signature]
            rest = [line for line in rest if id(line) not in signed]
    blocks = _paragraphs(rest, body_size)
    blocks = [block for block in take_labelled(blocks, draft) if block[0] != "break"]
    blocks = _without_contact_lines(blocks)
    if draft.authors and not draft.title:
        pass
    meta_title = " ".join((info.get("Title") or "").split())
    if meta_title and not _JUNK_TITLE.match(meta_title):
        # The document's /Title, where page one prints it, settles a page whose largest text is
        # something else (a journal's name, a logo).
        printed = _plain(" ".join(line.text for line in pages[0].lines))
        wanted, read = _plain(meta_title), _plain(draft.title)
        elsewhere = wanted in printed and read not in wanted and len(meta_title.split()) >= 3
        if not draft.title or elsewhere:
            draft.title = meta_title
    if not draft.title and blocks:
        _tag, text = blocks.pop(0)
        draft.title = text
    meta_author = (info.get("Author") or "").strip()
    if not draft.authors and meta_author:
        names = byline_names(meta_author.replace(" ; ", "; "))
        draft.authors = [DraftAuthor(name=name) for name in names]
    if not draft.keywords:
        draft.keywords = _page_one_keywords(pages[0].lines)
    meta_keywords = (info.get("Keywords") or "").strip()
    if not draft.keywords and meta_keywords:
        draft.keywords = split_keywords(meta_keywords)

    # Page one's dates outside its text: margins, running heads and the front matter.
    candidates = {id(line) for line in page_one[:start]} | (furniture & {id(line) for line in pages[0].lines})
    draft.date = _date(pages, stamps, candidates)
    draft.body = [text for _, text in blocks]
    draft.body_html = "\n".join(
        f"<h2>{html.escape(text, quote=False)}</h2>"
        if tag == "h"
        else f"<p>{html.escape(text, quote=False)}</p>"
        for tag, text in blocks
    )
    draft.language = detect_language(" ".join([draft.title, draft.abstract, *draft.body[:40]]))
    draft.kind = "paper" if draft.abstract or draft.keywords else "commentary"
    if draft.date is None:
        created = re.match(r"D:(\d{4})(\d{2})(\d{2})", info.get("CreationDate") or "")
        if created:
            draft.warn(
                f"The PDF was created on {created[1]}-{created[2]}-{created[3]}; check the publication date."
            )
    finish(draft)
    return draft
