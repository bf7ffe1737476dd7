"""Documents: read a file into blocks with stable ids, write the same format back translated.

One module per format (`text`, `markdown`, `html`, `jsonl`, `table` for TSV/CSV), each with
``read(source, path, ...) -> Document``, ``write(doc, rendered) -> str`` and ``escape(text)``. The
format comes from ``--format`` or the file extension (unknown extensions are plain text).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ..errors import InputError
from ..textio import read_text
from . import html, jsonl, markdown, table, text
from .frontmatter import DEFAULT_KEYS as DEFAULT_FRONT_MATTER_KEYS
from .model import Block, BlockKind, Document, InlineSpan, render_inline
from .splice import WRAP_MODES

__all__ = [
    "Block",
    "BlockKind",
    "DEFAULT_FRONT_MATTER_KEYS",
    "WRAP_MODES",
    "Document",
    "InlineSpan",
    "EXTENSIONS",
    "FORMATS",
    "detect_format",
    "parse_document",
    "read_document",
    "render_block",
    "write_document",
]

_MODULES = {"text": text, "markdown": markdown, "html": html, "jsonl": jsonl, "tsv": table, "csv": table}
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
}


def detect_format(path: str | os.PathLike[str], explicit: str | None = None) -> str:
    """`explicit` if given, else from the extension; plain text for anything unknown (and stdin)."""
    if explicit:
        if explicit not in _MODULES:
            raise InputError(f"unknown format {explicit!r}: use one of {', '.join(FORMATS)}")
        return explicit
    return EXTENSIONS.get(Path(os.fspath(path)).suffix.lower(), "text")


def parse_document(
    source: str,
    path: str,
    fmt: str,
    *,
    fields: tuple[str, ...] = (),
    columns: tuple[str, ...] = (),
    front_matter_keys: tuple[str, ...] = DEFAULT_FRONT_MATTER_KEYS,
) -> Document:
    """Blocks of `source` read as `fmt`; an empty or blank text has no blocks (tables need a header).

    `front_matter_keys`: the Markdown front matter fields people read (translated).
    """
    if fmt in ("tsv", "csv"):
        return table.read(source, path, columns, fmt)
    if fmt == "jsonl":
        return jsonl.read(source, path, fields)
    if fmt == "markdown":
        return markdown.read(source, path, front_matter_keys)
    return _MODULES[fmt].read(source, path)


def read_document(
    path: str | os.PathLike[str],
    fmt: str | None = None,
    *,
    fields: tuple[str, ...] = (),
    columns: tuple[str, ...] = (),
    errors: str = "strict",
    front_matter_keys: tuple[str, ...] = DEFAULT_FRONT_MATTER_KEYS,
) -> Document:
    """Read and parse a UTF-8 file ('-' is stdin); bad bytes and bad records raise InputError."""
    name = os.fspath(path)
    return parse_document(
        read_text(name, errors), name, detect_format(name, fmt), fields=fields, columns=columns,
        front_matter_keys=front_matter_keys,
    )


def render_block(doc: Document, block: Block, text: str, inner: Mapping[str, str]) -> str:
    """A block's translated text with its spans (and their translated inner text) put back.

    A property's text is plain: its reader's encoder quotes it when the document is written.
    """
    if block in doc.properties:
        return text
    return render_inline(text, block.spans, inner, _MODULES[doc.format].escape)


def write_document(doc: Document, rendered: Mapping[str, str], *, wrap: str = "join") -> str:
    """The document in its own format with each block id in `rendered` replaced by that text.

    `wrap` ("join" or "keep", see `splice.WRAP_MODES`) applies to Markdown paragraphs that were
    wrapped over several source lines.
    """
    if doc.format == "markdown":
        return markdown.write(doc, dict(rendered), wrap)
    return _MODULES[doc.format].write(doc, dict(rendered))
