"""The front matter of a paper, shared by the PDF and Word readers: bylines split into people
(on commas, "and", superscript or numbered marks and wide gaps), affiliation lines matched to
them by their marks (or one for all, or in order), abstract and keyword labels, and the sections
some publishers put between the abstract and the text.

A "line" here is anything with `.marked` (text with superscripts between U+E000 and U+E001, gaps
as tabs), `.text` and `.rtl`; PDF lines also have a position, which joins an affiliation broken
over two lines.
"""

import re

from archive.ingest.dates import parse_date
from archive.ingest.draft import DraftAuthor
from archive.ingest.metadata import byline_names, split_keywords
from archive.ingest.pdf_layout import SUP_END, SUP_START
from archive.ingest.repair import join_lines

ABSTRACT_LABEL = re.compile(
    r"^(abstract|summary|résumé|resume|zusammenfassung|resumen|ملخص|چکیده)\s*(?:[.:\u2014\u2013\-]\s*(?P<rest>.*))?$",
    re.I,
)
STRUCTURED_ABSTRACT = re.compile(
    r"^(background|objectives?|purpose|aims?|context|introduction|rationale|importance)\s*[.:]\s+\S", re.I
)
KEYWORDS_LABEL = re.compile(
    r"^(?:key\s*-?\s*words?|index\s+terms|mots[- ]cl[ée]s|schlüsselwörter|schlagwörter|palabras clave)"
    # PeerJ sets the label in bold with no colon: "Keywords Selective pressure analysis, …", Springer
    # with middle dots: "Keywords Web API design · Understandability".
    r"\s*(?:[:\uff1a.\-\u2013\u2014]\s*(?P<rest>.*)|"
    r"(?-i:\s(?P<bare>[A-Z][\w\-]*( [\w\-]+)*\s*[,;\u00b7\u2022|].*))|$)",
    re.I,
)
KICKER = re.compile(
    r"^(research|original|review|short|brief|case|technical|clinical|invited)?\s*(article|paper|report|"
    r"communication|study|review|note|letter|research)s?(\s+open access)?$|^open access$|^review$|^article$",
    re.I,
)
NOT_AFFILIATION = re.compile(
    r"(@|^correspond|^e-?mail|^received|^accepted|^revised|^published|^academic editor|^copyright|\u00a9|"
    r"^edited by|^citation|^https?://|^doi|^keywords?\b|^\(?\s*received|contributed equally|"
    r"equal(ly)? contribut|^these authors)",
    re.I,
)
AFFILIATION_WORDS = re.compile(
    r"\b(universit|institut|laborato|departe?ment|school|college|cent(er|re)|faculty|hospital|academy|"
    r"research|inc\b|ltd\b|gmbh|corporation|company|lab\b|labs\b|ai\b|foundation|council|ministry|"
    r"clinic|divisi|program|unit\b|facebook|google|microsoft|allen|école|hochschule|dipartimento|"
    r"organi[sz]ation|association|society|agency|committee|commission|bureau|office|service|network|"
    r"government|republic|federal|national|international|world|ministère|ministerium)",
    re.I,
)
RECEIVED = re.compile(
    r"\b(received|accepted|revised|submitted|reçu|accepté|eingegangen|angenommen)\b|"
    r"پذیرش|پذيرش|ارائه|دریافت|دريافت|استلام|قبول|وصول",
    re.I,
)
PUBLISHED = re.compile(
    r"\b(published|publication date|date of publication|first published|available online|"
    r"immediate publication|publié|veröffentlicht)\b|"
    r"تاريخ النشر|تاریخ انتشار|تاريخ انتشار|تاریخ درج|تاريخ درج",
    re.I,
)

_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|\t|&|\band\b|\bund\b|\bet\b|\u00b7|\u2022|\u2219|\s{3,})\s*")
# Author marks: asterisks, daggers, section signs, card suits, stars, and the symbols some
# publishers use for "contributed equally" (\u262f) and "correspondence" (\u2709).
MARK_CHARS = (
    "*\u2217\u2020\u2021\u00a7\u00b6#\u2016\u2225\u2663\u2660\u2666\u2665\u2662\u2661\u22c4\u25a1\u2605\u2606"
    "\u262f\u2709"
)


