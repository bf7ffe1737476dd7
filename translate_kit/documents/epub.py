"""EPUB: every XHTML document of the book (spine order, then the rest of the manifest, the
navigation document included) read by the HTML reader, and the package's title and description as
properties; ``dc:language`` and each chapter's ``xml:lang``/``lang`` are language codes.

Why the HTML reader and not an EPUB library: a chapter is a web page, and the HTML reader already
keeps every byte of markup it does not translate, so a chapter is spliced exactly as an HTML file
is. Block ids run through the book (``b1``, ``b2``, ...) in reading order, each block's ``meta``
naming its chapter; the OPF is rewritten only when a property changed, every chapter only when one
of its blocks did, and every other entry (images, CSS, fonts, the ``mimetype`` entry first and
stored) is copied as it is. The NCX table of contents of EPUB 2 is not translated.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

from ..errors import InputError
from ..textio import decode
from . import html
from .model import Block, BlockKind, Document
from .package import Package, parse_xml, rebuild, serialize
from .splice import NestedReader

BINARY = True
escape = html.escape
MIMETYPE = "application/epub+zip"
_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_XHTML_TYPES = frozenset({"application/xhtml+xml", "text/html"})
_METADATA = {
    _DC + "title": BlockKind.TITLE,
    _DC + "description": BlockKind.FIELD,
    _DC + "language": BlockKind.LANGUAGE,
}


@dataclass
class EpubState:
    """The book's bytes, its OPF part, each chapter's HTML document, and where each id comes from:
    `ids[id]` = (chapter index, the id in that chapter's document); `metadata[id]` = n for the n-th
    title/description/language element of the OPF."""

    data: bytes
    opf: str
    chapters: list[tuple[str, Document]] = field(default_factory=list)
    ids: dict[str, tuple[int, str]] = field(default_factory=dict)
    metadata: dict[str, int] = field(default_factory=dict)


def _opf_path(package: Package) -> str:
    mimetype = package.read("mimetype").decode("ascii", "replace").strip()
    if mimetype != MIMETYPE:
        raise InputError(f"not an EPUB file: its mimetype is {mimetype!r}", package.path)
    rootfile = package.xml("META-INF/container.xml").find(f"{_CONTAINER}rootfiles/{_CONTAINER}rootfile")
    if rootfile is None or not rootfile.get("full-path"):
        raise InputError("not an EPUB file: META-INF/container.xml names no package document", package.path)
    return rootfile.get("full-path")


def _chapters(package: Package, opf: str, root) -> list[str]:
    """The XHTML parts of the book: spine order first, then the manifest's others (the nav)."""
    folder = posixpath.dirname(opf)
    items = {
        item.get("id"): posixpath.normpath(posixpath.join(folder, unquote(item.get("href", ""))))
        for item in root.iter(_OPF + "item") if item.get("media-type") in _XHTML_TYPES
    }
    spine = [items[ref.get("idref")] for ref in root.iter(_OPF + "itemref") if ref.get("idref") in items]
    return [name for name in dict.fromkeys([*spine, *items.values()]) if package.has(name)]


def _metadata(root) -> list:
    return [element for element in root.iter(*_METADATA) if (element.text or "").strip()]


def read(data: bytes, path: str, nested: Mapping[str, NestedReader] | None = None) -> Document:
    """The book's chapters as one document; `nested` as for HTML (documents.parse_document)."""
    package = Package(data, path, "EPUB")
    opf = _opf_path(package)
    root = package.xml(opf)
    state = EpubState(data, opf)
    blocks: list[Block] = []
    properties: list[Block] = []
    for number, element in enumerate(_metadata(root)):
        prop = Block(f"p{len(properties) + 1}", _METADATA[element.tag], element.text.strip(),
                     meta={"part": opf, "field": element.tag.rpartition("}")[2]})
        if prop.kind == BlockKind.LANGUAGE:
            prop.translate, prop.skip_reason = False, "language code: written as the target's code"
        properties.append(prop)
        state.metadata[prop.id] = number
    for index, name in enumerate(_chapters(package, opf, root)):
        chapter = html.read(decode(package.read(name), f"{path}:{name}"), f"{path}:{name}", nested)
        state.chapters.append((name, chapter))
        for own, target in ((chapter.blocks, blocks), (chapter.properties, properties)):
            for block in own:
                new_id = f"{'b' if target is blocks else 'p'}{len(target) + 1}"
                target.append(dataclasses.replace(block, id=new_id, meta={**block.meta, "part": name}))
                state.ids[new_id] = (index, block.id)
    return Document(path, "epub", blocks, state, properties)


def write(doc: Document, rendered: dict[str, str]) -> bytes:
    """The book with changed chapters and metadata rewritten; every other entry as it is."""
    state: EpubState = doc.state
    replaced: dict[str, bytes] = {}
    per_chapter: list[dict[str, str]] = [{} for _ in state.chapters]
    for new_id, text in rendered.items():
        if new_id in state.ids:
            index, own = state.ids[new_id]
            per_chapter[index][own] = text
    for (name, chapter), own in zip(state.chapters, per_chapter, strict=True):
        sources = {b.id: b.source(chapter.state.escape) for b in chapter.blocks}
        sources.update((p.id, p.text) for p in chapter.properties)
        if any(text != sources.get(key) for key, text in own.items()):
            replaced[name] = html.write(chapter, own).encode("utf-8")
    by_id = {prop.id: prop for prop in doc.properties}
    changed = {
        n: rendered[i] for i, n in state.metadata.items() if i in rendered and rendered[i] != by_id[i].text
    }
    if changed:
        package = Package(state.data, doc.path, "EPUB")
        original = package.read(state.opf)
        root = parse_xml(original, state.opf, doc.path)
        for number, element in enumerate(_metadata(root)):
            if number in changed:
                element.text = changed[number]
        replaced[state.opf] = serialize(root, original)
    return rebuild(state.data, replaced)
