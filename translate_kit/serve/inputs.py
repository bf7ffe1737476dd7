"""What the routes make of a request's bytes before the library sees them: text (a one-line 400
for bytes that are not UTF-8), a parsed document, the format a file name implies.

Everything else the routes need comes from `translate_kit.api` (translation, alignment, scoring)
and `translate_kit.documents` (formats), the same calls the CLI makes.
"""

from __future__ import annotations

from pathlib import Path

from ..documents import EXTENSIONS, Document, parse_document
from ..errors import InputError
from ..textio import decode


class BadEncoding(InputError):
    """Bytes that are not UTF-8 text (the service answers 400)."""


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 bytes as text (BOM dropped, line ends unified); BadEncoding naming line and byte."""
    try:
        return decode(data, name)
    except InputError as exc:
        raise BadEncoding(str(exc).split(" (use --errors")[0]) from None


def parse(
    text: str | bytes, name: str, fmt: str, fields: tuple[str, ...] = (), columns: tuple[str, ...] = ()
) -> Document:
    """A document of `fmt` read from text, or bytes for a binary format (InputError naming the
    line for a malformed one, the file for a broken package);
    `fields` are the JSONL fields, `columns` the TSV/CSV columns to translate."""
    return parse_document(text, name, fmt, fields=fields, columns=columns)


def format_of(filename: str) -> str:
    """The document format a file name implies (plain text when the extension is unknown)."""
    return EXTENSIONS.get(Path(filename).suffix.lower(), "text")