def _segments(marked):
    """[(text, marks)] of a marked line: each piece of text with the superscript marks after it."""
    out = []
    for part in re.split(f"({SUP_START}[^{SUP_END}]*{SUP_END}?)", marked):
        if part.startswith(SUP_START):
            mark = part.strip(SUP_START + SUP_END).strip()
            if out:
                out[-1] = (out[-1][0], out[-1][1] + [mark])
            else:
                out.append(("", [mark]))
        elif part:
            out.append((part, []))
    return out


def _tidy_name(name):
    name = name.strip(" .,;:" + MARK_CHARS).strip()
    name = re.sub(r"[\d" + re.escape(MARK_CHARS) + r"]+$", "", name).strip(" ,")
    # A surname set in capitals ("Ross G. DOUGLAS") is written as a name.
    words = [w.capitalize() if len(w) > 2 and w.isupper() and w.isalpha() else w for w in name.split()]
    return " ".join(words)


def _split_marks(text):
    """Marks written as ordinary characters (not raised) at the end of a name: "SHARMA†"."""
    match = re.search(r"[" + re.escape(MARK_CHARS) + r"]+$", text)
    if match and match.start() > 0:
        return text[: match.start()], [match.group()]
    return text, []


_TEXT_MARKS = re.compile(
    r"(?<=[^\W\d_])(?:,?\s*\((\d{1,2}(?:\s*,\s*\d{1,2})*)\)|(\d{1,2}(?:,\d{1,2})*)(?=[\s,;&*]|$))"
)


# Pandoc's superscript written out ("Scott Claessens^1*^"), left in a Word file made from Markdown.
_CARET_MARKS = re.compile(r"\^([^\s^]{1,8})\^")


def _textual_marks(marked):
    """Affiliation marks typed as plain text ("Lakens1", "Gantenberg,(1,2)", "Claessens^1*^") set as
    superscripts."""
    marked = _CARET_MARKS.sub(lambda m: f"{SUP_START}{m.group(1)}{SUP_END}", marked)
    return _TEXT_MARKS.sub(lambda m: f"{SUP_START}{m.group(1) or m.group(2)}{SUP_END},", marked)


# IEEE's grade after a name ("Avideh Zakhor, Member, IEEE"): no part of the name.
_IEEE_GRADE = re.compile(
    r",?\s*\b(?:(?:student|senior|life|graduate student)\s+)?(?:member|fellow),?\s+IEEE\b", re.I
)


# Academic degrees after a name ("Aaron Conway PhD1,2", "Jane Roe, MD"): no part of the name.
# Case counts: "MA" is a degree, "Ma" a surname.
_DEGREE = re.compile(r",?\s+(?:Ph\.?\s?D|M\.?D|D\.?Phil|M\.?Sc|B\.?Sc|MPH|MBBS|RN|FRCP|FRACP)\.?(?=[\d\W]|$)")


_EMAIL_COLUMN = re.compile(r"\t[^\s@]*@\S*$")


