"""Saved web pages (.html): the article's text, title, byline, date and keywords.

The main text is trafilatura's (a maintained extractor that publishes its own evaluation; on the
scrapinghub article-extraction benchmark it scores better than our former hand-written rules and
than readability-lxml: docs/ingest-accuracy.md). Metadata comes first from the page's own tags
(Highwire `citation_*`, Open Graph and article tags, `<meta name=author|keywords|date>`, read from
`content` or, as some saved pages have it, `value`), then from what the page shows near its
headline (standfirst, byline, date line), then from htmldate and trafilatura's metadata.

`html_blocks` (the block-level pieces of an element) serves the Markdown reader, whose rendered
HTML is all article.
"""

import copy
import re
from html import escape as html_escape

import lxml.etree
import lxml.html

from archive.ingest.dates import find_date, iso_date, parse_date
from archive.ingest.draft import Draft, DraftAuthor, ExtractionError
from archive.ingest.formats.common import decode_text
from archive.ingest.metadata import (
    NAME_PARTICLES,
    Block,
    byline_names,
    finish,
    is_organisation,
    split_keywords,
)
from archive.ingest.repair import LANGUAGES, detect_language, normalise_text, script_of

_DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe",
              "object", "embed", "svg", "math", "template", "button", "select", "input", "menu"]  # fmt: skip
_FURNITURE = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|breadcrumbs?|sidebar|footer|site-footer|header|masthead|share|sharing|"
    r"social|comments?|related|advert\w*|ads?|cookie\w*|newsletter|subscribe|promo|widget|skip-link)($|[\s_-])",
    re.I,
)
_BLOCK_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "dl",
    "table",
    "figure",
}
_CONTAINERS = {"div", "section", "article", "main", "body", "span", "center", "font"}
_SITE_SUFFIX = re.compile(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014-]{2,60}$")


def _text(element):
    return normalise_text(" ".join(element.text_content().split()))


def html_blocks(element):
    """Block-level pieces of `element`, in order, each with its HTML."""
    blocks = []
    if element.text and element.text.strip() and element.tag not in _BLOCK_TAGS:
        blocks.append(Block(lines=[normalise_text(element.text.strip())]))
    for child in element:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.lower()
        if tag in _DROP_TAGS:
            pass
        elif tag in _BLOCK_TAGS:
            text = _text(child)
            if text:
                child.tail = None
                html = lxml.html.tostring(child, encoding="unicode")
                blocks.append(
                    Block(
                        lines=[text],
                        tag=tag if tag in {"h1", "h2", "h3", "h4", "h5", "h6"} else "p",
                        html=html if tag != "h1" else "",
                    )
                )
        elif (
            tag in _CONTAINERS
            and not any(True for _ in child.iterdescendants(*_BLOCK_TAGS, "div", "section"))
            and _text(child)
        ):
            # A container of inline content only: one paragraph.
            inner = (child.text or "") + "".join(
                lxml.html.tostring(c, encoding="unicode") for c in child if isinstance(c.tag, str)
            )
            blocks.append(Block(lines=[_text(child)], html=f"<p>{inner.strip()}</p>"))
        elif tag not in {"br", "hr", "img"}:
            blocks.extend(html_blocks(child))
        if child.tail and child.tail.strip():
            blocks.append(Block(lines=[normalise_text(child.tail.strip())]))
    return blocks


def parse_html(data, *, filename="file.html"):
    text = decode_text(data, filename=filename) if isinstance(data, bytes) else data
    if not text.strip():
        raise ExtractionError(f"{filename} is empty.")
    try:
        # The text is already decoded: tell lxml the bytes are UTF-8 (without it, a page with no
        # charset declaration is read as Latin-1).
        # huge_tree: without it libxml2 stops at 256 levels of nesting and the deeper text is lost
        # (the sandbox bounds the memory and time a huge page may take).
        parser = lxml.html.HTMLParser(
            remove_comments=True, remove_pis=True, no_network=True, encoding="utf-8", huge_tree=True
        )
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as error:
        raise ExtractionError(f"{filename} is not a readable HTML page ({error}).") from error
    return root


# --- metadata tags ----------------------------------------------------------------------------


def _metas(root):
    """{lower-case name: [values]} of every <meta> (name, property or itemprop; content or value)."""
    found = {}
    for element in root.iter("meta"):
        value = " ".join((element.get("content") or element.get("value") or "").split())
        if not value:
            continue
        for attr in ("name", "property", "itemprop"):
            key = (element.get(attr) or "").strip().lower()
            if key:
                found.setdefault(key, []).append(value)
    return found


def _first(metas, *names):
    for name in names:
        for value in metas.get(name, []):
            if value.strip():
                return value.strip()
    return ""


def _marker(element):
    """An element's class, id and itemprop as words: "introContainer" reads "intro Container"."""
    marker = f"{element.get('class', '')} {element.get('id', '')} {element.get('itemprop', '')}"
    return re.sub(r"([a-z])([A-Z])", r"\1 \2", marker)


def _norm(text):
    return " ".join(re.sub(r"[^\w\s]", " ", normalise_text(text or "")).casefold().split())


_SEPARATORS = r"\s+[|\u2013\u2014:\-\u00b7\u2022]\s+"


def _strip_site(title, site_names):
    """A title without a trailing " | Site" or " - Site", or a leading "Site | ", where Site is the
    site's own name."""
    for site in site_names:
        site = site.strip()
        if not site:
            continue
        match = re.search(_SEPARATORS + re.escape(site) + r"\s*$", title, re.I)
        if match:
            return title[: match.start()].strip()
        match = re.match(r"\s*" + re.escape(site) + r"\s+[|\u2013\u2014\u00b7\u2022]\s+", title, re.I)
        if match and len(title) - match.end() >= 10:
            return title[match.end() :].strip()
    return title


_QUOTES = str.maketrans("\u2018\u2019\u201a\u201b\u2032\u201c\u201d\u201e\u201f\u2033", "'''''" + '"' * 5)


