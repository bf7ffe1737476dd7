"""OpenDocument text and presentations (ODT, ODP): every ``text:p`` and ``text:h`` of the body
(tables, lists, frames, notes, slides and their speaker notes) and of the master pages' headers and
footers; one block per paragraph, its ``text:span`` styles and ``text:a`` links as spans.

OpenDocument paragraphs are mixed content (text, then elements each followed by text), so a
paragraph is read by walking it: spans nest (a piece's style is its chain of span styles), a link
keeps its ``xlink:href``, ``text:s`` is spaces, ``text:soft-page-break`` is dropped (the office
suite recomputes it) and every other element (tabs, line breaks, notes, frames, bookmarks, fields,
comments) is an atom kept as it is (outside the block when no words precede or follow it); a note's
or a frame's own paragraphs are blocks of their own.
A rewritten paragraph gets its runs of spaces back as ``text:s``. ``fo:language`` and the asian and
complex-script languages of styles (and ``dc:language`` in meta.xml) that name Hindi or English are
language codes, written as the target's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from ..errors import InputError
from . import office
from .model import BlockKind, Document
from .package import Package, escape
from .runs import Paragraph, base_style, segments

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
PRESENTATION = "{urn:oasis:names:tc:opendocument:xmlns:presentation:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
_DC_LANGUAGE = "{http://purl.org/dc/elements/1.1/}language"
_MIMETYPES = {"odt": "application/vnd.oasis.opendocument.text",
              "odp": "application/vnd.oasis.opendocument.presentation"}
_LANGUAGE_ATTRIBUTES = (FO + "language", STYLE + "language-asian", STYLE + "language-complex")
_SPACES = re.compile(" {2,}")


def _parts(package: Package) -> list[str]:
    return [name for name in ("content.xml", "styles.xml", "meta.xml") if package.has(name)]


def _kind(paragraph: Any) -> str:
    if paragraph.tag == TEXT + "h":
        return BlockKind.HEADING
    for ancestor in paragraph.iterancestors():
        if ancestor.tag == TABLE + "table-cell":
            return BlockKind.TABLE_CELL
        if ancestor.tag == TEXT + "list-item":
            return BlockKind.LIST_ITEM
        if ancestor.tag == DRAW + "frame" and ancestor.get(PRESENTATION + "class") == "title":
            return BlockKind.TITLE
    return BlockKind.PARAGRAPH


def _walk(paragraph: Paragraph, element: Any, chain: tuple[Any, ...], link: int | None, owner: Any) -> None:
    """Add the pieces of `element`'s content; `chain` holds the spans around it, outermost first.

    A piece's owner is what a rewrite replaces: the paragraph itself for its leading text, else the
    paragraph's child the piece is in (or whose tail it is), so leading and trailing atoms without
    words (a footnote mark, an anchored frame) stay outside the block, where they are.
    """
    top = element is paragraph.element
    style = paragraph.style(chain, "\0".join(s.get(TEXT + "style-name", "") for s in chain).encode())
    paragraph.text(element.text or "", style, link, owner)
    for child in element:
        within = child if top else owner
        if child.tag == TEXT + "span":
            _walk(paragraph, child, (*chain, child), link, within)
        elif child.tag == TEXT + "a":
            paragraph.links.append(child)
            _walk(paragraph, child, chain, len(paragraph.links) - 1, within)
        elif child.tag == TEXT + "s":
            paragraph.text(" " * int(child.get(TEXT + "c", "1")), style, link, within)
        elif child.tag != TEXT + "soft-page-break" and not isinstance(child, etree._Comment):
            paragraph.atom([child], style, link, within, False)
        paragraph.text(child.tail or "", style, link, within)


def _paragraphs(root: Any, part: str, context: None) -> Iterator[tuple[Paragraph, str]]:
    scope = root.find(OFFICE + ("body" if part == "content.xml" else "master-styles"))
    if scope is None:
        return
    for element in scope.iter(TEXT + "p", TEXT + "h"):
        paragraph = Paragraph(element)
        _walk(paragraph, element, (), None, element)
        yield paragraph, _kind(element)


def _languages(root: Any) -> Iterator[tuple[Any, str | None]]:
    for element in root.iter(STYLE + "text-properties", _DC_LANGUAGE):
        if element.tag == _DC_LANGUAGE:
            yield element, None
            continue
        for attribute in _LANGUAGE_ATTRIBUTES:
            if element.get(attribute):
                yield element, attribute


def _append_text(element: Any, text: str) -> None:
    """Append `text` at the end of `element`'s content, runs of spaces as ``text:s``."""
    last = 0
    for match in _SPACES.finditer(text):
        _append_plain(element, text[last : match.start() + 1])
        etree.SubElement(element, TEXT + "s", {TEXT + "c": str(len(match.group()) - 1)})
        last = match.end()
    _append_plain(element, text[last:])


def _append_plain(element: Any, text: str) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _rewrite(paragraph: Paragraph, rendered: str) -> None:
    """Replace the block's part of the paragraph by the rendered translation (atoms moved back)."""
    element = paragraph.element
    consumed = paragraph.consumed()
    children = [child for child in consumed if child is not element]
    position = element.index(children[0]) if children else 0
    holder = etree.SubElement(element, element.tag)  # scratch: the new content, then spliced in
    container, container_link = holder, None
    for piece in segments(rendered, base_style(paragraph.content())):
        if piece.link != container_link:
            container_link, container = piece.link, holder
            if piece.link is not None:
                template = paragraph.links[piece.link]
                container = etree.SubElement(holder, template.tag, dict(template.attrib))
        target = container
        for span in paragraph.styles[piece.style]:
            target = etree.SubElement(target, span.tag, dict(span.attrib))
        if piece.atom is not None:
            atom = paragraph.atoms[piece.atom][0][0]
            atom.tail = None  # its old tail is block text, rendered anew
            target.append(atom)
        else:
            _append_text(target, piece.text)
    for child in children:
        if child.getparent() is element:
            element.remove(child)
    element.remove(holder)
    if element in consumed or position == 0:
        element.text = ("" if element in consumed else element.text or "") + (holder.text or "")
    else:
        element[position - 1].tail = (element[position - 1].tail or "") + (holder.text or "")
    for offset, child in enumerate(list(holder)):
        element.insert(position + offset, child)


LAYOUT_LABELS = {"odt": "ODT", "odp": "ODP"}
BINARY = True


def _layout(fmt: str) -> office.Layout:
    return office.Layout(LAYOUT_LABELS[fmt], _parts, lambda package: None, _paragraphs, _languages, _rewrite)


def read(data: bytes, path: str, fmt: str) -> Document:
    """An ODT or ODP package (`fmt`); its ``mimetype`` entry must name an OpenDocument text or
    presentation (a spreadsheet or drawing is refused)."""
    package = Package(data, path, LAYOUT_LABELS[fmt])
    mimetype = package.read("mimetype").decode("ascii", "replace").strip()
    if mimetype not in _MIMETYPES.values():
        raise InputError(f"not an ODT or ODP file: its mimetype is {mimetype!r}", path)
    return office.read(data, path, fmt, _layout(fmt))


def write(doc: Document, rendered: dict[str, str]) -> bytes:
    return office.write(doc, rendered, _layout(doc.format))


__all__ = ["BINARY", "escape", "read", "write"]