def byline_of(line):
    """[(name, marks)] when the line is a byline, else []."""
    found = []
    # The authors' e-mails set in a column beside their names ("Joseph Futoma, … \tJDF38@DUKE.EDU").
    marked = _EMAIL_COLUMN.sub("", line.marked)
    for text, marks in _segments(_textual_marks(_DEGREE.sub("", _IEEE_GRADE.sub("", marked)))):
        pieces = list(_NAME_SEPARATORS.split(text))
        for index, piece in enumerate(pieces):
            piece, own = _split_marks(RTL_BYLINE.sub("", piece.strip()) if index == 0 else piece.strip())
            name = _tidy_name(piece)
            if name and not any(ch.isalpha() for ch in name):
                name = ""
            if not name:
                if found and (own or (index == len(pieces) - 1 and marks)):
                    found[-1][1].extend(own + (marks if index == len(pieces) - 1 else []))
                continue
            last = index == len(pieces) - 1
            found.append((name, own + (marks if last else [])))
    if not found or (starts_with_mark(line.marked) and len(found) == 1):
        return []
    if any(AFFILIATION_WORDS.search(name) or "@" in name for name, _ in found):
        return []
    if line.rtl and not RTL_BYLINE.match(line.text):
        return []  # Arabic-script names look like any words: only a stated byline counts
    if all(byline_names(name) == [name] or _looks_like_name(name) for name, _ in found):
        return found
    return []


def starts_with_mark(marked):
    """The line starts with a mark: an affiliation line ("1 Allen Institute for AI")."""
    return marked.startswith(SUP_START)


RTL_BYLINE = re.compile(r"^(بقلم|إعداد|اعداد|نوشته|نویسنده|نويسنده|نگارش|تألیف|تأليف|by)\s*[:\-]?\s*", re.I)


class Joined:
    rtl = False
    text = ""

    def __init__(self, marked):
        self.marked = marked


def continues_name(before, line):
    """The line goes on with the name the line before ended with (no comma, mark or gap)."""
    return bool(re.search(r"[^\W\d_]$", before.marked)) and bool(
        re.match(r"^[^\W\d_][\w'\-]*\W", line.marked + " ")
    )


def _looks_like_name(name):
    words = name.split()
    return 2 <= len(words) <= 5 and all(
        w[0].isupper() or w.lower() in {"de", "van", "von", "der", "da"} for w in words
    )


def _mark_list(marks):
    out = []
    for mark in marks:
        for part in re.split(r"[,\s]+", mark):
            if not part:
                continue
            if part.isdigit() or len(part) == 1:
                out.append(part)
            else:
                out.extend(ch for ch in part if not ch.isspace())
    return [m for m in out if m not in "*\u2217"]  # * marks the corresponding author