def _shown_headline(root, title):
    """The page's h1 where the metadata title is that headline plus an addition after a
    separator or bracket ("… (Published 2016)", "… - Author and Author"), the same words with
    other punctuation (typographic quotes, a quotation the tag left out), or a shortened form of
    it (words dropped or cut off for social cards); else the title. The headline as printed wins."""
    flat = " ".join(title.split())
    words = _words(flat)
    for element in root.iter("h1", "h2"):
        shown = " ".join(element.text_content().split())
        if shown != flat and (shown.translate(_QUOTES) == flat.translate(_QUOTES) or _words(shown) == words):
            return shown
    for element in root.iter("h1"):
        shown = " ".join(element.text_content().split())
        if len(shown) < 10 or len(shown) >= len(flat) or not flat.casefold().startswith(shown.casefold()):
            continue
        if re.match(r"\s*(\(|[|\u2013\u2014\-:\u00b7\u2022]\s)", flat[len(shown) :]):
            return shown
    for element in root.iter("h1"):
        if _kicker_before(element, flat):
            return " ".join(element.text_content().split())
    # A heading showing the tag's title as it is (a breadcrumb's h1 may word it otherwise): no
    # other wording of it is the headline.
    as_is = any(_words(element.text_content()) == words for element in root.iter("h1", "h2", "h3"))
    for element in root.iter("h1"):
        shown = " ".join(element.text_content().split())
        if _shortened(words, _words(shown)) or (not as_is and _one_word_changed(words, _words(shown))):
            return shown
    return _headline_over_label(root, title)


def _kicker_before(h1, title):
    """The metadata title is "Kicker: Headline" where the page sets the kicker apart right above
    its h1 ("Nach Gaetz-Rückzug" over "Trump-Anwältin soll …"): the kicker is no part of the title."""
    shown = " ".join(h1.text_content().split())
    if len(shown) < 10 or not title.casefold().endswith(shown.casefold()):
        return False
    match = re.fullmatch(r"(?P<kicker>.+?)\s*[:|\u2013\u2014\-]\s*", title[: len(title) - len(shown)])
    above = h1.getprevious()
    while above is not None and not " ".join(above.text_content().split()):
        above = above.getprevious()  # an empty element (a picture's slot) between them
    return bool(match and above is not None and _norm(above.text_content()) == _norm(match["kicker"]))


def _one_word_changed(words, shown):
    """The same headline with one word written otherwise ("Johannesburg has failed …" in the tag,
    "Joburg has failed …" printed): six words or more, all others in place."""
    if len(words) != len(shown) or len(words) < 6:
        return False
    return sum(a != b for a, b in zip(words, shown, strict=True)) == 1


def _words(text):
    return re.findall(r"\w+", text.casefold())


def _shortened(short, full):
    """`short` is `full` with some words left out or cut off (each in order, the first kept), as a
    social card's title shortens the headline; a label of a word or two is no shortening."""
    if len(short) < 4 or len(full) <= len(short) or len(full) > 2 * len(short) or short[0] != full[0]:
        return False
    rest = iter(full)
    kept = all(word in rest for word in short[:-1])
    return kept and any(word.startswith(short[-1]) for word in rest)  # the last one may be cut off


def _headline_over_label(root, title):
    """The page's only h1 where the metadata title is a label made of some of its words ("Arbeit"
    over "Wir kämpfen für gute Arbeit"): the label names the page's topic, the h1 is the headline."""
    shown = [" ".join(h.text_content().split()) for h in root.iter("h1")]
    shown = [text for text in shown if text]
    if len(shown) != 1:
        return title
    words, label = _norm(shown[0]).split(), _norm(title).split()
    if label and len(label) <= 3 and len(words) > len(label) and set(label) <= set(words):
        return shown[0]
    return title


_KICKER = re.compile(
    r"^(opinion|analysis|review|editorial|commentary|breaking( news)?|exclusive|watch|live|video|podcast|"
    r"update|updated|perspective|column|essay|interview)\s*[|:\u2013\u2014-]\s+(?=\S)",
    re.I,
)


def _site_names(root, metas):
    names = [_first(metas, "og:site_name"), _first(metas, "application-name")]
    title_el = root.find(".//title")
    if title_el is not None:
        text = " ".join(title_el.text_content().split())
        parts = re.split(_SEPARATORS, text)
        if len(parts) > 1:
            names.append(parts[-1])
    return [n for n in names if n]


_NAME_LIKE = re.compile(r"^[^\d@/:]{3,80}$")


_DOMAIN = re.compile(r"(www\.)?[\w-]+(\.[a-z]{2,})+", re.I)


# "Photograph by Tyrone Turner, National Geographic Creative": a picture's credit, not a byline.
_CREDIT = re.compile(r"^(photo(graph)?s?|illustrations?|images?|video|graphics?)\b[^,;]{0,20}\bby\b", re.I)


def _meta_names(value):
    """Author names in a metadata value ("A, B and C", "A; B"), or [] when it is not names."""
    if "://" in value or "@" in value or _DOMAIN.fullmatch(value.strip()) or _CREDIT.match(value.strip()):
        return []  # a URL, an e-mail, a domain ("lefigaro.fr") or a credit names no author
    return byline_names(value)


# Outlets, agencies and roles: not people (an outlet or organisation is not an author).
_NOT_PERSON = re.compile(
    r"\b(reuters|associated press|ap|afp|dpa|bloomberg|staff|admin|administrator|bureau|desk|team|"
    r"newsroom|editors?|editorial|wire|agency|agencies|correspondents?|writers?|reporters?|"
    r"contributors?|news|media|press|magazine|online|ministr\w*|department|office|redaktion|"
    r"rédaction|guest|anonymous|unknown|\w*zeitung|gazette|newspaper|"
    r"photo(graph)?s?|photographer|illustrations?|images?|credits?|getty|"
    r"editions?|éditions|ediciones|edizioni|verlag|publish\w*)\b",
    re.I,
)
_BYLINE_LEAD = re.compile(r"^(by|von|par|por|di|door|text|texte|text:|текст)\s*:?\s+", re.I)
_BYLINE_PLACE = re.compile(r"\s+(in|à|en|aus|from)\s+[A-Z][\w.\- ]*(,\s*[A-Z][\w.\- ]*)*$")
# The byline's date run into the name ("Laura E Adkins December"): a month is no part of a name.
_BYLINE_MONTH = re.compile(
    r"\s+(January|February|March|April|May|June|July|August|September|October|November|December)"
    r"(\s+\d{1,2}(,?\s+\d{4})?)?$"
)


