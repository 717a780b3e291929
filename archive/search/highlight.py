"""Snippets: the passage of a text where the query matched, escaped, matches in <mark>.

Words are found with the same analyzer the index uses, so a query typed with ي finds and marks
a word written with ی, a stemmed query marks every form of the word, and nothing in the text is
ever output unescaped.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from archive.search.analysis import matching_spans

SNIPPET_CHARS = 280
LEAD_CHARS = 60
MAX_SCAN_CHARS = 20_000
# Looking up every word of a text is most of a snippet's cost: the opening is scanned first and
# the rest only when the opening has no match.
FIRST_SCAN_CHARS = 3 * SNIPPET_CHARS


def snippet(text, terms, *, length=SNIPPET_CHARS, require_match=False):
    """Safe HTML: about `length` characters of `text` around the densest cluster of `terms` in
    the first stretch of it that has any (the opening, else the whole text up to MAX_SCAN_CHARS).
    With `require_match`, None when no term occurs in `text` (the caller looks further)."""
    text = " ".join((text or "")[:MAX_SCAN_CHARS].split())
    if not text:
        return None if require_match else mark_safe("")
    matches, scanned = _first_matches(text, terms, length) if terms else ([], len(text))
    if not matches:
        return None if require_match and terms else _plain(text, length)
    # The window starting at a match that covers the most matches.
    best, best_count, j = 0, 0, 0
    for i, (start, _) in enumerate(matches):
        j = max(j, i)
        while j + 1 < len(matches) and matches[j + 1][1] <= start + length:
            j += 1
        if j - i + 1 > best_count:
            best, best_count = i, j - i + 1
    first = matches[best][0]
    begin = 0 if first <= LEAD_CHARS else text.rfind(" ", 0, first - LEAD_CHARS // 2) + 1
    end = begin + length
    if end < len(text):
        space = text.rfind(" ", matches[best][1], end)
        end = space if space > 0 else end
    else:
        end = len(text)
    if end > scanned:  # the window runs past the scanned opening: mark the words there too
        matches = matches + [
            (start + scanned, stop + scanned) for start, stop in matching_spans(text[scanned:end], terms)
        ]
    parts = ["…" if begin > 0 else ""]
    cursor = begin
    for start, stop in matches[best:]:
        if start >= end:
            break
        stop = min(stop, end)
        parts.append(escape(text[cursor:start]))
        parts.append(f"<mark>{escape(text[start:stop])}</mark>")
        cursor = stop
    parts.append(escape(text[cursor:end]))
    if end < len(text):
        parts.append("…")
    return mark_safe("".join(parts))


def _plain(text, length):
    if len(text) <= length:
        return mark_safe(escape(text))
    cut = text.rfind(" ", 0, length)
    return mark_safe(escape(text[: cut if cut > 0 else length]) + "…")


def _first_matches(text, terms, length):
    """(match spans, characters scanned): the opening's matches if it has any, else the text's.
    The opening ends at a space, so no word is cut in two."""
    cut = text.rfind(" ", 0, FIRST_SCAN_CHARS) if len(text) > FIRST_SCAN_CHARS + length else -1
    if cut > 0:
        matches = matching_spans(text[:cut], terms)
        if matches:
            return matches, cut
        return [(start + cut, stop + cut) for start, stop in matching_spans(text[cut:], terms)], len(text)
    return matching_spans(text, terms), len(text)
