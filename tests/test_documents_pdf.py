"""PDF reading: real Hindi PDFs (PyMuPDF-written text layers, LibreOffice exports) and the refusals."""

from __future__ import annotations

import os
import shutil
import subprocess

import fitz
import pytest

from translate_kit.documents import write_document
from translate_kit.documents.pdf import read
from translate_kit.errors import InputError

FONT = "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf"
HEADING = "दिल्ली में बैठक"
SENTENCES = [
    "महानगर पालिका अंतर्गत दत्तात्रय नगर माध्यमिक स्कूल के विद्यार्थियों ने किला बनाया।",
    "प्रधानाध्यापक संध्या मेडपल्लीवार ने सबको प्रोत्साहित किया।",
]

needs_font = pytest.mark.skipif(not os.path.exists(FONT), reason="fonts-lohit-deva not installed")


def _pdf(pages: list[list[tuple[str, float]]], fontname: str = "deva", fontfile: str | None = FONT) -> bytes:
    """A PDF whose pages hold (text, font size) lines: a real text layer with a ToUnicode map."""
    doc = fitz.open()
    for lines in pages:
        page = doc.new_page()
        y = 72.0
        for text, size in lines:
            if fontfile:
                page.insert_text((72, y), text, fontsize=size, fontname=fontname, fontfile=fontfile)
            else:
                page.insert_text((72, y), text, fontsize=size, fontname="helv")
            y += size * 3
    return doc.tobytes()


@needs_font
def test_headings_and_paragraphs_become_markdown():
    data = _pdf([[(HEADING, 20), (SENTENCES[0], 11)], [(SENTENCES[1], 11)]])
    doc = read(data, "a.pdf")
    assert doc.format == "markdown"
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", HEADING), ("paragraph", SENTENCES[0]), ("paragraph", SENTENCES[1]),
    ]
    out = write_document(doc, {"b1": "Meeting in Delhi"})
    assert out.startswith("# Meeting in Delhi\n\n" + SENTENCES[0])


@needs_font
@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="libreoffice not installed")
def test_libreoffice_hindi_pdf_recovers_the_text(tmp_path):
    source = tmp_path / "a.html"
    source.write_text(
        "<html><head><meta charset='utf-8'><style>body{font-family:'Lohit Devanagari'}</style></head><body>"
        f"<h1>{HEADING}</h1><p>{SENTENCES[0]}</p><p>{SENTENCES[1]}</p></body></html>", encoding="utf-8",
    )
    subprocess.run(
        ["libreoffice", "--headless", "--writer", "--convert-to", "pdf:writer_pdf_Export", "--outdir",
         str(tmp_path), str(source)], check=True, capture_output=True, timeout=300,
    )
    doc = read((tmp_path / "a.pdf").read_bytes(), "a.pdf")
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", HEADING), ("paragraph", SENTENCES[0]), ("paragraph", SENTENCES[1]),
    ]


def test_not_a_pdf_and_encrypted():
    with pytest.raises(InputError, match="not a PDF file"):
        read(b"hello", "a.pdf")
    with pytest.raises(InputError, match="damaged PDF"):
        read(b"%PDF-1.4 cut short\n", "a.pdf")
    doc = fitz.open()
    doc.new_page().insert_text((72, 72), "secret")
    locked = doc.tobytes(encryption=fitz.PDF_ENCRYPT_AES_256, user_pw="x", owner_pw="y")
    with pytest.raises(InputError, match="encrypted"):
        read(locked, "a.pdf")


def test_scanned_page_is_named():
    doc = fitz.open(stream=_pdf([[("Introduction", 11)], [("Text", 11)]], fontfile=None), filetype="pdf")
    scan = doc.new_page()
    pixmap = fitz.Pixmap(fitz.csRGB, fitz.IRect(0, 0, 20, 20), False)
    pixmap.clear_with(200)
    scan.insert_image(fitz.Rect(72, 72, 300, 300), pixmap=pixmap)
    with pytest.raises(InputError, match=r"^a.pdf: page 3 has no text layer: it is a scan"):
        read(doc.tobytes(), "a.pdf")


def test_kruti_dev_text_is_refused():
    kruti = "Hkkjr vkSj :l us le>kSrk fd;k gS vkSj ;g ckr ds ckn dh xbZ gS"  # Kruti Dev for Hindi
    with pytest.raises(InputError, match="page 1 looks like Kruti Dev"):
        read(_pdf([[(kruti, 11)]], fontfile=None), "a.pdf")


@needs_font
def test_garbled_shaping_is_refused():
    doc = fitz.open()
    page = doc.new_page()
    archive = fitz.Archive("/usr/share/fonts/truetype/lohit-devanagari")
    css = "@font-face {font-family: d; src: url(Lohit-Devanagari.ttf);} * {font-family: d;}"
    page.insert_htmlbox(fitz.Rect(50, 50, 550, 800), "".join(f"<p>{s}</p>" for s in SENTENCES * 3),
                        css=css, archive=archive)  # shaped glyphs with a wrong ToUnicode map
    with pytest.raises(InputError, match="page 1 has garbled Hindi"):
        read(doc.tobytes(), "a.pdf")