def affiliations_of(lines, shared=()):
    """[(marks, text)] of the affiliation lines under a byline, in order; `shared` holds texts
    printed under several names, affiliations whatever their words."""
    entries = []
    previous = None
    run_on = False  # "1 Dept. A, City, 2 Dept. B ..." set as one paragraph over several lines
    for line in lines:
        text = line.text
        if not text or NOT_AFFILIATION.search(text) or parse_date(text):
            previous = None
            run_on = False
            continue
        aligned = previous is not None and abs(getattr(line, "x0", 0) - getattr(previous, "x0", 0)) < 2
        if run_on and aligned and not re.match(r"^([" + re.escape(MARK_CHARS) + r"]|\d{1,2}\s)", text):
            marks, before = entries[-1]
            entries[-1] = (marks, join_lines([before, text]))
            previous = line
            continue
        run_on = False
        segments = _segments(line.marked)
        starts_marked = bool(segments and segments[0][0].strip() == "" and segments[0][1])
        lead = re.match(r"^([" + re.escape(MARK_CHARS) + r"]|\d{1,2}|[a-z])\s*(?=[A-Z\u00c0-\u024f])", text)
        if starts_marked or any(marks for _, marks in segments[1:]):
            # One or more entries on the line, each after its mark.
            pending = []
            for piece, marks in segments:
                piece = piece.strip(" ,;")
                if pending and piece:
                    entries.append((pending, piece))
                    pending = []
                elif piece and not pending:
                    entries.append(([], piece))
                if marks:
                    pending = _mark_list(marks)
            previous = line
        elif (
            lead and lead.group(1) != text[:1].lower() * 0 + "" and lead.group(1) in MARK_CHARS + "0123456789"
        ):
            entries.append(([lead.group(1)], text[lead.end() :].strip()))
            previous = line
            run_on = lead.group(1).isdigit() and bool(
                re.search(rf"(,\s*|\s){int(lead.group(1)) + 1}\s+[A-Z\u00c0-\u024f]", text)
            )
        elif entries and previous is not None and _next_number_runs_on(entries[-1][0], text):
            # A numbered paragraph of affiliations goes on over this line to the next number
            # ("…, Edinburgh" / "EH9 3FJ, United Kingdom 2 UK Centre …").
            marks, before = entries[-1]
            entries[-1] = (marks, join_lines([before, text]))
            previous = line
            run_on = True
        elif entries and previous is not None and hasattr(line, "x1"):
            marks, before = entries[-1]
            if previous.text.rstrip().endswith(",") and not before.endswith(","):
                before += ","  # the comma the line ended with was stripped with its mark's entry
            # Wrapped: the line goes on at the same left edge under a line that filled the width
            # (centred address lines are not wrapped lines).
            wrapped = abs(line.x0 - previous.x0) < 2 and previous.x1 >= line.x1 - 2
            # A centred paragraph's last line, centred under a much wider line that stops mid-address
            # ("…, Place du levant 3, 1348" / "Louvain-la-Neuve, Belgium").
            centre = (line.x0 + line.x1) / 2 - (previous.x0 + previous.x1) / 2
            wrapped = wrapped or (
                abs(centre) < 3
                and (previous.x1 - previous.x0) > 2 * (line.x1 - line.x0)
                and re.search(r"[\d,]$", previous.text.rstrip()) is not None
            )
            # A line that ends unfinished (a comma, "of", "the") goes on in the next one, wherever
            # that one starts ("…, Institute of" / "Software Engineering, Stuttgart, Germany").
            unfinished = ends_unfinished(previous.text)
            if unfinished or (wrapped and not AFFILIATION_WORDS.search(text[:40])):
                entries[-1] = (marks, join_lines([before, text]))
            elif AFFILIATION_WORDS.search(text) or (_ADDRESS.search(text) and (wrapped or abs(centre) < 3)):
                # Another line of the same affiliation: its next part, or its street address
                # centred under it ("via Orabona 4 - 70126 Bari").
                entries[-1] = (marks, f"{before.rstrip(',')}, {text}")
            previous = line
        elif AFFILIATION_WORDS.search(text) or not hasattr(line, "x1") or text in shared:
            # A paragraph of a Word title page is one affiliation.
            entries.append(([], text))
            previous = line
    entries = [(marks, _LATEX_SIZE.sub("", text).strip(" ,;")) for marks, text in _split_numbered(entries)]
    return [(marks, text) for marks, text in entries if text]


# An affiliation line that stops mid-way: after a comma or a word that joins two others.
_UNFINISHED = re.compile(r"(,|&|\b(of|and|for|the|de|di|du|des|der|für|et|y|at))\s*$", re.I)
# A street address or a postcode line: a number and words, no more than an address holds.
_ADDRESS = re.compile(r"^(?=.{4,80}$)(?=.*\b\d{1,6}\b)[^@:]*[^\W\d_]{3,}")


def ends_unfinished(text):
    """The affiliation line stops mid-way (a comma, "of", "the"): the next line goes on with it."""
    return _UNFINISHED.search(text) is not None


def _next_number_runs_on(marks, text):
    """The line carries the number after the last entry's (", n+1 Institution") without starting
    with it: the numbered paragraph runs on over it."""
    if len(marks) != 1 or not marks[0].isdigit() or re.match(r"^\d", text):
        return False
    return re.search(rf"(,\s*|\s){int(marks[0]) + 1}\s+[A-Z\u00c0-\u024f]", text) is not None


# A LaTeX size command left in a Word file made from LaTeX or Markdown ("1 footnotesize School of …").
_LATEX_SIZE = re.compile(r"^\\?(footnotesize|scriptsize|normalsize)\b\s*")