def _lowercase_word(name):
    """A Latin-script name with a lower-case word that is no particle ("ORF at": the domain
    "ORF.at", which trafilatura splits at its dot) is no person's name."""
    if script_of(name) == "arabic":
        return False
    return any(word.isalpha() and word.islower() and word not in NAME_PARTICLES for word in name.split())


def _person(name, sites):
    """A byline name tidied ("By A" -> "A", "A in Kabul" -> "A", "JORDAN ROBERTSON" -> "Jordan
    Robertson"), or "" when it is no person."""
    name = _BYLINE_PLACE.sub("", _BYLINE_LEAD.sub("", " ".join(name.split()))).strip(" ,;")
    if name.isupper() and len(name) > 3:  # a byline set in capitals is written as a name
        name = " ".join(word.capitalize() for word in name.split())
    name = _BYLINE_MONTH.sub("", name) if len(name.split()) > 2 else name
    if (
        not name
        or _NOT_PERSON.search(name)
        or is_organisation(name)
        or _lowercase_word(name)
        or (len(name.split()) < 2 and not re.search(r"[\u0600-\u06ff]", name))
    ):
        return ""
    key = re.sub(r"\W", "", name.casefold())
    if any(key and key == re.sub(r"\W", "", site.casefold()) for site in sites):
        return ""
    return name


def _people(names, sites):
    out = []
    for name in names:
        person = _person(name, sites)
        # The same person twice ("Troy Smith", "Troy L Smith") is kept once.
        words = set(person.casefold().replace(".", "").split())
        if person and not any(words <= set(o.casefold().replace(".", "").split()) or
                              set(o.casefold().replace(".", "").split()) <= words for o in out):  # fmt: skip
            out.append(person)
    return out


def _authors(metas, extracted, sites=()):
    """People in byline order: Highwire tags (with their institutions), else the names trafilatura
    read from the byline, widened to a metadata list that holds them all."""
    names = metas.get("citation_author", [])
    if names:
        # citation_author_institution tags follow their author's tag: pair them up in order.
        return [DraftAuthor(name=_tidy_name(n), affiliation=a) for n, a in _institutions(metas, names)]
    meta_lists = []
    for key in ("article:author", "og:article:author", "author", "dc.creator", "dcterms.creator",
                "parsely-author", "sailthru.author", "byl"):  # fmt: skip
        for value in metas.get(key, []):
            found = _meta_names(value)
            if found:
                meta_lists.append(found)
    # The byline's schema.org microdata and its rel="author" links, where the tags name no one.
    for key in ("_microdata_authors", "_rel_authors"):
        if metas.get(key):
            meta_lists.append(metas[key])
    # An author tag holding the site's domain ("lefigaro.fr"), as trafilatura reads it, is no one.
    sites = [
        *sites,
        *(v for key in ("author", "article:author") for v in metas.get(key, []) if _DOMAIN.fullmatch(v)),
    ]
    read = [n.strip() for n in re.split(r";", extracted or "") if n.strip()]
    read = [] if any(_CREDIT.match(n) for n in read) else read  # the credit's agency went with it
    read = _people([n for n in read if _NAME_LIKE.match(n)], sites)
    meta_lists = [people for people in (_people(found, sites) for found in meta_lists) if people]
    # trafilatura drops the dots of initials ("T C Sottek"): a tag's spelling of the same name wins.
    spelled = {_letters(n): n for found in meta_lists for n in found}
    read = [spelled.get(_letters(n), n) for n in read]
    if read:
        for found in meta_lists:
            if set(read) <= set(found):
                return [DraftAuthor(name=n) for n in found]
        # Names the page's own tags all contradict (trafilatura read a teaser's author at the foot
        # of the page): the tags' people win.
        tagged = {_letters(n) for found in meta_lists for n in found}
        if tagged and not tagged & {_letters(n) for n in read}:
            return [DraftAuthor(name=n) for n in meta_lists[0]]
        return [DraftAuthor(name=n) for n in read]
    if meta_lists:
        return [DraftAuthor(name=n) for n in meta_lists[0]]
    return []


def _shown_spelling(name, page_text):
    """A name with its initials' dots as the page writes it ("Laura E. Adkins"), where trafilatura
    dropped them ("Laura E Adkins")."""
    words = name.split()
    if "." in name or not any(len(w) == 1 for w in words):
        return name
    pattern = r"\b" + r"\.?\s*".join(re.escape(w) for w in words) + r"\b"
    for match in re.finditer(pattern, page_text):
        if "." in match[0]:
            return " ".join(match[0].split())
    return name


def _letters(name):
    return re.sub(r"[\W_]", "", name.casefold())


def _rel_authors(root):
    """Texts of the links marked rel="author" in page order (HTML's own byline markup), those of
    the first one's <article> only: another <article> on the page is another story (a teaser)."""
    names, story = [], None
    for element in root.xpath('//a[contains(concat(" ", normalize-space(@rel), " "), " author ")]'):
        text = " ".join(element.text_content().split())
        if not text or not _NAME_LIKE.match(text):
            continue
        article = next(element.iterancestors("article"), None)
        story = article if not names else story
        if text not in names and article is story:
            names.append(text)
    return names


def _microdata_authors(root):
    """Names of schema.org `itemprop="author"` elements in page order (the byline's markup)."""
    names = []
    for element in root.xpath('//*[@itemprop="author"]'):
        named = element.xpath('.//*[contains(concat(" ", @itemprop, " "), " name ")]')
        text = " ".join((named[0] if named else element).text_content().split())
        if text and text not in names:
            names.append(text)
    return names


