"""Documents: read a file into blocks with stable ids, write the same format back translated.

One module per format (`text`, `markdown`, `html`, `jsonl`, `table` for TSV/CSV, `subtitles`
for SRT/WebVTT), each with ``read(source, path, ...) -> Document``, ``write(doc, rendered) -> str``
and ``escape(text)``. Binary formats (`docx`, `pptx`, `odf` for ODT/ODP, `epub`: zip packages)
say ``BINARY = True``: their ``read`` takes the file's bytes and their ``write`` returns bytes.
The format comes from ``--format`` or the file extension (unknown extensions are plain text). A
format's module is imported when a document of that format is first read or written, so
translating plain text never loads the Markdown, HTML or table parsers (nor pandas).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType

from ..errors import InputError
from ..textio import read_bytes, read_text
from . import anchors
from .anchors import follow_pages
from .frontmatter import DEFAULT_KEYS as DEFAULT_FRONT_MATTER_KEYS
from .model import Block, BlockKind, Document, InlineSpan, render_inline
from .splice import WRAP_MODES

__all__ = [
    "BILINGUAL_IN_PLACE",
    "Block",
    "BlockKind",
    "DEFAULT_FRONT_MATTER_KEYS",
    "WRAP_MODES",
    "Document",
    "InlineSpan",
    "EXTENSIONS",
    "FORMATS",
    "detect_format",
    "is_binary",
    "follow_pages",
    "heading_maps",
    "parse_document",
    "read_document",
    "render_block",
    "write_document",
]

# format -> the module (in this package) that reads and writes it
_MODULES = {
    "text": "text", "markdown": "markdown", "html": "html", "jsonl": "jsonl", "tsv": "table", "csv": "table",
    "docx": "docx", "pptx": "pptx", "odt": "odf", "odp": "odf", "epub": "epub", "pdf": "pdf",
    "srt": "subtitles", "vtt": "subtitles",
}
FORMATS = tuple(_MODULES)
EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".tsv": "tsv",
    ".csv": "csv",
    ".docx": "docx",
    ".pptx": "pptx",
    ".odt": "odt",
    ".odp": "odp",
    ".epub": "epub",
    ".pdf": "pdf",
    ".srt": "srt",
    ".vtt": "vtt",
}


def format_module(fmt: str) -> ModuleType:
    """The reader/writer module of format `fmt`, imported on first use."""
    return importlib.import_module(f".{_MODULES[fmt]}", __name__)


def is_binary(fmt: str) -> bool:
    """Whether format `fmt` is read from bytes and written as bytes (a zip package), not UTF-8 text."""
    return getattr(format_module(fmt), "BINARY", False)


def detect_format(path: str | os.PathLike[str], explicit: str | None = None) -> str:
    """`explicit` if given, else from the extension; plain text for anything unknown (and stdin)."""
    if explicit:
        if explicit not in _MODULES:
            raise InputError(f"unknown format {explicit!r}: use one of {', '.join(FORMATS)}")
        return explicit
    return EXTENSIONS.get(Path(os.fspath(path)).suffix.lower(), "text")


def parse_document(
    source: str | bytes,
    path: str,
    fmt: str,
    *,
    fields: tuple[str, ...] = (),
    columns: tuple[str, ...] = (),
    front_matter_keys: tuple[str, ...] = DEFAULT_FRONT_MATTER_KEYS,
) -> Document:
    """Blocks of `source` read as `fmt`; an empty or blank text has no blocks (tables need a header).

    `source` is text, or the file's bytes for a binary format. `front_matter_keys`: the Markdown
    front matter fields people read (translated).
    """
    module = format_module(fmt)
    if is_binary(fmt) and isinstance(source, str):
        raise InputError(f"{fmt} is a binary format: it is read from a file, not from text", path)
    if fmt in ("tsv", "csv"):
        return module.read(source, path, columns, fmt)
    if fmt in ("odt", "odp", "srt", "vtt"):
        return module.read(source, path, fmt)
    if fmt == "jsonl":
        return module.read(source, path, fields)
    if fmt == "markdown":
        return module.read(source, path, front_matter_keys)
    if fmt in ("html", "epub"):  # kramdown's markdown="1" elements: where a format reads another
        return module.read(source, path, {"markdown": format_module("markdown").read_into})
    return module.read(source, path)


def read_document(
    path: str | os.PathLike[str],
    fmt: str | None = None,
    *,
    fields: tuple[str, ...] = (),
    columns: tuple[str, ...] = (),
    errors: str = "strict",
    front_matter_keys: tuple[str, ...] = DEFAULT_FRONT_MATTER_KEYS,
) -> Document:
    """Read and parse a UTF-8 file, or a binary format's bytes ('-' is stdin); bad bytes and bad
    records raise InputError."""
    name = os.fspath(path)
    fmt = detect_format(name, fmt)
    source = read_bytes(name) if is_binary(fmt) else read_text(name, errors)
    return parse_document(
        source, name, fmt, fields=fields, columns=columns, front_matter_keys=front_matter_keys,
    )


def render_block(doc: Document, block: Block, text: str, inner: Mapping[str, str]) -> str:
    """A block's translated text with its spans (and their translated inner text) put back.

    A property's text is plain: its reader's encoder quotes it when the document is written.
    """
    if block in doc.properties:
        return text
    return render_inline(text, block.spans, inner, format_module(doc.format).escape)


def heading_maps(doc: Document, rendered: Mapping[str, str]) -> list[dict[str, str]]:
    """Source -> translated heading ids of a Markdown page (one map per slug rule); [] for other formats.

    What a folder run needs to make links from other pages follow this page's translated headings.
    """
    if doc.format != "markdown":
        return []
    return anchors.heading_maps(doc, rendered, format_module("markdown").heading_text)


BILINGUAL_IN_PLACE = frozenset({"srt", "vtt"})
"""Formats whose writer puts source and translation side by side in the file itself (both lines in
each subtitle cue), which `--bilingual` writes instead of the JSONL side file other formats get."""


def write_document(
    doc: Document, rendered: Mapping[str, str], *, wrap: str = "join", bilingual: bool = False
) -> str | bytes:
    """The document in its own format with each block id in `rendered` replaced by that text
    (bytes for a binary format, see `is_binary`).

    `wrap` ("join" or "keep", see `splice.WRAP_MODES`) applies to Markdown paragraphs that were
    wrapped over several source lines. `bilingual` (formats in BILINGUAL_IN_PLACE only) keeps
    the source beside each translation.
    """
    if bilingual:
        if doc.format not in BILINGUAL_IN_PLACE:
            raise ValueError(f"{doc.format} has no in-file bilingual output: use the JSONL side file")
        return format_module(doc.format).write(doc, dict(rendered), bilingual=True)
    if doc.format == "markdown":
        return format_module("markdown").write(doc, dict(rendered), wrap)
    return format_module(doc.format).write(doc, dict(rendered))