def _split_numbered(entries):
    """An entry numbered n that goes on with ", n+1 Institution, ..., n+2 ..." (a run-on
    paragraph of numbered affiliations; JOSS and JOSE leave out the comma) split into one entry
    per number."""
    out = []
    for marks, text in entries:
        while len(marks) == 1 and marks[0].isdigit():
            following = str(int(marks[0]) + 1)
            match = re.search(rf"(,\s*|\s){following}\s+(?=[A-Z\u00c0-\u024f])", text)
            if not match:
                break
            out.append((marks, text[: match.start()]))
            marks, text = [following], text[match.end() :]
        out.append((marks, text))
    return out


def assign_affiliations(names, entries):
    """Authors with the affiliations their marks point to (or the one for all)."""
    authors = []
    unmarked = [text for marks, text in entries if not marks]
    by_mark = {}
    if entries and not any(marks for marks, _ in entries):
        # Numbered marks on the names, affiliations listed without numbers: the n-th is n.
        numbers = {m for _, marks in names for m in _mark_list(marks)}
        if numbers and all(m.isdigit() for m in numbers) and max(int(m) for m in numbers) <= len(entries):
            entries = [([str(k + 1)], text) for k, (_, text) in enumerate(entries)]
            unmarked = []
    for marks, text in entries:
        for mark in marks:
            by_mark.setdefault(mark, []).append(text)
    for name, marks in names:
        own = [text for mark in _mark_list(marks) for text in by_mark.get(mark, [])]
        if not own and len(entries) == 1 and not entries[0][0]:
            own = [entries[0][1]]
        elif not own and unmarked:
            own = unmarked[:1]
        authors.append(DraftAuthor(name=name, affiliation="; ".join(dict.fromkeys(own))))
    # One marked affiliation nobody's mark points to, and marked authors left without one: the
    # mark was lost on one side (a glyph with no character: "?" under "\u2217").
    used = {a.affiliation for a in authors}
    spare = [text for marks, text in entries if marks and all(text not in u for u in used)]
    left = [a for a, (_, marks) in zip(authors, names, strict=True) if not a.affiliation and marks]
    if len(spare) == 1 and left and len(left) < len(authors):
        for author in left:
            author.affiliation = spare[0]
    return authors


# A box of the title page standing before the abstract (Wiley prints "Funding information" and
# "Correspondence" beside it): its label and the paragraphs under it are no part of the text.
FRONT_BOX = re.compile(
    r"^(funding information|funding|correspondence|present address|article history)\s*:?$", re.I
)
FRONT_SECTION = re.compile(
    r"^(ccs concepts|acm reference format|additional key words and phrases|general terms|"
    r"acm classification|msc|jel classification|categories and subject descriptors)\b",
    re.I,
)


_INTRODUCTION = re.compile(
    r"^((\d{1,2}|[IVX]{1,4})\.?\s+)?(introduction|background|einleitung|einführung|introducción|مقدمه|مقدمة)\b",
    re.I,
)


_INTRODUCTION_LINE = re.compile(
    r"^((\d{1,2}|[IVX]{1,4})\.?\s+)?(introduction|background|einleitung|einführung|introducción|مقدمه|مقدمة)"
    r"\.?\s*$",
    re.I,
)