def _tidy_name(name):
    name = " ".join(name.split())
    if "," in name and name.count(",") == 1:  # "Last, First"
        last, first = (part.strip() for part in name.split(","))
        name = f"{first} {last}"
    return name


def _institutions(metas, names):
    institutions = metas.get("_citation_pairs")
    if institutions:
        return institutions
    return [(n, "") for n in names]


_INSTITUTION = {"citation_author_institution", "citation_author_affiliation"}


def _citation_pairs(root):
    """(author, "inst1; inst2") from citation_author / citation_author_institution in page order."""
    pairs = []
    for element in root.iter("meta"):
        key = (element.get("name") or element.get("property") or "").strip().lower()
        value = " ".join((element.get("content") or element.get("value") or "").split())
        if key == "citation_author" and value:
            pairs.append([value, []])
        elif key in _INSTITUTION and value and pairs and value not in pairs[-1][1]:
            pairs[-1][1].append(value)
    return [(name, "; ".join(affs)) for name, affs in pairs]


_PUBLISHED = ("article:published_time", "og:article:published_time", "citation_publication_date",
              "citation_date", "citation_online_date", "dc.date", "dc.date.issued", "dcterms.date",
              "dcterms.issued", "date", "pubdate", "publishdate", "publish-date", "datepublished",
              "article.published", "parsely-pub-date", "sailthru.date", "og:published_time")  # fmt: skip


def _meta_dates(metas, root):
    dates = []
    for key in _PUBLISHED:
        for value in metas.get(key, []):
            date = iso_date(value)
            if date:
                dates.append(date)
    for element in root.iter("time"):
        if element.get("itemprop") == "datePublished" or element.get("pubdate") is not None:
            date = iso_date(element.get("datetime") or "")
            if date:
                dates.append(date)
    # A first of January beside another date of the same year is a year alone written as a date.
    dates = [
        d for d in dates if not (d.month == d.day == 1 and any(o.year == d.year and o != d for o in dates))
    ]
    return dates


# --- what the page shows around its headline --------------------------------------------------

_STANDFIRST = re.compile(
    r"(^|[\s_-])(dek|standfirst|stand-first|intro|teaser|lede|summary|description|excerpt|subtitle|"
    r"sub-title|subhead|subheadline|strapline|chapo|chapeau|article-?desc\w*)($|[\s_-])",
    re.I,
)
_LEAD_MEDIA = re.compile(r"(image|video|media|photo|figure|gallery|player)", re.I)
_UPDATED = re.compile(
    r"^(updated|published|posted|last updated|first published|this article is more than|"
    r"mis à jour|publié|veröffentlicht|aktualisiert|stand:)\b",
    re.I,
)


def _headline(root, title):
    """The element showing the headline (h1 or h2 whose text is the title)."""
    want = _norm(title)
    if not want:
        return None
    for element in root.iter("h1", "h2"):
        text = _norm(element.text_content())
        if text and (text == want or (len(text) > 10 and want.endswith(text))):
            return element
    return None


def _standfirst(root, headline, body_start, description):
    """The standfirst shown under the headline: an element marked as one, or the page's
    description shown as a paragraph of its own, before the body's first paragraph."""
    if headline is None:
        return ""
    first = _norm(body_start)[:80]
    want = _norm(description)
    seen = False
    for element in root.iter():
        if element is headline:
            seen = True
            continue
        if not seen or not isinstance(element.tag, str) or element.tag in {"script", "style", "meta"}:
            continue
        text = " ".join(element.text_content().split())
        norm = _norm(text)
        marker = _marker(element)
        if element.tag == "p" and element.getparent() is headline.getparent():
            marker += " " + _marker(headline.getparent())  # a header block holding headline and intro
        fits = 20 <= len(text) <= 600 and element.tag in {"p", "div", "h2", "h3", "span", "section"}
        media = _LEAD_MEDIA.search(marker)  # "image__lede": the lead picture or video, not text
        if fits and ((_STANDFIRST.search(marker) and not media) or (want and norm == want)):
            return text
        if _deck(element, headline, text):
            return text
        if first and norm.startswith(first):
            return ""
    return ""


def _section_label(text, headline):
    """A line of one to three words that the page shows as a link just before the headline, in
    its header (the section "Ekonomi" over the headline): a label, not the text."""
    if headline is None or not 0 < len(text.split()) <= 3:
        return False
    header = headline.getparent()
    if header is None:
        return False
    for element in header.iter():
        if element is headline:
            return False  # only what stands before it
        if element.tag == "a" and _norm(element.text_content()) == _norm(text):
            return True
    return False


def _deck(element, headline, text):
    """A subheading standing right after the headline that reads as a clause (eight words or
    more, no label): the deck, shown as the standfirst ("CHINESE AGGRESSION: Manila accused …")."""
    previous = element.getprevious()
    while previous is not None and not isinstance(previous.tag, str):  # comments between them
        previous = previous.getprevious()
    return (
        previous is headline
        and element.tag in {"h2", "h3", "h4"}
        and len(text.split()) >= 8
        and len(text) <= 600
        and not text.endswith(":")
    )


def _between_headline_and_body(root, headline, body_start):
    """The elements after the headline, in document order, up to the one holding the body's first
    paragraph (scripts and styles left out)."""
    first = _norm(body_start)[:80]
    seen = False
    for element in root.iter():
        if element is headline:
            seen = True
            continue
        if not seen or not isinstance(element.tag, str) or element.tag in {"script", "style"}:
            continue
        if first and _norm(element.text_content()).startswith(first):
            return
        yield element


def _byline_date(root, headline, body_start):
    """A date written between the headline and the body's first paragraph, else a date line
    standing alone just above the headline, in the article's header ("10.04.2011 | 10 comments")."""
    if headline is None:
        return None
    for element in _between_headline_and_body(root, headline, body_start):
        text = " ".join((element.text or "").split())
        if text and len(text) <= 120:
            date = find_date(text)
            if date:
                return date
    return _header_date(headline)


