"""Reading and writing office packages whose paragraphs are runs (DOCX, PPTX, ODT, ODP).

A format module describes itself as a `Layout`: which parts of the package hold text, how to find
the paragraphs of a part (each read into `runs.Paragraph`), where the package declares its language,
and how to write a paragraph back. This module does the rest the same way for all of them: blocks
and language properties with stable ids, and on writing, a part re-parsed and re-serialised only
when one of its paragraphs or declarations changed; every other entry of the zip is copied as is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..errors import InputError
from .model import Block, BlockKind, Document
from .package import Package, PackageState, escape, language_of, parse_xml, rebuild, serialize
from .runs import Paragraph, inline

_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Layout:
    """How one office format is laid out (module-level functions: nothing here is pickled).

    `context(package)` is read once per package (Word's style names) and handed to `paragraphs`,
    which yields (paragraph, block kind) in reading order, the same way every time it reads the same
    part; `languages` yields (element, attribute) of each language declaration, attribute None for
    an element whose text is the code (``dc:language``).
    """

    label: str
    parts: Callable[[Package], list[str]]
    context: Callable[[Package], Any]
    paragraphs: Callable[[Any, str, Any], Iterator[tuple[Paragraph, str]]]
    languages: Callable[[Any], Iterator[tuple[Any, str | None]]]
    rewrite: Callable[[Paragraph, str], None]


def read(data: bytes, path: str, fmt: str, layout: Layout) -> Document:
    """The blocks of every text part of the package, body first, with its language declarations."""
    package = Package(data, path, layout.label)
    context = layout.context(package)
    state = PackageState(data)
    blocks: list[Block] = []
    properties: list[Block] = []
    for part in layout.parts(package):
        root = package.xml(part)
        for number, (paragraph, kind) in enumerate(layout.paragraphs(root, part, context)):
            text, spans = inline(paragraph)
            block = Block(f"b{len(blocks) + 1}", kind, text, spans, meta={"part": part, "paragraph": number})
            if not _WORD.search(block.plain_text()):
                continue
            blocks.append(block)
            state.blocks.setdefault(part, {})[number] = block.id
        for number, (element, attribute) in enumerate(layout.languages(root)):
            value = element.text if attribute is None else element.get(attribute)
            if language_of(value) is None:
                continue
            code = Block(
                f"p{len(properties) + 1}", BlockKind.LANGUAGE, value, translate=False,
                skip_reason="language code: written as the target's code",
                meta={"part": part, "attribute": etree.QName(attribute or element).localname},
            )
            properties.append(code)
            state.properties.setdefault(part, {})[number] = code.id
    return Document(path, fmt, blocks, state, properties)


def write(doc: Document, rendered: dict[str, str], layout: Layout) -> bytes:
    """The package with changed paragraphs and language codes rewritten, all else byte for byte."""
    state: PackageState = doc.state
    package = Package(state.data, doc.path, layout.label)
    sources = {block.id: block.source(escape) for block in doc.blocks}
    sources.update((prop.id, prop.text) for prop in doc.properties)
    replaced: dict[str, bytes] = {}
    context = None
    for part in state.parts():
        changed = {n: rendered[i] for n, i in state.blocks.get(part, {}).items()
                   if i in rendered and rendered[i] != sources[i]}
        codes = {n: rendered[i] for n, i in state.properties.get(part, {}).items()
                 if i in rendered and rendered[i] != sources[i]}
        if not changed and not codes:
            continue
        original = package.read(part)
        root = parse_xml(original, part, doc.path)
        if changed and context is None:
            context = layout.context(package)
        # Read every paragraph before changing any: a text box's paragraphs sit inside another's runs.
        paragraphs = [paragraph for paragraph, _ in layout.paragraphs(root, part, context)] if changed else []
        for number, (element, attribute) in enumerate(layout.languages(root)):
            if number in codes:
                if attribute is None:
                    element.text = codes[number]
                else:
                    element.set(attribute, codes[number])
        for number, markup in changed.items():
            layout.rewrite(paragraphs[number], markup)
        replaced[part] = serialize(root, original)
    return rebuild(state.data, replaced)


def content_types(package: Package) -> dict[str, str]:
    """An OOXML package's part names (without the leading '/') -> content type."""
    root = package.xml("[Content_Types].xml")
    return {
        element.get("PartName", "").lstrip("/"): element.get("ContentType", "")
        for element in root if element.tag.endswith("}Override")
    }


def natural(name: str) -> tuple:
    """Sort key putting slide2 before slide10."""
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


def ooxml_parts(package: Package, suffixes: tuple[str, ...], label: str) -> list[str]:
    """Parts whose content type ends with one of `suffixes`, grouped in that order, naturally sorted
    within a group; InputError when the first group (the main part) is empty."""
    types = content_types(package)
    groups = [sorted((n for n, t in types.items() if t.endswith(s) and package.has(n)), key=natural)
              for s in suffixes]
    if not groups[0]:
        raise InputError(f"not a {label} file: no main document part", package.path)
    return [name for group in groups for name in group]
