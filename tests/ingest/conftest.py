"""Fixtures for archive.ingest: the sample files, and hostile files made at test time."""

import io
import zipfile
import zlib
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def data_dir():
    return DATA


def read(name):
    return (DATA / name).read_bytes()


def pdf_with_stream(stream_data, *, filter_name="/FlateDecode", declared_length=None):
    """A minimal, valid one-page PDF whose content stream is `stream_data` (already encoded)."""
    length = declared_length if declared_length is not None else len(stream_data)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter %s >>\nstream\n" % (length, filter_name.encode())
        + stream_data
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def zeros_deflated(size):
    """`size` bytes of spaces, deflated, made in chunks (a decompression bomb's payload)."""
    compressor = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(size // len(chunk))]
    parts.append(compressor.flush())
    return b"".join(parts)


@pytest.fixture
def pdf_bomb():
    """A ~100 KB PDF whose one content stream inflates to 100 MB (pypdf's own cap is 75 MB)."""
    return pdf_with_stream(zeros_deflated(100 * 1024 * 1024))


def zip_bytes(entries, *, compression=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


@pytest.fixture
def docx_bomb():
    """A DOCX whose document.xml inflates to 16 MB (the DOCX limit is lowered to 8 MB in tests)."""
    body = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    payload = body + b" " * (16 * 1024 * 1024) + b"</w:body></w:document>"
    return zip_bytes(
        [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", payload)],
        compression=zipfile.ZIP_DEFLATED,
    )


@pytest.fixture
def small_limits(settings):
    settings.ARCHIVE_INGEST_MAX_FILE_BYTES = 1024 * 1024
    settings.ARCHIVE_INGEST_MAX_DOCX_BYTES = 8 * 1024 * 1024
    settings.ARCHIVE_INGEST_MAX_ZIP_BYTES = 8 * 1024 * 1024
    settings.ARCHIVE_INGEST_MAX_ZIP_ENTRIES = 20
    return settings


# --- Scanned PDFs, made at test time -----------------------------------------------------------

FONTS = {
    "latin": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "arabic": "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf",
}


def text_pdf(paragraphs, *, rtl=False, pages=1, title_size=None):
    """A PDF with a real text layer (fpdf2; right-to-left text shaped by HarfBuzz); with
    `title_size`, the first paragraph is set in that size (a title)."""
    from fpdf import FPDF

    font = FONTS["arabic" if rtl else "latin"]
    if not Path(font).exists():
        pytest.skip(f"{font} is missing: apt-get install fonts-dejavu-core fonts-noto-core")
    pdf = FPDF(format="A4")
    pdf.add_font("body", fname=font)
    pdf.set_font("body", size=14)
    if rtl:
        pdf.set_text_shaping(use_shaping_engine=True, direction="rtl")
    for _ in range(pages):
        pdf.add_page()
        for index, paragraph in enumerate(paragraphs):
            size = title_size if index == 0 and title_size else 14
            pdf.set_font("body", size=size)
            pdf.multi_cell(0, 9 * size / 14, paragraph, align="R" if rtl else "L")
            pdf.ln(5)
    return bytes(pdf.output())


def scanned_pdf(paragraphs, *, rtl=False, pages=1, dpi=200, title_size=None):
    """What a scanner gives: the pages of a text PDF rendered to images (pypdfium2) and wrapped
    in a PDF again (Pillow), with no text layer."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(text_pdf(paragraphs, rtl=rtl, pages=pages, title_size=title_size))
    images = [page.render(scale=dpi / 72, grayscale=True).to_pil() for page in document]
    document.close()
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()
