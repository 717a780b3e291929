"""The structured draft that every extractor produces: a piece as read from a file, not yet saved.

A draft is plain data (no Django), so it can cross the boundary of the extraction subprocess as
JSON. `Draft.to_archive_json()` gives the fields in the archive JSON shape (PRODUCT.md).
"""

import datetime
import html
from dataclasses import asdict, dataclass, field


@dataclass
class DraftAuthor:
    name: str
    affiliation: str = ""


@dataclass
class Draft:
    title: str = ""
    subtitle: str = ""
    authors: list[DraftAuthor] = field(default_factory=list)
    date: datetime.date | None = None
    kind: str = ""
    language: str = ""
    abstract: str = ""
    # Body as plain paragraphs (text formats) or as HTML (HTML, Markdown); body_html wins when set.
    body: list[str] = field(default_factory=list)
    body_html: str = ""
    keywords: list[str] = field(default_factory=list)
    source_name: str = ""
    source_volume: str = ""
    source_issue: str = ""
    source_pages: str = ""
    doi: str = ""
    source_url: str = ""
    status: str = ""
    # Titles from a "More by <author>:" list: the article page links those pieces through
    # "More by this author" once they are in the archive (see README, "Uploading and importing").
    related_titles: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The text was read from page images by OCR (archive.ingest.ocr), in these tesseract languages.
    text_from_ocr: bool = False
    ocr_languages: list[str] = field(default_factory=list)
    # Pages of the original (PDF), for the check screen.
    page_count: int = 0

    def warn(self, message):
        if message not in self.warnings:
            self.warnings.append(message)

    def body_as_html(self):
        if self.body_html:
            return self.body_html
        return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in self.body if p.strip())

    def to_archive_json(self):
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "authors": [{"name": a.name, "affiliation": a.affiliation} for a in self.authors],
            "date": self.date.isoformat() if self.date else "",
            "kind": self.kind,
            "language": self.language,
            "abstract": self.abstract,
            "body": self.body_as_html(),
            "keywords": list(self.keywords),
            "source": {
                "name": self.source_name,
                "volume": self.source_volume,
                "issue": self.source_issue,
                "pages": self.source_pages,
                "doi": self.doi,
                "url": self.source_url,
            },
            "status": self.status,
        }

    # --- crossing the subprocess boundary ---

    def to_dict(self):
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data

    @classmethod
    def from_dict(cls, data):
        data = dict(data)
        data["authors"] = [DraftAuthor(**a) for a in data.get("authors", [])]
        data = {key: value for key, value in data.items() if key in cls.__dataclass_fields__}
        if data.get("date"):
            data["date"] = datetime.date.fromisoformat(data["date"])
        return cls(**data)


class ExtractionError(Exception):
    """A file that cannot be read; the message is a sentence for the editor."""
