"""Word (DOCX): every paragraph of the body, tables, headers, footers, footnotes, endnotes and text
boxes; one block per paragraph, its formatted runs and hyperlinks as spans (see `runs`).

Why lxml on the package XML and not python-docx's object model: python-docx reaches neither
footnotes nor text boxes, and saving through it re-serialises every part; here only the parts whose
text changed are rewritten and everything else in the zip (images, comments, settings, fonts) is
copied byte for byte.

What stays as it is: paragraph properties (the heading style, numbering, alignment); fields (from
``fldChar begin`` to ``end``, their results included: a page number or a table of contents is
Word's to update) and ``fldSimple``; bookmarks and comment ranges (where they were); tracked changes,
content controls and smart tags inside a paragraph (atoms, untranslated); pictures, tabs, breaks and
footnote marks (atoms at their place in the sentence); ``comments.xml``. A hyperlink keeps its
target (``r:id``/``w:anchor``), its text is translated. ``w:lang`` values naming Hindi or English
(document defaults, styles, runs) and ``dc:language`` are language codes, written as the target's.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from . import office
from .model import BlockKind, Document
from .package import Package, escape
from .runs import Paragraph, RunSyntax, properties_key, rewrite_runs

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC_LANGUAGE = "{http://purl.org/dc/elements/1.1/}language"
_PARTS = (
    "document.main+xml", "template.main+xml", "wordprocessingml.header+xml", "wordprocessingml.footer+xml",
    "wordprocessingml.footnotes+xml", "wordprocessingml.endnotes+xml", "wordprocessingml.styles+xml",
    "core-properties+xml",
)
_MARKERS = frozenset(
    W + name for name in ("pPr", "bookmarkStart", "bookmarkEnd", "proofErr", "commentRangeStart",
                          "commentRangeEnd", "permStart", "permEnd")
)
"""Paragraph children that mark a place rather than hold content: never part of a block."""
_DROPPED = frozenset({W + "rPr", W + "lastRenderedPageBreak"})
"""Run children that are not content (Word recomputes the last rendered page break)."""
_LANGUAGE_ATTRIBUTES = (W + "val", W + "bidi", W + "eastAsia")
SYNTAX = RunSyntax(W + "r", W + "t", preserve_space=True)


def _parts(package: Package) -> list[str]:
    return office.ooxml_parts(package, _PARTS, "DOCX")


def _style_names(package: Package) -> dict[str, str]:
    """Style id -> its name ("Heading1" -> "heading 1"; ids are localised, built-in names are not)."""
    styles = next((n for n in _parts(package) if n.endswith("styles.xml")), None)
    if styles is None:
        return {}
    return {
        style.get(W + "styleId", ""): (style.find(W + "name").get(W + "val", "") if style.find(W + "name")
                                       is not None else "").lower()
        for style in package.xml(styles).iter(W + "style")
    }


def _kind(paragraph: Any, names: dict[str, str]) -> str:
    if any(a.tag == W + "tc" for a in paragraph.iterancestors()):
        return BlockKind.TABLE_CELL
    properties = paragraph.find(W + "pPr")
    style = properties.find(W + "pStyle") if properties is not None else None
    name = names.get(style.get(W + "val", ""), "") if style is not None else ""
    if name == "title":
        return BlockKind.TITLE
    if name.startswith(("heading", "subtitle")):
        return BlockKind.HEADING
    if "quote" in name:
        return BlockKind.QUOTE
    if name.startswith("list") or (properties is not None and properties.find(W + "numPr") is not None):
        return BlockKind.LIST_ITEM
    return BlockKind.PARAGRAPH


class _Reader:
    """Reads the paragraphs of one part in order, tracking fields that span runs and paragraphs."""

    def __init__(self) -> None:
        self.depth = 0  # how many fields are open (begun and not yet ended)
        self.field: int | None = None  # the atom collecting the runs of the open field

    def paragraph(self, element: Any) -> Paragraph:
        paragraph = Paragraph(element)
        self.field = None
        for child in element:
            if child.tag in _MARKERS:
                continue
            if child.tag == W + "r":
                self._run(paragraph, child, None, child)
            elif child.tag == W + "hyperlink":
                paragraph.links.append(child)
                link = len(paragraph.links) - 1
                for run in child:
                    if run.tag == W + "r":
                        self._run(paragraph, run, link, child)
                    elif run.tag not in _MARKERS:
                        paragraph.atom([run], paragraph.style(None, b""), link, child, False)
            else:  # fldSimple, tracked changes, content controls, smart tags, AlternateContent
                self.field = None
                paragraph.atom([child], paragraph.style(None, b""), None, child, False)
        return paragraph

    def _run(self, paragraph: Paragraph, run: Any, link: int | None, owner: Any) -> None:
        properties = run.find(W + "rPr")
        style = paragraph.style(properties, properties_key(properties))
        chars = [c.get(W + "fldCharType") for c in run.iter(W + "fldChar")]
        if self.depth or chars:
            for kind in chars:
                self.depth = max(0, self.depth + {"begin": 1, "end": -1}.get(kind, 0))
            if self.field is None:
                paragraph.atom([run], style, link, owner, False)
                self.field = len(paragraph.atoms) - 1
            else:
                paragraph.atoms[self.field][0].append(run)
            if not self.depth:
                self.field = None
            return
        self.field = None
        for child in run:
            if child.tag == W + "t":
                paragraph.text(child.text or "", style, link, owner)
            elif child.tag not in _DROPPED:
                paragraph.atom([child], style, link, owner, True)


def _paragraphs(root: Any, part: str, names: dict[str, str]) -> Iterator[tuple[Paragraph, str]]:
    reader = _Reader()
    for element in root.iter(W + "p"):
        yield reader.paragraph(element), _kind(element, names)


def _languages(root: Any) -> Iterator[tuple[Any, str | None]]:
    for element in root.iter(W + "lang", _DC_LANGUAGE):
        if element.tag == _DC_LANGUAGE:
            yield element, None
        else:
            for attribute in _LANGUAGE_ATTRIBUTES:
                if element.get(attribute):
                    yield element, attribute


LAYOUT = office.Layout("DOCX", _parts, _style_names, _paragraphs, _languages,
                       functools.partial(rewrite_runs, syntax=SYNTAX))
BINARY = True


def read(data: bytes, path: str) -> Document:
    return office.read(data, path, "docx", LAYOUT)


def write(doc: Document, rendered: dict[str, str]) -> bytes:
    return office.write(doc, rendered, LAYOUT)


__all__ = ["BINARY", "escape", "read", "write"]
