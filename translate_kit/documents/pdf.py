"""PDF in, Markdown out: reading-order text as headings and paragraphs, refused when it is not real text.

A PDF holds positioned glyphs, not a document, so it cannot be written back as a PDF: the reader
turns each page's text blocks into Markdown (a block in a larger font than the body is a heading,
largest first ``#``) and parses that, so the translation is written as Markdown (``-o out.md``).

Library: PyMuPDF. On Hindi PDFs made by LibreOffice Writer (eval/pdf_extraction.py, results in
eval/results/pdf_extraction.md) it recovered every character of the known text (1.000 on WMT and
TICO-19 sentences), where pypdf (0.90-0.91) and pdfminer.six (0.86-0.90) scramble conjuncts and
pre-base ``ि`` (``मिक`` for ``कि``) or leave ``(cid:N)`` glyphs; PyMuPDF also gives font sizes for
headings and the fonts and images needed for the checks below.

Text that would translate into nonsense is refused with one line naming the page, because a
translation of garbage looks like a translation and nobody notices:

* no text layer (a scanned page: images, no characters);
* a legacy Hindi font encoding (Kruti Dev, Chanakya, DevLys, Walkman-Chanakya): Latin letters where
  Hindi is meant, found by the font name or by the encoding's most common words (``gS`` है, ``dk`` का);
* broken shaping: many words starting with a vowel sign or virama, Latin-extended glyph codes inside
  Hindi words, or unmapped ``(cid:N)``/replacement characters (a PDF whose ToUnicode map is wrong).

Encrypted PDFs and data that is not a PDF get one line too. Tables are read as paragraphs.
"""

from __future__ import annotations

import re
from collections import Counter

import fitz

from ..errors import InputError
from . import markdown
from .model import Document

BINARY = True
"""Read from bytes (see documents/__init__.py's binary-format plumbing)."""

LEGACY_FONTS = re.compile(r"kruti|chanakya|devlys|walkman|shusha|kundli|akruti|agra", re.IGNORECASE)
_KRUTI_WORDS = frozenset({"gS", "dk", "ds", "dh", "esa", "vkSj", "fd", "ls", "dks", "Fkk", "Hkh", ";g", "ij"})
_DEVANAGARI_WORD = re.compile(r"\S*[\u0900-\u097f]\S*")
_STARTS_WITH_SIGN = re.compile(r"^[\u093e-\u094d\u0962\u0963\u0901-\u0903\u093c]")
_FOREIGN_GLYPH = re.compile(r"[\u0180-\u02ff\ue000-\uf8ff\ufffd]|\(cid:\d+\)")
MAX_BROKEN_SHARE = 0.05
"""Share of Hindi words that may look broken before a page is refused (real text has almost none)."""
HEADING_SCALE = 1.15
"""A block whose font is this much larger than the body's is a heading."""
MAX_HEADING_WORDS = 15


def _open(data: bytes, path: str) -> fitz.Document:
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise InputError(f"{path}: not a PDF file")
    try:
        doc = fitz.open(stream=data, filetype="pdf")
    except (fitz.FileDataError, RuntimeError) as error:
        raise InputError(f"{path}: damaged PDF ({str(error).splitlines()[0]})") from None
    if doc.needs_pass:
        raise InputError(f"{path}: the PDF is encrypted: decrypt it first (qpdf --decrypt)")
    return doc


def _check_page(path: str, number: int, page: fitz.Page, text: str) -> None:
    """Raise InputError when page `number` (1-based) holds no usable Unicode Hindi text."""
    where = f"{path}: page {number}"
    if not text.strip():
        if page.get_images():
            raise InputError(f"{where} has no text layer: it is a scan (run OCR first)")
        return
    for font in page.get_fonts():
        if LEGACY_FONTS.search(font[3]):
            raise InputError(f"{where} uses the legacy Hindi font {font[3]}: convert it to Unicode first")
    words = text.split()
    kruti = sum(word in _KRUTI_WORDS for word in words)
    if kruti >= 3 and kruti >= 0.05 * len(words):
        raise InputError(f"{where} looks like Kruti Dev-style legacy encoding (Latin letters for Hindi)")
    hindi = _DEVANAGARI_WORD.findall(text)
    broken = sum(bool(_STARTS_WITH_SIGN.match(w) or _FOREIGN_GLYPH.search(w)) for w in hindi)
    unmapped = len(_FOREIGN_GLYPH.findall(text))
    if (hindi and broken >= 3 and broken > MAX_BROKEN_SHARE * len(hindi)) or unmapped > 0.02 * len(words):
        raise InputError(f"{where} has garbled Hindi (broken matra order or unmapped glyphs): re-export it")


def _blocks(page: fitz.Page) -> list[tuple[float, str]]:
    """(font size, text) of each text block in reading order, lines joined with spaces."""
    out = []
    for block in page.get_text("dict", sort=True)["blocks"]:
        spans = [span for line in block.get("lines", ()) for span in line["spans"] if span["text"].strip()]
        if not spans:
            continue
        lines = [" ".join("".join(s["text"] for s in line["spans"]).split()) for line in block["lines"]]
        size = max(span["size"] for span in spans)
        out.append((round(size, 1), " ".join(line for line in lines if line)))
    return out


def _markdown(blocks: list[tuple[float, str]]) -> str:
    """Headings (by font size, larger is higher) and paragraphs as Markdown source."""
    if not blocks:
        return ""
    sizes: Counter[float] = Counter()
    for size, text in blocks:
        sizes[size] += len(text)
    body = sizes.most_common(1)[0][0]
    heading_sizes = sorted({s for s, t in blocks if s >= body * HEADING_SCALE}, reverse=True)[:6]
    parts = []
    for size, text in blocks:
        text = re.sub(r"^([#>*+-]|\d+[.)])(?=\s)", r"\\\1", text)  # no accidental Markdown structure
        if size in heading_sizes and len(text.split()) <= MAX_HEADING_WORDS:
            parts.append("#" * (heading_sizes.index(size) + 1) + " " + text)
        else:
            parts.append(text)
    return "\n\n".join(parts) + "\n"


def read(data: bytes, path: str) -> Document:
    """The PDF's text as a Markdown Document (written as Markdown); InputError for unusable PDFs."""
    with _open(data, path) as pdf:
        blocks: list[tuple[float, str]] = []
        for number, page in enumerate(pdf, start=1):
            _check_page(path, number, page, page.get_text())
            blocks.extend(_blocks(page))
    if not blocks:
        raise InputError(f"{path}: the PDF holds no text")
    return markdown.read(_markdown(blocks), path, ())
