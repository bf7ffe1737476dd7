"""Paragraphs made of formatted runs (Word, PowerPoint, OpenDocument) as one block each.

Office formats cut a sentence into runs wherever the formatting changes (and often where it does
not: Word splits runs at every editing session). A reader describes a paragraph as `Piece`s: text
with a style and maybe a link, or an atom (a field, an image, a tab, a footnote mark) kept as it
is. `inline` turns the pieces into one block: runs in the paragraph's most common style are plain
text, other styles and links are `InlineSpan`s (tokens ``⟦n⟧``), so the model sees the whole
sentence and the formatting goes back on the words it belongs to.

A span's markup is a small pseudo-XML naming the paragraph's own styles, links and atoms by index
(``<f s="2">``, ``<a l="0" s="1">``, ``<k n="0"/>``), and block text is XML-escaped, so a rendered
block parses back (`segments`) into pieces that the format's writer turns into runs again. The
indices are stable because the writer reads the paragraph of the freshly opened part with the same
reader before it rewrites it.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .model import InlineBuilder, InlineSpan
from .package import fragment

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


@dataclass
class Piece:
    """Text in style `style` (maybe inside link `link`), or the atom `atom`; `owner` is the child of
    the paragraph element it came from (what a rewrite replaces)."""

    text: str = ""
    style: int = 0
    link: int | None = None
    atom: int | None = None
    owner: Any = None


@dataclass
class Paragraph:
    """A paragraph element read into pieces, with the elements its indices name.

    `styles` are the style templates (a run-properties element or None in Word and PowerPoint, the
    chain of enclosing spans in OpenDocument), `links` the link elements (their
    attributes are copied onto a rewritten link), `atoms` the elements of each atom with whether a
    rewrite must wrap them in a run of their style (a tab inside a run) or not (whole runs of a field).
    """

    element: Any
    pieces: list[Piece] = field(default_factory=list)
    styles: list[Any] = field(default_factory=list)
    links: list[Any] = field(default_factory=list)
    atoms: list[tuple[list[Any], bool]] = field(default_factory=list)
    _keys: dict[bytes, int] = field(default_factory=dict)

    def style(self, template: Any, key: bytes) -> int:
        """The index of a style template; templates with equal `key` share one index."""
        if key not in self._keys:
            self._keys[key] = len(self.styles)
            self.styles.append(template)
        return self._keys[key]

    def text(self, text: str, style: int, link: int | None, owner: Any) -> None:
        if text:
            self.pieces.append(Piece(text, style, link, owner=owner))

    def atom(self, elements: list[Any], style: int, link: int | None, owner: Any, wrap: bool) -> None:
        self.atoms.append((elements, wrap))
        self.pieces.append(Piece(style=style, link=link, atom=len(self.atoms) - 1, owner=owner))

    def _range(self) -> list[Piece]:
        """From the first to the last piece (whole owners) with words; [] without words.

        Atoms before the first and after the last text (a heading's bookmark, an anchored picture)
        stay where they are, outside the block.
        """
        worded = [i for i, p in enumerate(self.pieces) if p.atom is None and p.text.strip()]
        if not worded:
            return []
        owners = [p.owner for p in self.pieces]
        first = owners.index(owners[worded[0]])
        last = len(owners) - 1 - owners[::-1].index(owners[worded[-1]])
        return self.pieces[first : last + 1]

    def content(self) -> list[Piece]:
        """The pieces the block holds, neighbours of the same style and link merged."""
        merged: list[Piece] = []
        for piece in self._range():
            previous = merged[-1] if merged else None
            if (previous and piece.atom is None and previous.atom is None
                    and (previous.style, previous.link) == (piece.style, piece.link)):
                merged[-1] = Piece(previous.text + piece.text, piece.style, piece.link, owner=previous.owner)
            else:
                merged.append(piece)
        return merged

    def consumed(self) -> list[Any]:
        """The children of the paragraph element a rewrite replaces (owners of the block's pieces)."""
        return list(dict.fromkeys(p.owner for p in self._range()))


def properties_key(element: Any) -> bytes:
    """What makes two run-properties elements the same style: their canonical XML."""
    return b"" if element is None else etree.tostring(element, method="c14n")


def _common(pieces: Sequence[Piece]) -> int:
    counts: Counter[int] = Counter()
    for piece in pieces:
        counts[piece.style] += len(piece.text)  # atoms count 0, but their style is a candidate
    return counts.most_common(1)[0][0] if counts else 0


def base_style(pieces: Sequence[Piece]) -> int:
    """The style plain block text is written in: the most common outside links, by characters."""
    return _common([p for p in pieces if p.link is None] or list(pieces))


def inline(paragraph: Paragraph) -> tuple[str, dict[str, InlineSpan]]:
    """The block text and spans of a paragraph (see the module docstring); ("", {}) without words."""
    pieces = paragraph.content()
    builder = InlineBuilder()
    base = base_style(pieces)
    index = 0
    while index < len(pieces):
        link = pieces[index].link
        if link is None:
            _add(builder, pieces[index], base)
            index += 1
            continue
        end = index
        while end < len(pieces) and pieces[end].link == link:
            end += 1
        default = _common(pieces[index:end])
        builder.open(f'<a l="{link}" s="{default}">')
        for piece in pieces[index:end]:
            _add(builder, piece, default)
        builder.close("</a>")
        index = end
    return builder.finish()


def _add(builder: InlineBuilder, piece: Piece, default: int) -> None:
    if piece.atom is not None:
        builder.atom(f'<k n="{piece.atom}"/>')
    elif piece.style == default:
        builder.text(piece.text)
    else:
        builder.open(f'<f s="{piece.style}">')
        builder.text(piece.text)
        builder.close("</f>")


def segments(rendered: str, base: int) -> list[Piece]:
    """A rendered block (pseudo-markup, see `inline`) back as pieces, in order."""
    out: list[Piece] = []

    def walk(element: Any, style: int, link: int | None) -> None:
        if element.text:
            out.append(Piece(element.text, style, link))
        for child in element:
            if child.tag == "k":
                out.append(Piece(style=style, link=link, atom=int(child.get("n"))))
            elif child.tag == "a":
                walk(child, int(child.get("s")), int(child.get("l")))
            else:
                walk(child, int(child.get("s")), link)
            if child.tail:
                out.append(Piece(child.tail, style, link))

    walk(fragment(rendered), base, None)
    return out


@dataclass(frozen=True)
class RunSyntax:
    """How a format spells a run: its element and its text element (qualified names), and whether
    the text element needs ``xml:space="preserve"`` to keep its edge spaces."""

    run: str
    text: str
    preserve_space: bool


def rewrite_runs(paragraph: Paragraph, rendered: str, syntax: RunSyntax) -> None:
    """Replace the paragraph's block children by runs built from the rendered translation."""
    consumed = paragraph.consumed()
    parent = paragraph.element
    position = parent.index(consumed[0])
    new: list[Any] = []
    wrapper: Any = None
    wrapper_link: int | None = None
    for piece in segments(rendered, base_style(paragraph.content())):
        if piece.link != wrapper_link:
            wrapper_link = piece.link
            wrapper = None
            if piece.link is not None:
                template = paragraph.links[piece.link]
                wrapper = etree.SubElement(parent, template.tag, dict(template.attrib))
                new.append(wrapper)
        target = new if wrapper is None else wrapper
        if piece.atom is not None:
            elements, wrap = paragraph.atoms[piece.atom]
            if wrap:
                run = _run(paragraph.styles[piece.style], parent, syntax)
                run.extend(elements)
                elements = [run]
            for element in elements:
                target.append(element)
        elif piece.text:
            run = _run(paragraph.styles[piece.style], parent, syntax)
            text = etree.SubElement(run, syntax.text)
            text.text = piece.text
            if syntax.preserve_space:
                text.set(XML_SPACE, "preserve")
            target.append(run)
    for child in consumed:
        if child.getparent() is parent:
            parent.remove(child)
    for offset, element in enumerate(new):
        parent.insert(position + offset, element)


def _run(template: Any, parent: Any, syntax: RunSyntax) -> Any:
    """A new run (made inside `parent`, so it reuses the part's namespace prefixes; moved later)."""
    run = etree.SubElement(parent, syntax.run)
    if template is not None:
        run.append(copy.deepcopy(template))
    return run
