"""Make the sample files under tests/data/ with real tools: python-docx for DOCX, fpdf2 (a PDF
writer, test-only requirement) for PDF, pypdf for the encrypted PDF.

    .venv/bin/python tests/data/make_files.py

The files are committed; re-run this only to change them (and update the tests' expectations).
"""

import datetime
import textwrap
from pathlib import Path

import docx
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

HERE = Path(__file__).resolve().parent

PDF_TITLE = "Water Diplomacy in the Tigris-Euphrates Basin"
PDF_AUTHORS = "Sara Karimi and John Doe"
PDF_AFFILIATION = "Research Fellow, Institute for Regional Studies"
PDF_DATE = "14 June 2019"
PDF_ABSTRACT = (
    "This paper examines how Turkey, Syria and Iraq have negotiated the shared waters of the "
    "Tigris and Euphrates since the 1980s. It argues that technical cooperation survived political "
    "crises because the riparian states treated water data as a confidence-building measure. The "
    "evidence comes from bilateral protocols, ministerial statements and interviews with negotiators."
)
PDF_BODY = [
    "The Tigris and Euphrates rise in eastern Turkey and cross Syria and Iraq before they meet in "
    "the Shatt al-Arab. Dams built upstream since the 1970s have reduced the flow that reaches the "
    "lower basin, and each drought revives an old dispute over allocation.",
    "Negotiations have followed a recurring pattern: a crisis, a joint technical committee, a "
    "protocol on minimum flows, and then a long period in which the committee meets rarely. This "
    "paper traces that pattern through three episodes and asks what kept the technical channel open.",
]
PDF_KEYWORDS = "Water Diplomacy; Tigris; Euphrates; Turkey; Iraq; Riparian Cooperation"
RUNNING_HEADER = "Journal of Regional Water Studies"


def _wrap_hyphenated(text, width=78):
    """Hard-wrap like a typeset page, breaking a few long words with a hyphen at the line end."""
    lines = textwrap.wrap(text, width=width, break_long_words=False)
    out = []
    carry = ""
    for line in lines:
        line = f"{carry} {line}".strip() if carry else line
        carry = ""
        words = line.split()
        last = words[-1]
        if len(last) >= 9 and last.isalpha() and last.islower():
            cut = len(last) // 2
            out.append(" ".join([*words[:-1], last[:cut] + "-"]))
            carry = last[cut:]
        else:
            out.append(line)
    if carry:
        out.append(carry)
    return out


def make_pdf():
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_creator("tests/data/make_files.py")
    lines = [("title", PDF_TITLE), ("p", PDF_AUTHORS), ("p", PDF_AFFILIATION), ("p", PDF_DATE), ("gap", ""),
             ("p", "Abstract")]  # fmt: skip
    lines += [("p", line) for line in _wrap_hyphenated(PDF_ABSTRACT)]
    lines += [("gap", "")]
    kw = _wrap_hyphenated("Keywords: " + PDF_KEYWORDS, width=60)
    lines += [("p", line) for line in kw]
    lines += [("gap", "")]
    for paragraph in PDF_BODY:
        lines += [("p", line) for line in _wrap_hyphenated(paragraph)]
        lines += [("gap", "")]
    per_page = 9
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]
    for n, page_lines in enumerate(pages, 1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        pdf.cell(0, 8, RUNNING_HEADER, new_x="LMARGIN", new_y="NEXT")
        for kind, text in page_lines:
            pdf.set_font(
                "Helvetica", style="B" if kind == "title" else "", size=14 if kind == "title" else 11
            )
            pdf.cell(0, 7 if kind != "gap" else 4, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(-20)
        pdf.set_font("Helvetica", size=9)
        pdf.cell(0, 8, str(n), align="C")
    pdf.output(str(HERE / "wrapped.pdf"))
    return len(pages)


def make_encrypted_pdf():
    reader = PdfReader(HERE / "wrapped.pdf")
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    with open(HERE / "encrypted.pdf", "wb") as handle:
        writer.write(handle)


def make_docx():
    document = docx.Document()
    document.core_properties.author = "python-docx"
    document.core_properties.keywords = "ignored, because the text has its own"
    document.add_paragraph("Oman's Quiet Mediation", style="Title")
    document.add_paragraph("How a small state keeps talking to everyone", style="Subtitle")
    document.add_paragraph("By Layla Hassan, Peter van der Berg and Mina Tehrani")
    document.add_paragraph("Senior Fellow, Gulf Research Center")
    document.add_paragraph("March 3, 2021")
    document.add_paragraph(
        "Oman has long acted as a discreet channel between rivals in the Gulf. Its diplomats hosted "
        "the first secret talks between Washington and Tehran, and Muscat remains a place where "
        "adversaries can meet without an audience."
    )
    document.add_heading("A tradition of neutrality", level=2)
    document.add_paragraph(
        "The sultanate's neutrality is not passivity: it rests on a long habit of keeping ties with "
        "every neighbour, and on an economy that needs calm waters in the Strait of Hormuz."
    )
    document.add_paragraph("Key words: Oman; Mediation; Gulf Security; Iran; Strait of Hormuz")
    document.save(HERE / "article.docx")


def main():
    pages = make_pdf()
    make_encrypted_pdf()
    make_docx()
    print(f"wrote wrapped.pdf ({pages} pages), encrypted.pdf, article.docx on {datetime.date.today()}")


if __name__ == "__main__":
    main()
