"""Plain text: paragraphs, one-paragraph-per-line articles and heading lines.

Blocks are found line by line:

* Blank lines separate runs of lines. A run is written in the one-paragraph-per-line style of Hindi
  news sites when every line ends a sentence (``।``, ``॥``, ``.``, ``?``, ``!``, ``|``, ``…``,
  optionally followed by closing quotes) or is heading-like, no two heading-like lines follow each
  other and none is followed by a line starting with a lowercase letter: then each line is its own
  block. Any other run is a hard-wrapped paragraph: one block, its newlines kept (the sentence
  splitter joins wrapped lines).
* A line is *heading-like* when it is short (at most 12 words and 100 characters), holds a letter and
  does not end with sentence or clause punctuation (``. ? ! । ॥ | … : ; , -`` or a closing quote).
  It is a heading when a paragraph follows it (so a short last line such as a sign-off stays a
  paragraph); e.g. "द्विपक्षीय संबंधों को मजबूत करने का उद्देश्य" between two paragraphs of the
  Jaishankar-Lavrov article.

Leading indentation and trailing spaces stay outside the block, so the writer copies them, the
blank lines and the line ends byte for byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Block, BlockKind, Document
from .splice import LineRange, SpliceState, splice

_SENTENCE_END = re.compile(r"[.?!।॥|…]['\"”’»)\]]*$")
_NO_HEADING_END = re.compile(r"[.?!।॥|…:;,\-–—'\"”’»]$")
_LETTER = re.compile(r"[^\W\d_]")
MAX_HEADING_WORDS = 12
MAX_HEADING_CHARS = 100


@dataclass(frozen=True)
class _Line:
    number: int  # 1-based
    start: int  # offset of the first non-space character
    end: int  # offset after the last non-space character
    text: str  # stripped


def is_heading_like(line: str) -> bool:
    """Short, has a letter, and no final punctuation: the shape of a news sub-heading."""
    text = line.strip()
    return (
        bool(text)
        and len(text) <= MAX_HEADING_CHARS
        and len(text.split()) <= MAX_HEADING_WORDS
        and _LETTER.search(text) is not None
        and _NO_HEADING_END.search(text) is None
        and _SENTENCE_END.search(text) is None
    )


def _runs(source: str) -> list[list[_Line]]:
    """Runs of non-blank lines, each line with its stripped extent in `source`."""
    runs: list[list[_Line]] = [[]]
    offset = 0
    for number, raw in enumerate(source.split("\n"), start=1):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            start = offset + lead
            runs[-1].append(_Line(number, start, start + len(stripped), stripped))
        elif runs[-1]:
            runs.append([])
        offset += len(raw) + 1
    return [run for run in runs if run]


def _one_paragraph_per_line(run: list[_Line]) -> bool:
    headings = [is_heading_like(line.text) for line in run]
    if not all(h or _SENTENCE_END.search(line.text) for h, line in zip(headings, run, strict=True)):
        return False
    for index in range(len(run) - 1):
        if headings[index] and (headings[index + 1] or run[index + 1].text[0].islower()):
            return False  # a wrapped line, not a heading: headings are followed by paragraphs
    return True


def read(source: str, path: str) -> Document:
    """Blocks of a plain-text document (see the module docstring for the rules)."""
    blocks: list[Block] = []
    ranges: dict[str, list[LineRange]] = {}

    def add(kind: str, lines: list[_Line]) -> None:
        block_id = f"b{len(blocks) + 1}"
        text = source[lines[0].start : lines[-1].end]
        blocks.append(Block(block_id, kind, text, meta={"line": lines[0].number}))
        ranges[block_id] = [LineRange(lines[0].start, lines[-1].end)]

    runs = _runs(source)
    for index, run in enumerate(runs):
        last_run = index == len(runs) - 1
        if not _one_paragraph_per_line(run):
            add(BlockKind.PARAGRAPH, run)
            continue
        for position, line in enumerate(run):
            followed = position < len(run) - 1 or not last_run
            heading = followed and is_heading_like(line.text)
            add(BlockKind.HEADING if heading else BlockKind.PARAGRAPH, [line])
    return Document(path, "text", blocks, SpliceState(source, ranges))


def write(doc: Document, rendered: dict[str, str]) -> str:
    return splice(doc, rendered)


def escape(text: str) -> str:
    return text
