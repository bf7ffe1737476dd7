"""Hindi PDF text extraction: which library gets the characters back (pypdf, pdfminer.six, PyMuPDF).

Known Hindi sentences (WMT newsdev2014 and TICO-19 from ../shared/data) are rendered to PDF by
LibreOffice Writer with the Lohit Devanagari font (the way most Hindi PDFs people send are made:
an office suite with a shaping engine), then each library extracts the text. Characters recovered =
characters of the known text matched in order (difflib) over the known text's characters, both NFC
with whitespace removed; "lines exact" = known sentences found verbatim (spaces normalised).

Usage: python eval/pdf_extraction.py [--sentences 40] [--out eval/results/pdf_extraction.md]
"""

from __future__ import annotations

import argparse
import difflib
import html
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "hi-en"


def render_pdf(sentences: list[str], folder: Path, name: str) -> Path:
    """A PDF of `sentences` (a heading, then paragraphs of four sentences) made by LibreOffice Writer."""
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(1, len(sentences), 4)]
    body = f"<h1>{html.escape(sentences[0])}</h1>" + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    source = folder / f"{name}.html"
    source.write_text(
        "<html><head><meta charset='utf-8'><style>body{font-family:'Lohit Devanagari'}</style></head>"
        f"<body>{body}</body></html>", encoding="utf-8",
    )
    subprocess.run(
        ["libreoffice", "--headless", "--writer", "--convert-to", "pdf:writer_pdf_Export", "--outdir",
         str(folder), str(source)], check=True, capture_output=True, timeout=300,
    )
    return folder / f"{name}.pdf"


def extract_pypdf(path: Path) -> str:
    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def extract_pdfminer(path: Path) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(path)


def extract_pymupdf(path: Path) -> str:
    import fitz

    with fitz.open(path) as doc:
        return "\n".join(page.get_text() for page in doc)


LIBRARIES = {"pypdf": extract_pypdf, "pdfminer.six": extract_pdfminer, "PyMuPDF": extract_pymupdf}


def _chars(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def recovered(known: str, extracted: str) -> float:
    a, b = _chars(known), _chars(extracted)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(len(a), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=40)
    parser.add_argument("--out", type=Path, default=Path("eval/results/pdf_extraction.md"))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for corpus in ("newsdev2014", "tico19-test"):
            sentences = (DATA / f"{corpus}.hi").read_text(encoding="utf-8").splitlines()[: args.sentences]
            pdf = render_pdf(sentences, Path(tmp), corpus)
            for library, extract in LIBRARIES.items():
                text = extract(pdf)
                flat = " ".join(text.split())
                exact = sum(" ".join(s.split()) in flat for s in sentences) / len(sentences)
                rows.append({"text": corpus, "library": library, "characters recovered": recovered(
                    "\n".join(sentences), text), "sentences exact": exact})
    table = pd.DataFrame(rows)
    report = (
        "# Hindi PDF extraction\n\n"
        f"Command: `python eval/pdf_extraction.py --sentences {args.sentences}` (LibreOffice Writer PDFs,"
        " Lohit Devanagari)\n\n" + table.to_markdown(index=False, floatfmt=".3f") + "\n"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
