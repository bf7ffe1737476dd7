"""Writing a document back by splicing translated blocks into the untouched source text.

Plain text and Markdown keep their source: every block remembers where its text sits (a range per
source line, because Markdown strips line prefixes such as ``> `` or list indentation from block
text). Everything outside those ranges (blank lines, markers, indentation, code) is copied byte for
byte, so an identity translation reproduces the input exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import Block, BlockKind, Document


@dataclass(frozen=True)
class LineRange:
    """The part [start, end) of the source that holds one line of a block's text."""

    start: int
    end: int


def _verbatim(text: str) -> str:
    return text


@dataclass
class SpliceState:
    """A reader's source text, per block id the ranges of its lines (in order), and its text escape.

    `encoders` maps a property's id to how its text is written into the source (a YAML or TOML
    scalar, a quoted attribute value); a property's rendered text is plain text.
    """

    source: str
    ranges: dict[str, list[LineRange]]
    escape: Callable[[str], str] = _verbatim
    encoders: dict[str, Callable[[str], str]] = field(default_factory=dict)


NestedReader = Callable[["DocumentBuilder", int, int, str], None]
"""Adds the blocks of builder.source[start:end] (in another markup) to the builder, given a path."""


class DocumentBuilder:
    """Collects blocks and properties with their source ranges while one or more readers walk a
    source (Markdown hands its HTML blocks to the HTML reader and back): ids follow reading order.

    `nested` maps a markup name to the reader of a stretch of source in that markup; the caller
    that picks the formats (documents.parse_document) supplies it, so no reader imports another
    reader that imports it back.
    """

    def __init__(self, source: str, nested: Mapping[str, NestedReader] | None = None) -> None:
        self.source = source
        self.nested = dict(nested or {})
        self.blocks: list[Block] = []
        self.properties: list[Block] = []
        self.ranges: dict[str, list[LineRange]] = {}
        self.encoders: dict[str, Callable[[str], str]] = {}

    def block(
        self, kind: str, text: str, spans: dict, ranges: list[LineRange], meta: dict[str, Any]
    ) -> Block:
        block = Block(f"b{len(self.blocks) + 1}", kind, text, spans, meta=meta)
        self.blocks.append(block)
        self.ranges[block.id] = ranges
        return block

    def property(
        self, kind: str, text: str, start: int, end: int, encode: Callable[[str], str], meta: dict[str, Any]
    ) -> Block:
        """A property: `text` read from source[start:end], written back as encode(translation)."""
        block = Block(f"p{len(self.properties) + 1}", kind, text, meta=meta)
        if kind == BlockKind.LANGUAGE:
            block.translate, block.skip_reason = False, "language code: written as the target's code"
        self.properties.append(block)
        self.ranges[block.id] = [LineRange(start, end)]
        self.encoders[block.id] = encode
        return block

    def read_nested(self, markup: str, start: int, end: int, path: str) -> None:
        """Read source[start:end] as `markup` (an HTML element's Markdown content, a Markdown HTML block)."""
        reader = self.nested.get(markup)
        if reader is None:
            raise ValueError(f"no reader for {markup} inside this document")
        reader(self, start, end, path)

    def document(self, path: str, fmt: str, escape: Callable[[str], str] = _verbatim) -> Document:
        state = SpliceState(self.source, self.ranges, escape, self.encoders)
        return Document(path, fmt, self.blocks, state, self.properties)


WRAP_MODES = ("join", "keep")
"""How a translated paragraph that was wrapped over several source lines is written: "join" puts
it on one line (the default: Markdown and HTML render it the same, and no line can start with a
marker that changes the structure), "keep" re-wraps it to the source's line count and width."""

_SINGLE_SPACE = re.compile(r"(?<! ) (?! )")
_BLOCK_STARTER = re.compile(r"(?:[-+*>#=|]|\d{1,9}[.)]|```|~~~)")


