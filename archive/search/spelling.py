"""Close spellings, weighed: the one correction of a misspelt query word, and the OCR slips in
documents that a correctly spelt word should still find.

Edits cost what they are likely to be: a confusion that OCR makes (g/q, rn/m, l/i, c/e, dotted
Persian and Arabic letters) costs `OCR_COST`, a slip to a neighbouring key, a swap of two letters or
a letter spelt two ways (c/k, s/z) `SLIP_COST`, any other edit 1. Engines give the words and their
document frequencies; nothing here reads an index.
"""

import math
from functools import lru_cache

OCR_COST = 0.5
SLIP_COST = 0.75

# Look-alikes, in either direction.
_OCR_PAIRS = [
    ("g", "q"),
    ("l", "i"),
    ("l", "1"),
    ("i", "1"),
    ("o", "0"),
    ("c", "e"),
    ("e", "o"),
    ("u", "v"),
    ("n", "h"),
    ("h", "b"),
    ("f", "t"),
    ("i", "j"),
    ("s", "5"),
    ("b", "6"),
    ("z", "2"),
    ("a", "o"),
    # Persian and Arabic letters that differ by their dots.
    ("ب", "پ"),
    ("ب", "ت"),
    ("ت", "ث"),
    ("ب", "ن"),
    ("ج", "چ"),
    ("ج", "ح"),
    ("ح", "خ"),
    ("د", "ذ"),
    ("ر", "ز"),
    ("ز", "ژ"),
    ("س", "ش"),
    ("ص", "ض"),
    ("ط", "ظ"),
    ("ع", "غ"),
    ("ف", "ق"),
    ("ی", "ن"),
]
# Letters spelt one way or the other (Nordic/Nordik, organise/organize, Yemeni/Jemeni).
_SPELLING_PAIRS = [("c", "k"), ("s", "z"), ("i", "y"), ("j", "y"), ("f", "v"), ("k", "q")]
# Two letters read as one.
_OCR_SPLITS = {("r", "n"): "m", ("c", "l"): "d", ("v", "v"): "w", ("r", "i"): "n", ("i", "i"): "u"}
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _keyboard_neighbours():
    where = {ch: (row, col) for row, keys in enumerate(_KEYBOARD_ROWS) for col, ch in enumerate(keys)}
    pairs = set()
    for a, (ra, ca) in where.items():
        for b, (rb, cb) in where.items():
            if a != b and abs(ra - rb) <= 1 and abs(ca - cb) <= 1:
                pairs.add((a, b))
    return pairs


_OCR = {pair for a, b in _OCR_PAIRS for pair in ((a, b), (b, a))}
_SLIPS = _keyboard_neighbours() | {pair for a, b in _SPELLING_PAIRS for pair in ((a, b), (b, a))}


def _substitution(a, b):
    if a == b:
        return 0.0
    if (a, b) in _OCR:
        return OCR_COST
    if (a, b) in _SLIPS:
        return SLIP_COST
    return 1.0


@lru_cache(maxsize=20_000)
def distance(a, b):
    """The weighted Damerau-Levenshtein distance between two words."""
    if a == b:
        return 0.0
    rows = [[0.0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = float(i)
    for j in range(len(b) + 1):
        rows[0][j] = float(j)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            best = min(
                rows[i - 1][j] + 1.0,
                rows[i][j - 1] + 1.0,
                rows[i - 1][j - 1] + _substitution(a[i - 1], b[j - 1]),
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, rows[i - 2][j - 2] + SLIP_COST)
            if i > 1 and _OCR_SPLITS.get((a[i - 2], a[i - 1])) == b[j - 1]:
                best = min(best, rows[i - 2][j - 1] + OCR_COST)
            if j > 1 and _OCR_SPLITS.get((b[j - 2], b[j - 1])) == a[i - 1]:
                best = min(best, rows[i - 1][j - 2] + OCR_COST)
            rows[i][j] = best
    return rows[-1][-1]


def look_alikes(word):
    """Every spelling one OCR confusion away from `word` (what a scan makes of it)."""
    partners = {}
    for a, b in _OCR:
        partners.setdefault(a, []).append(b)
    found = set()
    for i, ch in enumerate(word):
        for other in partners.get(ch, ()):
            found.add(word[:i] + other + word[i + 1 :])
        pair = word[i : i + 2]
        if (pair[0], pair[-1]) in _OCR_SPLITS and len(pair) == 2:
            found.add(word[:i] + _OCR_SPLITS[(pair[0], pair[1])] + word[i + 2 :])
        for (first, second), single in _OCR_SPLITS.items():
            if ch == single:
                found.add(word[:i] + first + second + word[i + 1 :])
    found.discard(word)
    return found


def max_edits(word):
    """Plain edits a close spelling may be from `word`: one, two from nine letters."""
    return 2 if len(word) >= 9 else 1


# A word in at least this many pieces is never corrected.
TRUST_FROM_DOCS = 20
# A correction must be in this many times as many pieces as the word typed (or than one, for a
# word the archive does not hold), and in at least CORRECT_MIN_DOCS.
CORRECT_RATIO = 10
CORRECT_MIN_DOCS = 3
# Below this many pieces a word also matches close spellings that are rarer than itself; from it,
# only look-alikes (one OCR confusion) that are much rarer (OCR slips of a common word).
VARIANTS_BELOW_DOCS = 20
VARIANT_RATIO = 10


def correction(word, frequency, neighbours):
    """The spelling to search instead of `word` (in `frequency` pieces), or None: the likeliest
    of `neighbours` ({close spelling: pieces}) that is much more frequent than `word`."""
    if frequency >= TRUST_FROM_DOCS or len(word) < 3 or word.isdigit():
        return None
    best, best_score = None, -math.inf
    for other, count in neighbours.items():
        if other == word or count < CORRECT_MIN_DOCS or count < CORRECT_RATIO * max(frequency, 1):
            continue
        cost = distance(word, other)
        if cost > max_edits(word):
            continue
        score = math.log(count) - 3.0 * cost
        if score > best_score or (score == best_score and other < best):
            best, best_score = other, score
    return best


def variants(word, frequency, neighbours):
    """Close spellings of `word` that it also matches, ranked below it: rarer slips and spellings
    of a rare word (`Nordic` finds `Nordik`), and rare OCR look-alikes of a common one (`Iraq`
    finds the OCR'd `Irag`). Never another word one plain edit away (`Iraq` never finds `Iran`)."""
    found = []
    limit = SLIP_COST if len(word) < 9 else 2 * SLIP_COST
    for other, count in neighbours.items():
        if other == word:
            continue
        cost = distance(word, other)
        if frequency < VARIANTS_BELOW_DOCS:
            # As rare as the word, or found almost nowhere (the archive may hold only the slip).
            if cost <= limit and count <= max(frequency, CORRECT_MIN_DOCS - 1):
                found.append(other)
        elif cost <= OCR_COST and count * VARIANT_RATIO <= frequency:
            found.append(other)
    return sorted(found, key=lambda other: (-neighbours[other], other))