_PUBLISHED_LABEL = re.compile(
    r"^(published|first published|publié le|veröffentlicht am|publicado)(?![a-z])", re.I
)


def _labelled_date(root, headline, body_start):
    """The date the page labels as its publication ("Published 14 July 2017" beside the headline,
    a <time> under a "Published" label): what the page says of itself, where its metadata may
    give the day the story was first filed."""
    if headline is None:
        return None
    for element in _between_headline_and_body(root, headline, body_start):
        if element.tag != "time":
            continue
        for level, ancestor in enumerate(element.iterancestors()):
            text = " ".join(ancestor.text_content().split())
            if level >= 5 or len(text) > 80:
                break
            if _PUBLISHED_LABEL.match(text):
                return iso_date(element.get("datetime") or "") or find_date(text)
    return None


def _header_date(headline):
    """The last element before the headline, within its nearest enclosing blocks, whose own text
    is a date and nothing else."""
    found = None
    for level, ancestor in enumerate(headline.iterancestors()):
        if level >= 3 or ancestor.tag in {"body", "html"}:
            break
        for element in ancestor.iter():
            if element is headline:
                break
            if not isinstance(element.tag, str) or element.tag in {"script", "style"}:
                continue
            text = " ".join((element.text or "").split())
            if text and len(text) <= 40 and parse_date(text):
                found = parse_date(text)
        if found:
            return found
    return None


_BYLINE_MARK = re.compile(r"(^|[\s_-])(author|authors|byline|autor|auteur)($|[\s_-])", re.I)


def _shown_byline(root, headline, body_start, sites):
    """The names in an element marked as the byline (class "author" or "byline") between the
    headline and the body's first paragraph, standfirst included: "VON GEORG BLUME"."""
    if headline is None:
        return [], ""
    for element in _between_headline_and_body(root, headline, body_start):
        text = " ".join(element.text_content().split())
        bare = _BYLINE_LEAD.sub("", text)
        marked = _BYLINE_MARK.search(_marker(element)) or (bare != text and element.tag != "p")
        marked = marked or _author_page_link(element)
        if not marked and (piped := _PIPED_NAME.match(text)) and _date_follows(element):
            bare, marked = piped["name"], True  # "Sehernur Karsu |" beside "05.04.2025"
        if not marked or len(text) > 80:
            continue
        undated = _BYLINE_MONTH.sub("", bare)  # "By Laura E. Adkins December 28, 2016"
        bare = undated if len(undated.split()) >= 2 else bare  # "By Theresa May" stays
        if bare.isupper():  # a byline set in capitals is written as names
            bare = " ".join(word.capitalize() for word in bare.split())
        people = _people(byline_names(bare), sites)
        if people:
            return people, text
    return [], ""


# A name set before a separator, the date after it in the next element: "Jane Roe | 05.04.2025".
_PIPED_NAME = re.compile(r"^(?P<name>[^|\u2022\u00b7\d]{3,60}?)\s*[|\u2022\u00b7]$")


def _date_follows(element):
    following = element.getnext()
    text = " ".join(following.text_content().split()) if following is not None else ""
    return 0 < len(text) <= 120 and find_date(text) is not None


# A link to the writer's page on the site ("/author/jane-doe/", "/autoren/…"): the byline's markup
# where no class says so.
_AUTHOR_PAGE = re.compile(
    r"/(authors?|autor(en)?|auteurs?|writers?|contributors?|journalists?)/[^/?#]+", re.I
)


def _author_page_link(element):
    return element.tag == "a" and bool(_AUTHOR_PAGE.search(element.get("href") or ""))


# --- the article's text ---------------------------------------------------------------------

