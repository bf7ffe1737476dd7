"""Writing a document back by splicing translated blocks into the untouched source text.

Plain text and Markdown keep their source: every block remembers where its text sits (a range per
source line, because Markdown strips line prefixes such as ``> `` or list indentation from block
text). Everything outside those ranges (blank lines, markers, indentation, code) is copied byte for
byte, so an identity translation reproduces the input exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .model import Document


@dataclass(frozen=True)
class LineRange:
    """The part [start, end) of the source that holds one line of a block's text."""

    start: int
    end: int


def _verbatim(text: str) -> str:
    return text


@dataclass
class SpliceState:
    """A reader's source text, per block id the ranges of its lines (in order), and its text escape."""

    source: str
    ranges: dict[str, list[LineRange]]
    escape: Callable[[str], str] = _verbatim


def splice(doc: Document, rendered: Mapping[str, str]) -> str:
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
    for block in doc.blocks:
        ranges = state.ranges.get(block.id)
        if block.id not in rendered or not ranges or rendered[block.id] == block.source(state.escape):
            continue  # untouched: the source bytes stay (entities and all)
        lines = rendered[block.id].split("\n")
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