def rewrap(text: str, widths: list[int]) -> list[str]:
    """`text` over at most len(widths) lines, each close to the widest source line.

    Greedy word wrapping at the widest source line's width, widened until the lines fit the count.
    A word that would start a Markdown block (``-``, ``#``, ``1.``, ``>``) never begins a line.
    """
    words = [word for word in _SINGLE_SPACE.split(text.strip()) if word]  # runs of spaces stay inside words
    if not words:
        return [text]
    return fit_lines(words, max(widths), len(widths))


def fit_lines(words: list[str], width: int, count: int) -> list[str]:
    """`words` greedily wrapped at `width`, widened until they fit on at most `count` lines.

    Shared by Markdown re-wrapping and subtitle cues: both must keep a line count and prefer a width.
    """
    while True:
        lines = _greedy(words, width)
        if len(lines) <= count:
            return lines
        width += max(1, width // 10)


def _greedy(words: list[str], width: int) -> list[str]:
    lines: list[list[str]] = [[words[0]]]
    size = len(words[0])
    for word in words[1:]:
        if size + 1 + len(word) > width and not _BLOCK_STARTER.match(word):
            lines.append([word])
            size = len(word)
        else:
            lines[-1].append(word)
            size += 1 + len(word)
    return [" ".join(line) for line in lines]


def splice(doc: Document, rendered: Mapping[str, str], wrap: str = "join") -> str:
    """The source with each block's lines replaced by the lines of its rendered translation.

    A block rendered exactly as its own source keeps its original bytes.

    A translation with fewer lines than the source block (a sentence that ran over a line break
    comes back on one line) fills the first ranges and removes the other lines entirely, their
    prefixes (``> ``, indentation) included; one with more lines joins the extra lines
    onto the last range with newlines, reusing the last line's prefix so the structure holds. A
    single-range block (plain text) holds its own newlines and indentation, so nothing is added.
    """
    state: SpliceState = doc.state
    source = state.source
    edits: list[tuple[int, int, str]] = []
    for prop in doc.properties:
        ranges = state.ranges.get(prop.id)
        if prop.id in rendered and ranges and rendered[prop.id] != prop.text:
            edits.append((ranges[0].start, ranges[0].end, state.encoders[prop.id](rendered[prop.id])))
    for block in doc.blocks:
        ranges = state.ranges.get(block.id)
        if block.id not in rendered or not ranges or rendered[block.id] == block.source(state.escape):
            continue  # untouched: the source bytes stay (entities and all)
        lines = rendered[block.id].split("\n")
        if wrap == "keep" and len(lines) == 1 and len(ranges) > 1:
            lines = rewrap(lines[0], [r.end - r.start for r in ranges])
        if len(lines) > len(ranges):
            last = ranges[-1]
            prefix = _prefix(source, last.start) if len(ranges) > 1 else ""
            head, tail = lines[: len(ranges) - 1], lines[len(ranges) - 1 :]
            lines = [*head, ("\n" + prefix).join(tail)]
        edits.extend((r.start, r.end, line) for r, line in zip(ranges, lines, strict=False))
        # Lines the translation no longer needs go entirely: newline, prefix and text.
        edits.extend(
            (prev.end, r.end, "")
            for prev, r in zip(ranges[len(lines) - 1 :], ranges[len(lines) :], strict=False)
        )
    return apply_edits(source, edits)


def apply_edits(source: str, edits: list[tuple[int, int, str]]) -> str:
    """`source` with each (start, end, text) range replaced by its text; ranges never overlap."""
    out: list[str] = []
    last_end = 0
    for start, end, text in sorted(edits):
        out.append(source[last_end:start])
        out.append(text)
        last_end = end
    out.append(source[last_end:])
    return "".join(out)


def _prefix(source: str, position: int) -> str:
    """What precedes `position` on its source line (indentation, ``> ``, list marker padding)."""
    line_start = source.rfind("\n", 0, position) + 1
    prefix = source[line_start:position]
    # A list marker or heading marker on the first line becomes plain indentation on continuations.
    return "".join(ch if ch in " \t>" else " " for ch in prefix)
