"""Front matter: YAML between ``---`` lines or TOML between ``+++`` lines at the top of a Markdown file.

Jekyll, Hugo, MkDocs and Docusaurus keep a page's title, description and language there. It is
parsed with a real YAML (ruamel.yaml) or TOML (tomlkit) library, never read as article text: the
human-readable string fields (`DEFAULT_KEYS`, or the keys given) become properties of the document,
``lang``/``language`` a language-code property, and everything else (keys, lists of slugs, dates,
comments, quoting) is kept byte for byte, because each value is spliced back at the exact source
range the parser reports (ruamel.yaml's node marks; for TOML, tomlkit's exact raw text of the value
found after its key). A translated value is written in the source's quoting style when the text
allows it (ruamel.yaml decides whether a plain scalar stays plain), double-quoted otherwise.

Only top-level keys are read. Front matter that is not a mapping (``---`` starting a document
whose next ``---`` is a thematic break) is not front matter; front matter that does not parse is
an InputError naming the file and line.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import InputError
from .model import BlockKind
from .splice import DocumentBuilder

if TYPE_CHECKING:
    from ruamel.yaml import YAML

# ruamel.yaml and tomlkit are imported where front matter is parsed, never by documents without it.

DEFAULT_KEYS = ("title", "description", "summary", "excerpt")
LANGUAGE_KEYS = ("lang", "language")
_FENCES = {"---": "yaml", "+++": "toml"}
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class FrontMatter:
    """Where the front matter sits: [start, end) of the whole thing, fences included; its body."""

    syntax: str  # "yaml" or "toml"
    start: int
    end: int
    body_start: int
    body_end: int


def find(source: str) -> FrontMatter | None:
    """The front matter at the very top of `source`, if any (a closing fence is required)."""
    first = source.split("\n", 1)[0].rstrip("\r")
    syntax = _FENCES.get(first.rstrip())
    if syntax is None:
        return None
    fence = first.rstrip()
    body_start = len(first) + 1
    if body_start > len(source):
        return None
    closing = re.compile(rf"^{re.escape(fence)}[ \t]*\r?$|^\.\.\.[ \t]*\r?$" if syntax == "yaml"
                         else rf"^{re.escape(fence)}[ \t]*\r?$", re.MULTILINE)
    match = closing.search(source, body_start)
    if match is None:
        return None
    end = match.end() + 1 if match.end() < len(source) else match.end()
    return FrontMatter(syntax, 0, end, body_start, match.start())


def blank(source: str, front: FrontMatter) -> str:
    """`source` with the front matter's characters turned into spaces (newlines kept), so a
    Markdown parser sees blank lines there and every offset and line number stays the same."""
    region = re.sub(r"[^\n]", " ", source[front.start : front.end])
    return source[: front.start] + region + source[front.end :]


def read(builder: DocumentBuilder, front: FrontMatter, path: str, keys: tuple[str, ...]) -> bool:
    """Add the front matter's readable fields and language code to `builder` as properties.

    False when the text between the fences is not a mapping (so it is no front matter at all).
    """
    body = builder.source[front.body_start : front.body_end]
    reader = _read_yaml if front.syntax == "yaml" else _read_toml
    fields = reader(body, path, front.body_start, builder.source)
    if fields is None:
        return False
    for key, value, start, end, encode in fields:
        offset = front.body_start
        meta = {"front_matter": key, "line": builder.source.count("\n", 0, offset + start) + 1}
        if key in LANGUAGE_KEYS:
            builder.property(BlockKind.LANGUAGE, value, offset + start, offset + end, encode, meta)
        elif key in keys and value.strip():
            builder.property(BlockKind.FIELD, value, offset + start, offset + end, encode, meta)
    return True


_Field = tuple[str, str, int, int, Callable[[str], str]]


def _yaml() -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip mode: keeps quoting styles
    yaml.width = 1_000_000  # never fold a long value over lines
    yaml.allow_unicode = True
    return yaml


def _read_yaml(body: str, path: str, offset: int, source: str) -> list[_Field] | None:
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    try:
        node = _yaml().compose(body)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = source.count("\n", 0, offset) + (mark.line + 1 if mark else 1)
        problem = exc.problem or exc.context
        raise InputError(f"front matter is not valid YAML: {problem}", path, line) from None
    if not isinstance(node, MappingNode):
        return None
    fields = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode) or not isinstance(value_node, ScalarNode):
            continue
        if value_node.tag != _STR_TAG:
            continue  # dates, numbers, booleans: kept as they are
        start, end = value_node.start_mark.index, value_node.end_mark.index
        raw = body[start:end]
        end = start + len(raw.rstrip())  # a block scalar's range runs into the next line
        encoder = _yaml_encoder(value_node.style)
        fields.append((str(key_node.value), str(value_node.value), start, end, encoder))
    return fields


def _yaml_encoder(style: str | None) -> Callable[[str], str]:
    """Writes a translated value as a YAML scalar in the source's quoting style where possible
    (a partial, not a closure: parsed documents are pickled to Ray workers)."""
    return functools.partial(_yaml_encode, style=style)


def _yaml_encode(text: str, style: str | None) -> str:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    value: str = text
    if style == "'":
        value = SingleQuotedScalarString(text)
    elif style != None:  # noqa: E711 -- double quotes, and block scalars become one quoted line
        value = DoubleQuotedScalarString(text)
    out = io.StringIO()
    _yaml().dump({"k": value}, out)
    dumped = out.getvalue()
    assert dumped.startswith("k: ")
    return dumped[3:].rstrip("\n")


def _read_toml(body: str, path: str, offset: int, source: str) -> list[_Field] | None:
    import tomlkit
    from tomlkit.exceptions import ParseError

    try:
        document = tomlkit.parse(body)
    except ParseError as exc:
        line = source.count("\n", 0, offset) + exc.line
        raise InputError(f"front matter is not valid TOML: {exc}", path, line) from None
    first_table = re.search(r"^\s*\[", body, re.MULTILINE)
    top_end = first_table.start() if first_table else len(body)
    fields = []
    for key, item in document.items():
        if not isinstance(item, tomlkit.items.String):
            continue
        raw = item.as_string()
        name = re.escape(key)
        pattern = re.compile(rf"^[ \t]*(?:{name}|\"{name}\"|'{name}')[ \t]*=[ \t]*", re.MULTILINE)
        match = pattern.search(body, 0, top_end)
        if match is None or not body.startswith(raw, match.end()):
            continue
        start = match.end()
        fields.append((key, str(item), start, start + len(raw), _toml_encode))
    return fields


def _toml_encode(text: str) -> str:
    import tomlkit

    return tomlkit.string(text).as_string()