def take_labelled(blocks, draft, *, front_before_abstract=False):
    """Abstract and keywords from their labels (or an unlabelled structured abstract); the
    front-matter sections of some publishers (CCS concepts, reference format) dropped; when an
    abstract was found, the body starts at the first heading after it. Returns the body's blocks."""
    out = []
    i = 0
    abstract_at = None
    # After the introduction an "Abstract" heading names a section of the text (a checklist's
    # items about abstracts), not the paper's abstract.
    in_text = False
    # "1.\tIntroduction" typed as a paragraph of its own is the introduction's heading.
    blocks = [
        ("h", text) if tag == "p" and _INTRODUCTION_LINE.match(text) else (tag, text) for tag, text in blocks
    ]
    while i < len(blocks):
        tag, text = blocks[i]
        label = ABSTRACT_LABEL.match(text)
        keywords = KEYWORDS_LABEL.match(text)
        if label and _summary_section(blocks, i):
            label = None  # a "Summary" heading with no introduction after it is the text's first section
        if label and not draft.abstract and abstract_at is None and not in_text:
            if front_before_abstract and len(out) <= 30:
                out = []  # title page notes (author note, correspondence) come before it
            rest = (label["rest"] or "").strip()
            parts, i = _section(blocks, i + 1, [rest] if rest else [])
            draft.abstract = "\n\n".join(parts)
            abstract_at = len(out)
            continue
        if keywords and not draft.keywords and len(out) < 12:
            rest = (keywords["rest"] or keywords["bare"] or "").strip()
            following = _next_paragraph(blocks, i + 1)
            if not rest and following is not None:
                i = following
                rest = blocks[i][1]
            draft.keywords = keyword_list(rest)
            i += 1
            continue
        if FRONT_BOX.match(text) and abstract_at is None and not in_text and not draft.abstract:
            i += 1
            while i < len(blocks) and blocks[i][0] in ("p", "break"):
                i += 1
            continue
        if FRONT_SECTION.match(text):
            i += 1
            while i < len(blocks) and blocks[i][0] == "p" and not KEYWORDS_LABEL.match(blocks[i][1]):
                i += 1
            continue
        if not out and tag == "p" and STRUCTURED_ABSTRACT.match(text) and not draft.abstract:
            parts, i = _section(blocks, i + 1, [text])
            draft.abstract = "\n\n".join(parts)
            abstract_at = 0
            continue
        out.append((tag, text))
        in_text = in_text or (tag == "h" and bool(_INTRODUCTION.match(text)))
        i += 1
    if abstract_at is not None:
        # Leftovers of the front matter between the abstract and the text: the body starts at
        # its introduction when one follows soon, else at the first heading.
        intro = next(
            (
                k
                for k, (tag, text) in enumerate(out[abstract_at : abstract_at + 40])
                if tag == "h" and _INTRODUCTION.match(text)
            ),
            None,
        )
        if intro is not None:
            return out[:abstract_at] + out[abstract_at + intro :]
        window = out[abstract_at : abstract_at + 8]
        heading = next((k for k, (tag, _) in enumerate(window) if tag == "h"), None)
        if heading is not None and all(len(text) < 400 for _, text in window[:heading]):
            out = out[:abstract_at] + out[abstract_at + heading :]
    return out


def _next_paragraph(blocks, start):
    """The index of the paragraph at `start`, past breaks (a label set in another size than the
    words under it), or None."""
    while start < len(blocks) and blocks[start][0] == "break":
        start += 1
    return start if start < len(blocks) and blocks[start][0] == "p" else None


def _summary_section(blocks, at):
    """A "Summary" heading that no introduction follows opens the text itself (as in JOSS and
    JOSE papers, which have no abstract: "Summary", then "Statement of need"). Before an
    introduction it is the abstract."""
    tag, text = blocks[at]
    if tag != "h" or not re.match(r"^summary\s*:?$", text, re.I):
        return False
    return not any(t == "h" and _INTRODUCTION.match(x) for t, x in blocks[at + 1 :])


def _section(blocks, start, parts):
    """The paragraphs from `start` to the next heading, keyword line or front-matter section."""
    i = start
    while i < len(blocks):
        tag, text = blocks[i]
        if tag == "break" and not any(parts):
            i += 1  # the label set in another size than its text
            continue
        if tag != "p" or KEYWORDS_LABEL.match(text) or FRONT_SECTION.match(text):
            break
        if len(" ".join(parts)) > 3000:
            break
        parts.append(text)
        i += 1
    return [p for p in parts if p], i


def keyword_list(text):
    text = (text or "").strip().rstrip(".")
    if not text:
        return []
    for separator in (";", ",", "\u00b7", "\u2022", "|"):
        if separator in text:
            return split_keywords(text.replace(separator, ";") if separator != ";" else text)
    return split_keywords(text)