_BODY_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "table", "dl"}
_KEEP_ATTRS = {
    "a": {"href"},
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


_LIBXML_DEPTH = 255


def _nested_deeper_than(root, levels):
    depth = 0
    for event, _element in lxml.etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > levels:
            return True
    return False


def _main_text(text):
    """trafilatura's main text as (HTML element holding the blocks, metadata document)."""
    import trafilatura
    from trafilatura.htmlprocessing import convert_to_html

    document = trafilatura.bare_extraction(
        text,
        with_metadata=True,
        include_comments=False,
        favor_precision=True,
        include_links=True,
        include_tables=True,
        deduplicate=False,
        # Without extensive search htmldate reads the markup only; its free-text fallback
        # (dateparser) costs seconds a page.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if document is None or document.body is None:
        return None, document
    body = convert_to_html(copy.deepcopy(document.body)).find("body")
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        allowed = _KEEP_ATTRS.get(element.tag, set())
        for attr in list(element.attrib):
            if attr not in allowed:
                del element.attrib[attr]
    return body, document


def _layout_table(element):
    """A table used for page layout: its cells hold paragraphs, not data."""
    return element.tag == "table" and any(True for _ in element.iterdescendants("p", "h1", "h2", "h3"))


def _blocks_of(body):
    """[(tag, text, html)] of the blocks of trafilatura's HTML, layout tables unwrapped, loose
    inline content gathered into paragraphs."""
    out = []
    if body is None:
        return out
    run = []  # loose inline markup waiting to become a paragraph

    def flush():
        markup = "".join(run).strip()
        run.clear()
        if markup:
            text = normalise_text(" ".join(lxml.html.fromstring(f"<p>{markup}</p>").text_content().split()))
            if text:
                out.append(("p", text, f"<p>{markup}</p>"))

    if body.text and body.text.strip():
        run.append(html_escape(body.text))
    for child in body:
        if not isinstance(child.tag, str):
            continue
        tail, child.tail = child.tail, None
        if child.tag in {"div", "tr", "td", "th", "tbody", "thead", "section"} or _layout_table(child):
            flush()
            out.extend(_blocks_of(child))
        elif child.tag in _BODY_TAGS:
            flush()
            text = normalise_text(" ".join("".join(child.itertext()).split()))
            if text:
                out.append((child.tag, text, lxml.html.tostring(child, encoding="unicode").strip()))
        elif child.tag != "br":
            run.append(lxml.html.tostring(child, encoding="unicode"))
        if tail and tail.strip():
            run.append(html_escape(tail))
    flush()
    # A paragraph cut after an opening bracket or a lone mark joins the one after it.
    merged = []
    for block in out:
        if (
            merged
            and merged[-1][0] == "p"
            and re.fullmatch(r"[(\[\u201c\u2018\"'\u00ab\u2014\u2013-]", merged[-1][1])
        ):
            lead = merged.pop()
            if block[0] == "p":
                inner = re.sub(r"^<p>|</p>$", "", lead[2]) + re.sub(r"^<p[^>]*>", "", block[2])
                block = ("p", lead[1] + block[1], "<p>" + inner)
        merged.append(block)
    return merged


# A block that is only a control or a label of the page, wherever it stands.
_UI_LINE = re.compile(
    r"^(main content|continue reading( the main story)?|advertisement|supported by|skip to (main )?content|"
    r"share( this( article| story)?)?|print|email|text size|publicité|anzeige)$",
    re.I,
)
# "Read more from Jennifer Rubin:" and the list of links after it.
_READ_MORE = re.compile(
    r"^(read more|more from|more by|related|see also|lire aussi|mehr zum thema)\b.{0,60}:$", re.I
)


def _link_only(markup):
    try:
        element = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return False
    text = " ".join(element.text_content().split())
    links = " ".join(" ".join(a.text_content().split()) for a in element.iter("a"))
    return bool(text) and len(links) >= 0.9 * len(text)


# "Follow Khaama Press on Twitter, become a fan on Facebook": the site's invitation, not the article.
_FOLLOW_US = re.compile(
    r"^(follow|like|join|subscribe to)\b.{0,80}\bon (twitter|facebook|instagram|linkedin|telegram|x)\b", re.I
)


# "Illustration by Mike Nudelman", "Photo: Getty Images": a picture's credit left in the text.
_CREDIT_LINE = re.compile(r"^(photo(graph)?s?|illustrations?|images?|graphics?)\s*(by\b|:)", re.I)
# "Sign up to the Weekly Brief here for news … in your inbox": the site's newsletter, not the article.
_SIGN_UP = re.compile(
    r"^(sign up|subscribe|register)\b.{0,120}\b(newsletters?|brief(ing)?|digest|inbox|e-?mails?)\b", re.I
)
# "Like Retraction Watch? Consider making a tax-deductible contribution": the site's appeal.
_APPEAL = re.compile(
    r"^(like|enjoy|love|value)\b[^?]{1,80}\?\s+(please\s+)?(consider|support|donate|become)\b", re.I
)

# "Hat Ihnen dieser Artikel gefallen? Dann unterstützen Sie uns bitte mit einer Spende": a question
# to the reader, then a call to give: the site's appeal, in any language it asks for money.
_DONATE = re.compile(
    r"^[^?]{5,80}\?\s.{0,160}\b(donat\w*|contribut\w*|spende\w*|unterst\u00fctz\w*|soutenez|faites un don|"
    r"dona\w*|membership|become a (member|supporter|patron))\b",
    re.I,
)
# "First published in The Conversation": where the piece appeared before, a note about it.
_REPUBLISHED = re.compile(
    r"^(this (article|piece|story|post|essay) (was )?)?(first|originally) (published|appeared|posted) "
    r"(in|on|at|by)\b",
    re.I,
)


def _drop_ui_lines(blocks):
    out, trailer = [], False
    for block in blocks:
        tag, text, markup = block
        if trailer and (tag in {"ul", "ol"} or (tag == "p" and len(text) < 150 and _link_only(markup))):
            continue
        trailer = bool(_READ_MORE.match(text))
        invitation = len(text) < 250 and (_FOLLOW_US.match(text) or _SIGN_UP.match(text))
        invitation = invitation or (len(text) < 600 and _APPEAL.match(text))
        invitation = invitation or (len(text) < 100 and _CREDIT_LINE.match(text))
        invitation = invitation or (len(text) < 400 and _DONATE.match(text))
        invitation = invitation or (len(text) < 250 and _REPUBLISHED.match(text))
        if trailer or _UI_LINE.match(text.strip(" .:…")) or invitation:
            continue
        out.append(block)
    return out


# A journal's article information ("Citation: …", "Academic Editor: …", "Received" over its date,
# "Reviewed by" over the reviewers): labelled lines about the article, not its text.
_INFO_LABEL = re.compile(
    r"^(citation|cite this article|academic editor|handling editor|edited by|reviewed by|received|revised|"
    r"accepted|published|copyright|data availability( statement)?|funding|competing interests|"
    r"conflicts? of interest|volume|keywords)\b\s*(?P<colon>:)?",
    re.I,
)


def _drop_article_info(blocks):
    """A journal's article-information lines, where the page has several of them: each "Label:
    value" paragraph, and each label standing alone with the value paragraph under it."""
    labels = [b for b in blocks if b[0] == "p" and (m := _INFO_LABEL.match(b[1])) and _info_line(b[1], m)]
    if len({_INFO_LABEL.match(b[1])[1].casefold() for b in labels}) < 3:
        return blocks
    out, skip_value = [], False
    for block in blocks:
        tag, text, _ = block
        match = _INFO_LABEL.match(text) if tag == "p" else None
        if match and _info_line(text, match):
            skip_value = not match["colon"] and len(text) == match.end()  # the label alone
            continue
        if skip_value and tag == "p" and len(text) < 400:
            skip_value = False
            continue
        skip_value = False
        out.append(block)
    return out


def _info_line(text, match):
    alone = len(text.strip(" :")) == len(match[0].strip(" :"))
    return alone or (bool(match["colon"]) and len(text) < 1200)


def _is_heading(tag):
    return tag in {"h1", "h2", "h3", "h4", "h5", "h6"}


def _lead_furniture(tag, text, title, names):
    """A leading block that is the title, a byline, a date line or an "Updated ..." note."""
    if _is_heading(tag) and _norm(text) == _norm(title):
        return True
    if len(text) > 160:
        return False
    if parse_date(text) or (_UPDATED.match(text) and find_date(text + " 2000") is not None):
        return True
    if re.fullmatch(r"\d{1,6}", text):
        return True  # a counter above the text ("295": the comments' link)
    if _UPDATED.match(text) and len(text) < 100:
        return True
    parts = re.split(r"\s*[\u00b7|\u2022]\s*", text)
    if len(parts) > 1 and all(len(p.split()) <= 3 for p in parts) and any(_UPDATED.match(p) for p in parts):
        return True  # "Business · Updated": the section's label and a status above the headline
    bare = re.sub(r"^(by|von|par|por)\s+", "", text, flags=re.I)
    if names and bare != text and byline_names(bare):
        return True
    if bare != text and len(text) < 100 and find_date(text):
        return True  # "By Khaama Press - Sat Apr 23 2016, 10:55 am": a byline and date line
    return bool(names) and _norm(text) in {_norm(n) for n in names}


# "Un texte de Frédéric Zalac d'Enquête", "Written by …": a byline opening the text.
_TEXT_BY = re.compile(r"^(un texte de|texte de|written by|words by|story by|reporting by)\s+", re.I)


def _lead_byline(block, root, sites):
    """The people of a byline paragraph opening the text (the names the page sets in bold or as
    links in it, else the words after its lead), or None when the paragraph is no such byline."""
    tag, text, _markup = block
    if tag != "p" or len(text) > 120 or not _TEXT_BY.match(text):
        return None
    # trafilatura's copy keeps no bold: the page's own paragraph says which words are the name.
    shown = next((e for e in root.iter("p") if _norm(e.text_content()) == _norm(text)), None)
    named = (
        [" ".join(e.text_content().split()) for e in shown.iter("strong", "b", "a")]
        if shown is not None
        else []
    )
    return _people([n for n in named if n] or byline_names(_TEXT_BY.sub("", text)), sites)


# "Written by Alison McCook" in a blog's signature after the text.
_SIGNATURE = re.compile(r"^(written|posted|published|story) by\s+(?P<who>[^|\u2022\u00b7]{3,60}?)\s*$", re.I)


def _short_texts(root, tags, limit):
    """(element, text) for the elements of `tags`, in document order, whose text (whitespace
    collapsed) is at most `limit` characters long. One pass counts every element's letters from
    its children up, so only short elements are read: reading each element's text in turn is
    quadratic on a deeply nested page (3,000 nested divs: a minute)."""
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    letters = {}
    for element in reversed(elements):  # children before their parents
        count = _nonspace(element.text)
        for child in element:
            count += letters.get(child, 0) + _nonspace(child.tail)
        letters[element] = count
    for element in elements:
        # A text of more than `limit` letters is longer than `limit` whatever its spaces.
        if element.tag in tags and letters[element] <= limit:
            text = " ".join(element.text_content().split())
            if len(text) <= limit:
                yield element, text


def _nonspace(text):
    return len(text) - sum(ch.isspace() for ch in text) if text else 0


def _signature_authors(root, sites):
    """The people of a "Written by …" line anywhere on the page (a blog's signature block)."""
    for _, text in _short_texts(root, {"p", "span", "div"}, 80):
        if match := _SIGNATURE.match(text):
            people = _people(byline_names(match["who"]), sites)
            if people:
                return people
    return []


_TOPICS_LABEL = re.compile(
    r"^(themen|topics|tags|schlagw(ö|oe)rter|schlagworte|mots[- ]cl(é|e)s|sujets|temas|argomenti|"
    r"keywords)\s*:?$",
    re.I,
)


def _labelled_topics(root):
    """The items of a list of topic links under a "Themen:"/"Topics:" label (a stated keyword line)."""
    for element, text in _short_texts(root, {"p", "span", "div", "dt", "strong", "h2", "h3", "h4"}, 40):
        if not _TOPICS_LABEL.match(text):
            continue
        following = element.getnext()
        if following is not None and following.tag in {"ul", "ol"}:
            items = [" ".join(li.text_content().split()) for li in following.iter("li")]
            items = [item for item in items if 0 < len(item) <= 60]
            if items:
                return items
    return []


def extract(data, *, filename="file.html"):
    text = decode_text(data, filename=filename) if isinstance(data, bytes) else data
    root = parse_html(text, filename=filename)
    metas = _metas(root)
    metas["_citation_pairs"] = _citation_pairs(root)
    draft = Draft()

    # trafilatura parses a page's text with libxml2's default limit; a page nested deeper is handed
    # over as the tree read here.
    body, document = _main_text(copy.deepcopy(root) if _nested_deeper_than(root, _LIBXML_DEPTH) else text)
    blocks = _blocks_of(body)

    sites = _site_names(root, metas)
    title = _first(metas, "citation_title", "og:title", "twitter:title", "dc.title")
    title = _strip_site(title, sites) if title else ""
    if not title and document is not None and document.title:
        title = document.title
    if not title:
        title_el = root.find(".//title")
        title = _strip_site(" ".join(title_el.text_content().split()), sites) if title_el is not None else ""
    if not title:
        heading = next((b for b in blocks if b[0] in {"h1", "h2"}), None)
        title = heading[1] if heading else ""
    title = _shown_headline(root, title)
    draft.title = _KICKER.sub("", normalise_text(title)).strip()

    publishers = [
        _first(metas, key) for key in ("article:publisher", "publisher", "copyright", "twitter:site")
    ]
    metas["_microdata_authors"] = _microdata_authors(root)
    metas["_rel_authors"] = _rel_authors(root)
    draft.authors = _authors(metas, document.author if document is not None else "", [*sites, *publishers])
    if draft.authors:
        shown = " ".join(root.text_content().split())
        draft.authors = [
            DraftAuthor(name=_shown_spelling(a.name, shown), affiliation=a.affiliation) for a in draft.authors
        ]
    names = [a.name for a in draft.authors]

    blocks = _drop_article_info(_drop_ui_lines(blocks))
    # The body: leading title, byline and date lines go; a standfirst becomes the abstract.
    lead_dates = []
    while blocks and _lead_furniture(blocks[0][0], blocks[0][1], draft.title, names):
        lead_dates.append(parse_date(blocks.pop(0)[1]))
    blocks = [b for b in blocks if not (_is_heading(b[0]) and _norm(b[1]) == _norm(draft.title))]

    abstract = _first(metas, "citation_abstract", "dc.description") if metas.get("citation_title") else ""
    if blocks and _is_heading(blocks[0][0]) and re.match(r"^(abstract|summary|résumé|zusammenfassung)$",
                                                        blocks[0][1], re.I):  # fmt: skip
        section = []
        for block in blocks[1:]:
            if _is_heading(block[0]):
                break
            section.append(block)
        if section:
            abstract = "\n\n".join(b[1] for b in section)
            blocks = blocks[1 + len(section) :]
    description = _first(metas, "og:description", "description", "twitter:description")
    headline = _headline(root, draft.title)
    while blocks and _section_label(blocks[0][1], headline):
        blocks.pop(0)
    body_start = next((b[1] for b in blocks if b[0] == "p"), "")
    if not abstract:
        standfirst = _standfirst(root, headline, body_start, description)
        if standfirst:
            abstract = standfirst
    # A byline marked as such under the headline ("VON GEORG BLUME" ending the standfirst).
    lead = _norm(abstract)[:40]
    text_start = next(
        (b[1] for b in blocks if b[0] == "p" and not (lead and _norm(b[1]).startswith(lead))), ""
    )
    shown_names, shown_byline = _shown_byline(root, headline, text_start, [*sites, *publishers])
    if not draft.authors and shown_names:
        draft.authors = [DraftAuthor(name=name) for name in shown_names]
        names = shown_names
    if shown_byline and abstract.rstrip().endswith(shown_byline):
        abstract = abstract.rstrip()[: -len(shown_byline)].rstrip()
    # The standfirst repeated as the first paragraph (a deck heading may stand before it) goes.
    first = next((i for i, b in enumerate(blocks) if not _is_heading(b[0])), None)
    repeated = first is not None and blocks[first][0] == "p" and bool(abstract)
    if repeated and _norm(blocks[first][1]).startswith(_norm(abstract)[:80]):
        blocks.pop(first)
        while blocks and _lead_furniture(blocks[0][0], blocks[0][1], draft.title, names):
            lead_dates.append(parse_date(blocks.pop(0)[1]))
    while blocks and (people := _lead_byline(blocks[0], root, [*sites, *publishers])) is not None:
        blocks.pop(0)
        if people and not draft.authors:
            draft.authors = [DraftAuthor(name=name) for name in people]
    if not draft.authors:
        draft.authors = [DraftAuthor(name=n) for n in _signature_authors(root, [*sites, *publishers])]
    draft.abstract = normalise_text(abstract)
    dates = _meta_dates(metas, root)
    lead_dates = [d for d in lead_dates if d]
    shown = lead_dates[0] if lead_dates else _byline_date(root, headline, body_start)
    date = dates[0] if dates else shown
    utc = any(re.search(r"T[\d:.]+(Z|\+00:?00)$", v) for key in _PUBLISHED for v in metas.get(key, []))
    if dates and shown and utc and abs((dates[0] - shown).days) == 1:
        date = shown  # a UTC timestamp a day off the date the page shows: the publisher's own day
    date = _labelled_date(root, headline, body_start) or date
    if date is None:
        date = _htmldate(text)
    if date is None and document is not None and document.date:
        date = iso_date(document.date)
    draft.date = date

    keywords = []
    # news_keywords are the article's own (Google News); a page's keywords tag is often the site's.
    for key in ("citation_keywords", "news_keywords", "keywords", "article:tag", "og:article:tag",
                "dc.subject"):  # fmt: skip
        values = metas.get(key, [])
        if values:
            keywords = split_keywords(";".join(values) if len(values) > 1 else values[0])
            if keywords:
                break
    draft.keywords = keywords or split_keywords(";".join(_labelled_topics(root)))

    draft.source_name = _first(metas, "citation_journal_title", "og:site_name")
    draft.source_volume = _first(metas, "citation_volume")
    draft.source_issue = _first(metas, "citation_issue")
    first_page, last_page = _first(metas, "citation_firstpage"), _first(metas, "citation_lastpage")
    draft.source_pages = f"{first_page}-{last_page}" if first_page and last_page else first_page
    doi = _first(metas, "citation_doi", "dc.identifier").removeprefix("doi:").strip()
    draft.doi = doi if doi.startswith("10.") else ""
    canonical = root.xpath('//link[@rel="canonical"]/@href') or metas.get("og:url", [])
    if canonical and canonical[0].startswith(("http://", "https://")):
        draft.source_url = canonical[0]

    draft.body_html = "\n".join(b[2] for b in blocks)
    draft.body = [b[1] for b in blocks]
    lang = (
        root.get("lang")
        or root.get("xml:lang")
        or _first(metas, "og:locale", "content-language", "dc.language")
    )
    lang = lang.replace("_", "-").split("-")[0].lower()
    sample = " ".join([draft.title, draft.abstract, *draft.body])
    draft.language = lang if lang in LANGUAGES else detect_language(sample)
    if not draft.kind:
        draft.kind = "paper" if draft.abstract and draft.keywords else "commentary"
    finish(draft)
    return draft


def _htmldate(text):
    """htmldate's reading of the page's original publication date (no network: the page only)."""
    try:
        from htmldate import find_date as htmldate_find

        found = htmldate_find(text, original_date=True, extensive_search=False, outputformat="%Y-%m-%d")
    except Exception:  # htmldate on broken markup
        return None
    return iso_date(found) if found else None
