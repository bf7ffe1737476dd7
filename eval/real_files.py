#!/usr/bin/env python3
"""Real Hindi files of every format through the reader and the CLI's output: per file the blocks
read, inline spans and links in the source, the share of Devanagari left in the output's text
(outside code), and the first line of any refusal.

    python eval/real_files.py REAL_FILES_DIR OUTPUT_DIR

REAL_FILES_DIR holds the files (kept outside the project; see its SOURCES.md), OUTPUT_DIR the
outputs of `translate-kit translate FILE -o OUTPUT_DIR/NAME` (a PDF as NAME.md).
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from translate_kit.documents import detect_format, read_document  # noqa: E402
from translate_kit.errors import InputError  # noqa: E402

DEVANAGARI = re.compile(r"[\u0900-\u097F]")
CODE = re.compile(r"```.*?```|`[^`]*`", re.S)


def output_text(path: Path) -> str:
    """The text a reader sees in an output: XML parts of a package, the file itself otherwise."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as package:
            parts = [n for n in package.namelist() if n.endswith((".xml", ".xhtml", ".html"))]
            texts = (package.read(n).decode("utf-8", "replace") for n in parts)
            return " ".join(re.sub(r"<[^>]+>", " ", text) for text in texts)
    return CODE.sub(" ", path.read_text(encoding="utf-8", errors="replace"))


def row(source: Path, outputs: Path) -> str:
    fmt = detect_format(source)
    try:
        doc = read_document(source)
    except InputError as exc:
        return f"| {source.name} | {fmt} | refused: {str(exc).splitlines()[0]} | | | | |"
    spans = sum(len(b.spans) for b in doc.blocks)
    links = sum(1 for b in doc.blocks for s in b.spans.values()
                if "http" in s.open or "href" in s.open or "hyperlink" in s.open)
    source_deva = sum(len(DEVANAGARI.findall(b.plain_text())) for b in doc.blocks + doc.properties)
    name = source.with_suffix(".md").name if fmt == "pdf" else source.name
    out = outputs / name
    left = len(DEVANAGARI.findall(output_text(out))) if out.is_file() else None
    share = "no output" if left is None else f"{left / max(source_deva, 1):.2%}"
    return f"| {source.name} | {fmt} | {len(doc.blocks)} | {spans} | {links} | {source_deva} | {share} |"


def main() -> int:
    files, outputs = Path(sys.argv[1]), Path(sys.argv[2])
    print("| file | format | blocks | inline spans | links | Devanagari chars in | Devanagari left |")
    print("|---|---|---|---|---|---|---|")
    for source in sorted(p for p in files.rglob("*") if p.is_file() and p.name != "SOURCES.md"):
        print(row(source, outputs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
