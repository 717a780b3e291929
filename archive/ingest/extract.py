"""File in, draft out: the entry point the import service and the admin upload share.

`extract_file(data, filename=...)` checks the bytes (`files.check_file`), then runs the format's
extractor, in the sandbox subprocess unless `ARCHIVE_INGEST_SANDBOX` is off.
"""

import dataclasses

from archive.articles.text import xml_safe_text
from archive.ingest.draft import DraftAuthor, ExtractionError
from archive.ingest.files import FILE_FORMATS, Limits, check_file


def extract_bytes(data, *, fmt, filename):
    """Run the extractor of `fmt` in this process (the sandbox child calls this)."""
    if fmt == "pdf":
        from archive.ingest.formats import pdf as module
    elif fmt == "docx":
        from archive.ingest.formats import docx as module
    elif fmt == "html":
        from archive.ingest.formats import html as module
    elif fmt == "md":
        from archive.ingest.formats import markdown as module
    elif fmt == "txt":
        from archive.ingest.formats import txt as module
    else:
        raise ExtractionError(f"{filename}: no extractor for {fmt}.")
    return _without_soft_hyphens(module.extract(data, filename=filename))


def _without_soft_hyphens(draft):
    """A soft hyphen (U+00AD, "COVID-\u00ad19") marks where a word may break: no character of
    the title or of a name as typed."""
    draft.title = draft.title.replace("\u00ad", "")
    for author in draft.authors:
        author.name = author.name.replace("\u00ad", "")
    return draft


def extract_file(
    data, *, filename, limits=None, sandbox=None, on_progress=None, on_wait=None, with_text=False
):
    """The draft of one uploaded or imported file; ExtractionError with a sentence when it cannot be read.

    `on_progress(done, total, stage)` hears of pages read (in the sandbox); with `with_text` the
    result is (draft, original_text), the text shown beside the check form."""
    if limits is None or sandbox is None:
        from django.conf import settings

        limits = limits or Limits.from_settings()
        sandbox = settings.ARCHIVE_INGEST_SANDBOX if sandbox is None else sandbox
    fmt = check_file(data, filename, limits)
    if fmt not in FILE_FORMATS:
        raise ExtractionError(f"{filename} is a {fmt.upper()} file of many pieces, not one piece.")
    if sandbox:
        from archive.ingest.sandbox import extract_in_subprocess

        result = extract_in_subprocess(
            data,
            fmt=fmt,
            filename=filename,
            limits=limits,
            on_progress=on_progress,
            on_wait=on_wait,
            with_text=with_text,
        )
    else:
        result = extract_bytes(data, fmt=fmt, filename=filename)
        if with_text:
            from archive.ingest.preview import original_text

            result = (result, original_text(data, fmt=fmt, filename=filename))
    if with_text:
        draft, text = result
        return xml_safe_draft(draft), xml_safe_text(text) if isinstance(text, str) else text
    return xml_safe_draft(result)


def xml_safe_draft(draft):
    """`draft` with every text cleaned of the characters XML 1.0 forbids (`xml_safe_text`): text
    taken from a PDF carries such bytes, and the draft is shown, kept (PostgreSQL's JSON refuses
    U+0000) and saved from."""

    def clean(value):
        if isinstance(value, str):
            return xml_safe_text(value)
        if isinstance(value, list):
            return [clean(item) for item in value]
        if isinstance(value, DraftAuthor):
            return DraftAuthor(name=clean(value.name), affiliation=clean(value.affiliation))
        return value

    for field in dataclasses.fields(draft):
        setattr(draft, field.name, clean(getattr(draft, field.name)))
    return draft
