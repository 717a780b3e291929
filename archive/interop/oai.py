"""OAI-PMH 2.0 (https://www.openarchives.org/OAI/openarchivesprotocol.html), Dublin Core only.

`oai_response(arguments, base_url=..., absolute_url=...)` takes the request's arguments (a
QueryDict) and returns the XML document as bytes. Protocol errors are part of the document, as
the protocol asks; they are never HTTP errors.

Records are public articles and tombstones of articles that left the public archive
(`OaiTombstone`), ordered by (datestamp, article id). A resumption token is the signed cursor
(last datestamp and id seen, records sent so far) plus the original arguments, so it stays valid
while the archive changes: a record edited during a harvest moves to the end and is sent again,
nothing is skipped. Tokens do not expire.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Min, Q
from django.utils import timezone
from lxml import etree

from archive.articles.models import Article
from archive.interop.citations import source_citation
from archive.interop.models import OaiTombstone
from archive.interop.queries import public_articles, with_datestamp
from archive.interop.xmltext import xml_text

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OAI_ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"

METADATA_FORMATS = {
    "oai_dc": {
        "schema": "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
        "namespace": OAI_DC_NS,
    },
}

# verb: (required arguments, optional arguments); resumptionToken is exclusive where allowed.
VERBS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}

TOKEN_SALT = "archive.interop.oai.resumption"  # noqa: S105 (a signing salt, not a secret)
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SECONDS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class OaiError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


# --- identifiers, datestamps, sets -------------------------------------------------------------


def repository_id():
    return settings.ARCHIVE_OAI_REPOSITORY_ID


def oai_identifier(article_id):
    return f"oai:{repository_id()}:{article_id}"


def parse_identifier(identifier):
    match = re.fullmatch(rf"oai:{re.escape(repository_id())}:(\d{{1,18}})", identifier)
    return int(match.group(1)) if match else None


def format_datestamp(value):
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datestamp(value, *, name):
    """(datetime in UTC, granularity) for a from/until argument, or badArgument."""
    try:
        if DAY_RE.match(value):
            day = datetime.date.fromisoformat(value)
            return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC), "day"
        if SECONDS_RE.match(value):
            moment = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
            return moment.replace(tzinfo=datetime.UTC), "seconds"
    except ValueError:
        pass
    raise OaiError("badArgument", f"{name}={value!r} is not a date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ).")


def set_list():
    """(setSpec, setName) of every set: kind and language, each with one subset per value."""
    sets = [("kind", "Kind of piece")]
    sets += [(f"kind:{value}", f"Kind: {label}") for value, label in Article.Kind.choices]
    sets += [("language", "Language")]
    sets += [(f"language:{value}", f"Language: {label}") for value, label in Article.Language.choices]
    return sets


def set_specs_of(kind, language):
    return ["kind", f"kind:{kind}", "language", f"language:{language}"]


def set_filter(spec):
    """A Q over fields `kind` and `language` for a setSpec, or None for a set that does not exist."""
    if spec in ("kind", "language"):
        return Q()
    field, _, value = spec.partition(":")
    if field in ("kind", "language") and value and spec in dict(set_list()):
        return Q(**{field: value})
    return None


# --- selecting records -------------------------------------------------------------------------


@dataclass
class Selection:
    set_spec: str | None = None
    from_dt: datetime.datetime | None = None
    until_dt: datetime.datetime | None = None  # exclusive

    def filtered(self, queryset):
        if self.set_spec:
            queryset = queryset.filter(set_filter(self.set_spec))
        if self.from_dt:
            queryset = queryset.filter(datestamp__gte=self.from_dt)
        if self.until_dt:
            queryset = queryset.filter(datestamp__lt=self.until_dt)
        return queryset

    def articles(self):
        return self.filtered(with_datestamp(public_articles()))

    def tombstones(self):
        # A tombstone of an article that is public again (a future date arrived) is stale.
        return self.filtered(OaiTombstone.objects.exclude(article_id__in=public_articles().values("pk")))

    def count(self):
        return self.articles().count() + self.tombstones().count()

    def page(self, *, after, limit, with_metadata):
        """Up to `limit` records after the (datestamp, id) `after`, and whether more follow."""
        articles, tombstones = self.articles(), self.tombstones()
        if after is not None:
            # (datestamp, id) after the cursor, written so that the datestamp's lower bound is a
            # range of the index (`article_datestamp_idx`) and the rest a filter of its first rows.
            stamp, last_id = after
            articles = articles.filter(datestamp__gte=stamp).filter(
                Q(datestamp__gt=stamp) | Q(pk__gt=last_id)
            )
            tombstones = tombstones.filter(datestamp__gte=stamp).filter(
                Q(datestamp__gt=stamp) | Q(article_id__gt=last_id)
            )
        articles = articles.order_by("datestamp", "pk")
        articles = (
            articles.for_listing().with_linked_translations().defer("body")  # Dublin Core has no body
            if with_metadata
            else articles.only("pk", "kind", "language")
        )
        rows = [(a.datestamp, a.pk, a) for a in articles[: limit + 1]]
        rows += [
            (t.datestamp, t.article_id, t)
            for t in tombstones.order_by("datestamp", "article_id")[: limit + 1]
        ]
        rows.sort(key=lambda row: (row[0], row[1]))
        return rows[:limit], len(rows) > limit


def find_record(article_id):
    """The public article or the tombstone with this id, or None."""
    article = (
        with_datestamp(public_articles())
        .for_listing()
        .with_linked_translations()
        .filter(pk=article_id)
        .first()
    )
    if article is not None:
        return article
    return OaiTombstone.objects.filter(article_id=article_id).first()


# --- resumption tokens -------------------------------------------------------------------------


def make_token(*, verb, prefix, selection_args, last, cursor, size):
    """A resumption token: the list's selection, where the next page starts, and the list's size
    as counted on the first page (later pages do not count the selection again)."""
    stamp, last_id = last
    payload = {
        "v": verb,
        "p": prefix,
        "a": selection_args,
        "d": stamp.isoformat(),
        "i": last_id,
        "c": cursor,
        "n": size,
    }
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def read_token(token, *, verb):
    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
        if payload["v"] != verb:
            raise ValueError("token of another verb")
        last = (datetime.datetime.fromisoformat(payload["d"]), int(payload["i"]))
        size = payload.get("n")  # absent from tokens issued before it was carried
        return payload["p"], payload["a"], last, int(payload["c"]), None if size is None else int(size)
    except (signing.BadSignature, ValueError, KeyError, TypeError) as error:
        raise OaiError("badResumptionToken", "The resumption token is invalid.") from error


# --- the XML -----------------------------------------------------------------------------------


def _el(parent, tag, text=None, ns=OAI_NS, **attrs):
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


class Responder:
    def __init__(self, arguments, *, base_url, absolute_url):
        self.arguments = arguments
        self.base_url = base_url
        self.absolute_url = absolute_url  # path -> absolute URL
        self.page_size = settings.ARCHIVE_OAI_PAGE_SIZE

    def respond(self):
        root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI_NS})
        root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
        _el(root, "responseDate", format_datestamp(timezone.now()))
        request_el = _el(root, "request", self.base_url)
        try:
            verb, args = self.validate()
            for name, value in sorted(args.items()):
                request_el.set(name, xml_text(value))
            request_el.set("verb", verb)
            getattr(self, f"verb_{verb}")(root, args)
        except OaiError as error:
            if error.code in ("badVerb", "badArgument"):
                request_el.attrib.clear()  # the protocol asks for the base URL only
            for child in list(root)[2:]:
                root.remove(child)
            _el(root, "error", error.message, code=error.code)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def validate(self):
        verbs = self.arguments.getlist("verb")
        if len(verbs) != 1 or verbs[0] not in VERBS:
            raise OaiError("badVerb", "The verb argument is missing, repeated or not an OAI-PMH verb.")
        verb = verbs[0]
        required, optional = VERBS[verb]
        args = {}
        for name in self.arguments:
            if name == "verb":
                continue
            values = self.arguments.getlist(name)
            if len(values) != 1:
                raise OaiError("badArgument", f"The argument {name} is repeated.")
            if name not in required | optional:
                raise OaiError("badArgument", f"{verb} does not take the argument {name}.")
            args[name] = values[0]
        if "resumptionToken" in args:
            if len(args) > 1:
                raise OaiError("badArgument", "resumptionToken must be the only argument besides verb.")
        else:
            missing = sorted(required - set(args))
            if missing:
                raise OaiError("badArgument", f"{verb} needs the argument {', '.join(missing)}.")
        return verb, args

    # --- verbs ---

    def verb_Identify(self, root, args):
        stamps = [
            with_datestamp(public_articles()).aggregate(first=Min("datestamp"))["first"],
            OaiTombstone.objects.aggregate(first=Min("datestamp"))["first"],
        ]
        stamps = [s for s in stamps if s is not None]
        earliest = min(stamps) if stamps else timezone.now()
        identify = _el(root, "Identify")
        _el(identify, "repositoryName", settings.ARCHIVE_SITE_NAME)
        _el(identify, "baseURL", self.base_url)
        _el(identify, "protocolVersion", "2.0")
        _el(identify, "adminEmail", settings.ARCHIVE_OAI_ADMIN_EMAIL)
        _el(identify, "earliestDatestamp", format_datestamp(earliest))
        _el(identify, "deletedRecord", "persistent")
        _el(identify, "granularity", "YYYY-MM-DDThh:mm:ssZ")
        description = _el(identify, "description")
        ident = etree.SubElement(description, f"{{{OAI_ID_NS}}}oai-identifier", nsmap={None: OAI_ID_NS})
        ident.set(
            f"{{{XSI_NS}}}schemaLocation",
            f"{OAI_ID_NS} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd",
        )
        _el(ident, "scheme", "oai", ns=OAI_ID_NS)
        _el(ident, "repositoryIdentifier", repository_id(), ns=OAI_ID_NS)
        _el(ident, "delimiter", ":", ns=OAI_ID_NS)
        _el(ident, "sampleIdentifier", oai_identifier(1), ns=OAI_ID_NS)

    def verb_ListMetadataFormats(self, root, args):
        if "identifier" in args:
            self.lookup(args["identifier"])
        formats = _el(root, "ListMetadataFormats")
        for prefix, spec in METADATA_FORMATS.items():
            fmt = _el(formats, "metadataFormat")
            _el(fmt, "metadataPrefix", prefix)
            _el(fmt, "schema", spec["schema"])
            _el(fmt, "metadataNamespace", spec["namespace"])

    def verb_ListSets(self, root, args):
        if "resumptionToken" in args:
            raise OaiError("badResumptionToken", "ListSets is complete in one response; no token applies.")
        sets = _el(root, "ListSets")
        for spec, name in set_list():
            element = _el(sets, "set")
            _el(element, "setSpec", spec)
            _el(element, "setName", name)

    def verb_GetRecord(self, root, args):
        self.check_prefix(args["metadataPrefix"])
        record = self.lookup(args["identifier"])
        self.write_record(_el(root, "GetRecord"), record, with_metadata=True)

    def verb_ListIdentifiers(self, root, args):
        self.list(root, "ListIdentifiers", args, with_metadata=False)

    def verb_ListRecords(self, root, args):
        self.list(root, "ListRecords", args, with_metadata=True)

    # --- helpers ---

    def check_prefix(self, prefix):
        if prefix not in METADATA_FORMATS:
            raise OaiError("cannotDisseminateFormat", f"The metadata format {prefix!r} is not supported.")

    def lookup(self, identifier):
        article_id = parse_identifier(identifier)
        record = find_record(article_id) if article_id is not None else None
        if record is None:
            raise OaiError("idDoesNotExist", f"No record has the identifier {identifier!r}.")
        return record

    def selection(self, selection_args):
        from_arg, until_arg = selection_args.get("from"), selection_args.get("until")
        selection = Selection(set_spec=selection_args.get("set"))
        granularities = set()
        if from_arg:
            selection.from_dt, granularity = parse_datestamp(from_arg, name="from")
            granularities.add(granularity)
        if until_arg:
            until, granularity = parse_datestamp(until_arg, name="until")
            granularities.add(granularity)
            # until is inclusive at its own granularity.
            step = datetime.timedelta(days=1) if granularity == "day" else datetime.timedelta(seconds=1)
            selection.until_dt = until + step
        if len(granularities) > 1:
            raise OaiError("badArgument", "from and until must have the same granularity.")
        if selection.from_dt and selection.until_dt and selection.from_dt >= selection.until_dt:
            raise OaiError("badArgument", "from is later than until.")
        if selection.set_spec and set_filter(selection.set_spec) is None:
            raise OaiError("noRecordsMatch", f"There is no set {selection.set_spec!r}.")
        return selection

    def list(self, root, verb, args, *, with_metadata):
        if "resumptionToken" in args:
            prefix, selection_args, after, cursor, size = read_token(args["resumptionToken"], verb=verb)
        else:
            prefix = args["metadataPrefix"]
            selection_args = {k: args[k] for k in ("from", "until", "set") if k in args}
            after, cursor, size = None, 0, None
        self.check_prefix(prefix)
        selection = self.selection(selection_args)
        rows, more = selection.page(after=after, limit=self.page_size, with_metadata=with_metadata)
        if not rows:
            raise OaiError("noRecordsMatch", "No records match the request.")
        container = _el(root, verb)
        for _stamp, _id, record in rows:
            if with_metadata:
                self.write_record(container, record, with_metadata=True)
            else:
                self.write_header(container, record)
        if more or after is not None:
            # Counted once per harvest (a count of every public piece costs 20-30 ms at 100,000):
            # an estimate while the archive changes, as the protocol allows.
            if size is None:
                size = selection.count()
            size = max(size, cursor + len(rows))
            token = ""
            if more:
                last_stamp, last_id, _ = rows[-1]
                token = make_token(
                    verb=verb,
                    prefix=prefix,
                    selection_args=selection_args,
                    last=(last_stamp, last_id),
                    cursor=cursor + len(rows),
                    size=size,
                )
            _el(container, "resumptionToken", token, cursor=str(cursor), completeListSize=str(size))

    def write_header(self, parent, record):
        header = _el(parent, "header")
        if isinstance(record, OaiTombstone):
            header.set("status", "deleted")
            article_id, kind, language = record.article_id, record.kind, record.language
        else:
            article_id, kind, language = record.pk, record.kind, record.language
        _el(header, "identifier", oai_identifier(article_id))
        _el(header, "datestamp", format_datestamp(record.datestamp))
        for spec in set_specs_of(kind, language):
            _el(header, "setSpec", spec)
        return header

    def write_record(self, parent, record, *, with_metadata):
        element = _el(parent, "record")
        self.write_header(element, record)
        if with_metadata and not isinstance(record, OaiTombstone):
            metadata = _el(element, "metadata")
            self.write_dc(metadata, record)

    def write_dc(self, parent, article):
        dc = etree.SubElement(parent, f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS})
        dc.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {METADATA_FORMATS['oai_dc']['schema']}")
        for name, value, language in dublin_core(article, absolute_url=self.absolute_url):
            element = _el(dc, name, value, ns=DC_NS)
            if language:
                element.set(XML_LANG, language)


def dublin_core(article, *, absolute_url):
    """(element, value, xml:lang or None) of an article's simple Dublin Core description, in
    schema order. The title and abstract carry their language; their translations follow them,
    each with its own."""
    title = f"{article.title}: {article.subtitle}" if article.subtitle else article.title
    translations = list(article.translation_list)
    triples = [("title", title, article.language)]
    triples += [("title", t.title, t.language) for t in translations]
    triples += [("creator", author.name, None) for author in article.ordered_authors]
    triples += [("subject", keyword.name, None) for keyword in article.keyword_list]
    if article.abstract:
        triples.append(("description", article.abstract, article.language))
    triples += [("description", t.abstract, t.language) for t in translations if t.abstract]
    triples.append(("publisher", article.source_name or settings.ARCHIVE_SITE_NAME, None))
    triples.append(("date", article.date.isoformat(), None))
    triples.append(("type", "Text", None))
    triples.append(("type", article.get_kind_display(), None))
    triples.append(("format", "text/html", None))
    triples.append(("identifier", absolute_url(article.get_absolute_url()), None))
    if article.doi:
        triples.append(("identifier", f"https://doi.org/{article.doi}", None))
    source = source_citation(article)
    if source:
        triples.append(("source", source, None))
    triples.append(("language", article.language, None))
    if article.source_url:
        triples.append(("relation", article.source_url, None))
    # The pieces that are the same text in another language (linked by an editor).
    for other in article.also_in:
        triples.append(("relation", absolute_url(other.get_absolute_url()), None))
    return triples


def oai_response(arguments, *, base_url, absolute_url):
    return Responder(arguments, base_url=base_url, absolute_url=absolute_url).respond()
