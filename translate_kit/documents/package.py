"""Zip packages (DOCX, PPTX, ODT, ODP, EPUB): opened defensively, written back part by part.

Office files and e-books are zip archives of XML parts. Readers here never trust them:

* a file that is not a zip (renamed text, a legacy ``.doc``, an encrypted Office file, which is an
  OLE container) or a damaged one is an `InputError` naming the file and what is wrong;
* zip bombs are refused before anything is decompressed: too many entries, too much in total, or an
  entry that inflates more than `MAX_RATIO` times;
* XML is parsed without DTDs, entity expansion, network access or huge-tree mode, and a part that
  declares a DOCTYPE is refused outright (no legitimate package part has one), so external entities
  and entity-expansion bombs never get a chance.

Writing copies every entry it did not change as it is (name, order, timestamps, compression,
content), so images, fonts, comments and untranslated parts stay byte-identical; an identity
translation returns the input's own bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from lxml import etree

from ..errors import InputError
from ..languages import normalize_lang

MAX_ENTRIES = 10_000
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200
"""Deflate reaches ~1000x only on degenerate data; real XML parts inflate 5-30x, so 200x is far above
any document and far below a bomb's 10^4-10^6x. Small entries are exempt (a tiny part can inflate
much and still be harmless)."""
_RATIO_EXEMPT_BYTES = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False,
        remove_blank_text=False,
    )


class Package:
    """An open zip package: checked entry sizes, parts read and parsed safely, by name."""

    def __init__(self, data: bytes, path: str, label: str) -> None:
        self.path, self.label = path, label
        if data.startswith(_OLE_MAGIC):
            raise InputError(f"not a {label} file: an encrypted or legacy binary Office file "
                             f"(remove the password or save it as {label})", path)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError):
            what = "a damaged or truncated zip" if data.startswith(b"PK") else "not a zip package"
            raise InputError(f"not a {label} file: {what}", path) from None
        infos = self.zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise InputError(f"refused: {len(infos)} zip entries (at most {MAX_ENTRIES})", path)
        if sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:
            raise InputError(f"refused: unpacks to more than {MAX_TOTAL_BYTES >> 20} MiB (zip bomb?)", path)
        for info in infos:
            if info.flag_bits & 0x1:
                raise InputError(f"not readable: {info.filename} is encrypted", path)
            inflated = info.file_size > MAX_RATIO * max(info.compress_size, 1)
            if inflated and info.file_size > _RATIO_EXEMPT_BYTES:
                raise InputError(f"refused: {info.filename} inflates over {MAX_RATIO}x (zip bomb?)", path)
        self.names = [info.filename for info in infos]

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        """The bytes of entry `name`; a missing or damaged entry is an InputError."""
        if name not in self.names:
            raise InputError(f"not a {self.label} file: {name} is missing", self.path)
        try:
            return self.zip.read(name)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise InputError(f"damaged zip entry {name}: {exc}", self.path) from None

    def xml(self, name: str) -> etree._Element:
        return parse_xml(self.read(name), name, self.path)


def parse_xml(data: bytes, part: str, path: str) -> etree._Element:
    """The root of a package part, parsed without DTDs or entities (InputError when it is not XML)."""
    if _DOCTYPE.search(data):
        raise InputError(f"refused: {part} declares a DTD (external entities are not allowed)", path)
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{part} is not well-formed XML: {exc}", path) from None


def serialize(root: etree._Element, original: bytes) -> bytes:
    """A part written back with the XML declaration its source had (standalone kept)."""
    standalone = re.search(rb"""standalone\s*=\s*["'](yes|no)["']""", original[:200])
    return etree.tostring(
        root, xml_declaration=original.lstrip().startswith(b"<?xml"), encoding="UTF-8",
        standalone=None if standalone is None else standalone.group(1) == b"yes",
    )


def fragment(markup: str) -> etree._Element:
    """The rendered pseudo-markup of a block (see `runs`) parsed under a ``<x>`` root."""
    return etree.fromstring(f"<x>{markup}</x>", _parser())


def escape(text: str) -> str:
    """Block text as pseudo-markup: XML-escaped, with characters XML cannot hold dropped."""
    return _XML_INVALID.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rebuild(data: bytes, replaced: Mapping[str, bytes]) -> bytes:
    """The zip `data` with the entries in `replaced` swapped; every other entry copied as it is."""
    if not replaced:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = replaced.get(info.filename)
            target.writestr(info, source.read(info) if content is None else content)
    return out.getvalue()


def language_of(value: str | None) -> str | None:
    """The canonical language a declared code names ("hi-IN" -> Hindi), if it is one of ours."""
    if not value:
        return None
    for candidate in (value, re.split("[-_]", value)[0]):
        try:
            return normalize_lang(candidate)
        except ValueError:
            continue
    return None


@dataclass
class PackageState:
    """What a package writer needs, pickle-friendly (a parsed document travels to Ray workers).

    `blocks[part][n]` is the id of the block read from the n-th paragraph the format's reader found
    in `part`; `properties[part]` lists (locator, property id): the n-th language declaration.
    """

    data: bytes
    blocks: dict[str, dict[int, str]] = field(default_factory=dict)
    properties: dict[str, dict[int, str]] = field(default_factory=dict)

    def parts(self) -> Iterator[str]:
        yield from dict.fromkeys([*self.blocks, *self.properties])
