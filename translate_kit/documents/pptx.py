"""PowerPoint (PPTX): the text of every slide (text frames, tables, grouped shapes) and of the
speaker notes; one block per paragraph, its formatted runs as spans (see `runs`).

lxml on the package XML rather than python-pptx's object model, for the reason `docx` gives: only
slides whose text changed are rewritten, every other zip entry (masters, layouts, media, the notes
master) is copied byte for byte. A run's properties travel with its words, and in DrawingML a
hyperlink is one of those properties (``a:hlinkClick``), so a linked phrase is a span that keeps its
target. Line breaks (``a:br``) and fields (``a:fld``: slide numbers, dates) are atoms kept where
they are; paragraph properties and ``a:endParaRPr`` stay. ``lang`` attributes naming Hindi or
English and ``dc:language`` are language codes, written as the target's.

Slides are read in the order of their part names (slide1, slide2, ...), then the notes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from . import office
from .model import BlockKind, Document
from .package import Package, escape
from .runs import Paragraph, RunSyntax, properties_key, rewrite_runs

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
_DC_LANGUAGE = "{http://purl.org/dc/elements/1.1/}language"
_PARTS = ("presentationml.slide+xml", "presentationml.notesSlide+xml", "core-properties+xml")
_KEPT = frozenset({A + "pPr", A + "endParaRPr"})
_RUN_PROPERTIES = (A + "rPr", A + "endParaRPr", A + "defRPr")
SYNTAX = RunSyntax(A + "r", A + "t", preserve_space=False)


def _parts(package: Package) -> list[str]:
    return office.ooxml_parts(package, _PARTS, "PPTX")


def _kind(paragraph: Any) -> str:
    for ancestor in paragraph.iterancestors():
        if ancestor.tag == A + "tc":
            return BlockKind.TABLE_CELL
        if ancestor.tag == P + "sp":
            placeholder = ancestor.find(f"{P}nvSpPr/{P}nvPr/{P}ph")
            kind = placeholder.get("type", "") if placeholder is not None else ""
            if kind in ("title", "ctrTitle"):
                return BlockKind.TITLE
            if kind == "subTitle":
                return BlockKind.HEADING
            return BlockKind.PARAGRAPH
    return BlockKind.PARAGRAPH


def _paragraph(element: Any) -> Paragraph:
    paragraph = Paragraph(element)
    for child in element:
        if child.tag in _KEPT:
            continue
        properties = child.find(A + "rPr")
        style = paragraph.style(properties, properties_key(properties))
        if child.tag == A + "r":
            text = child.find(A + "t")
            paragraph.text((text.text or "") if text is not None else "", style, None, child)
        else:  # a:br, a:fld and anything newer
            paragraph.atom([child], style, None, child, False)
    return paragraph


def _paragraphs(root: Any, part: str, context: None) -> Iterator[tuple[Paragraph, str]]:
    for element in root.iter(A + "p"):
        yield _paragraph(element), _kind(element)


def _languages(root: Any) -> Iterator[tuple[Any, str | None]]:
    for element in root.iter(*_RUN_PROPERTIES, _DC_LANGUAGE):
        if element.tag == _DC_LANGUAGE:
            yield element, None
        elif element.get("lang"):
            yield element, "lang"


def _no_context(package: Package) -> None:
    return None


LAYOUT = office.Layout("PPTX", _parts, _no_context, _paragraphs, _languages,
                       functools.partial(rewrite_runs, syntax=SYNTAX))
BINARY = True


def read(data: bytes, path: str) -> Document:
    return office.read(data, path, "pptx", LAYOUT)


def write(doc: Document, rendered: dict[str, str]) -> bytes:
    return office.write(doc, rendered, LAYOUT)


__all__ = ["BINARY", "escape", "read", "write"]
