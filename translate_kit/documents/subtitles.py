"""Subtitles (SRT and WebVTT): sentences across cues, timing and styling kept exactly.

A subtitle sentence often runs over two or three cues ("मैंने सोचा कि" / "हम कल चलेंगे।"). Translated
cue by cue, each half makes no sense to the model and the word order of the two languages cannot
move across the cut. So consecutive cues are grouped into one block until a cue ends a sentence
(``. ? ! । ॥ …``, optionally followed by closing quotes) or the next cue starts after a long gap
(`MAX_GAP_SECONDS`); the block is translated as one text and `spread` puts the translation back
over the same cues, in proportion to each cue's share of the source, at word boundaries.

Everything but cue text is copied byte for byte: cue numbers and identifiers, timecodes and cue
settings (``align:start position:10%``), the WEBVTT header, NOTE/STYLE/REGION blocks, blank lines
and line ends. A position tag at the start of a cue (``{\\an8}``) stays outside the text; tags
inside it (``<i>``, ``</b>``, ``<font color="…">``, ``<c.yellow>``, ``{\\i1}``) are atomic spans, so the
model sees the whole sentence with placeholder tokens and the markup survives. A block rendered as
its own source keeps its bytes, so an identity translation reproduces the file exactly.

SRT files are checked with the `srt` library (a malformed file is one InputError line); WebVTT is
read by the same cue walk. Cue text is taken as it is (entities such as ``&amp;`` included, rare in
subtitles): SRT has no escaping, so one verbatim `escape` serves both formats.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import srt

from ..errors import InputError
from .model import Block, BlockKind, Document, InlineBuilder
from .splice import apply_edits, fit_lines

MAX_GAP_SECONDS = 2.0
"""A pause this long between two cues ends a sentence even without punctuation (a new speaker)."""
MAX_CUES_PER_BLOCK = 8
"""Cues never grouped further: unpunctuated subtitles (song lyrics) must not become one huge text."""
LINE_WIDTH = 42
"""The usual broadcast limit per subtitle line; kept when the source kept to it."""

_TIMECODE = re.compile(r"(?:(\d+):)?(\d{2}):(\d{2})[,.](\d{3})")
_TAG = re.compile(r"<[^>\n]*>|\{\\[^}\n]*\}")
_LEADING_POSITION = re.compile(r"^(?:\{\\[^}\n]*\})+")
_SENTENCE_END = re.compile(r"[.?!।॥…]['\"”’»)\]]*$")
_WORD = re.compile(r"(?:<[^>\n]*>|\{\\[^}\n]*\}|\S)+")
"""A word of a rendered translation: a tag with spaces inside (``<font color="red">``) never splits."""


@dataclass(frozen=True)
class Cue:
    """One cue's text lines as [start, end) ranges of the source, and when it starts and ends."""

    lines: tuple[tuple[int, int], ...]
    start: float
    end: float


@dataclass
class SubtitleState:
    """The source, and per block id its cues in order (what the writer spreads a translation over)."""

    source: str
    cues: dict[str, list[Cue]]
    newline: str


def _seconds(timecode: str) -> float:
    match = _TIMECODE.search(timecode)
    if match is None:
        raise ValueError(timecode)
    hours, minutes, seconds, millis = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _lines(source: str) -> list[tuple[int, str]]:
    """(offset, text without line end) of every source line."""
    out = []
    offset = 0
    for raw in source.split("\n"):
        out.append((offset, raw.rstrip("\r")))
        offset += len(raw) + 1
    return out


def _cues(source: str, path: str) -> list[Cue]:
    """Every cue with text, in order; header, NOTE, STYLE and REGION blocks are not cues."""
    cues: list[Cue] = []
    paragraph: list[tuple[int, str]] = []
    for offset, text in [*_lines(source), (len(source), "")]:
        if text.strip():
            paragraph.append((offset, text))
            continue
        timing = next((i for i, (_, line) in enumerate(paragraph[:2]) if "-->" in line), None)
        if timing is not None:
            first, _, last = paragraph[timing][1].partition("-->")
            try:
                start, end = _seconds(first), _seconds(last)
            except ValueError:
                raise InputError(f"{path}: bad timecode line {paragraph[timing][1]!r}") from None
            ranges = []
            for line_offset, line in paragraph[timing + 1 :]:
                lead = _LEADING_POSITION.match(line)
                skip = lead.end() if lead else 0
                ranges.append((line_offset + skip, line_offset + len(line.rstrip())))
            if ranges:
                cues.append(Cue(tuple(ranges), start, end))
        paragraph = []
    return cues


def _plain(source: str, cue: Cue) -> str:
    return " ".join(source[a:b] for a, b in cue.lines)


def _groups(source: str, cues: list[Cue]) -> list[list[Cue]]:
    """Cues grouped into sentences (see the module docstring)."""
    groups: list[list[Cue]] = []
    for cue in cues:
        current = groups[-1] if groups else None
        if (
            current is None
            or _SENTENCE_END.search(_TAG.sub("", _plain(source, current[-1])).rstrip())
            or cue.start - current[-1].end >= MAX_GAP_SECONDS
            or len(current) >= MAX_CUES_PER_BLOCK
        ):
            groups.append([cue])
        else:
            current.append(cue)
    return groups


def _inline(text: str) -> tuple[str, dict]:
    builder = InlineBuilder()
    last = 0
    for match in _TAG.finditer(text):
        builder.text(text[last : match.start()])
        builder.atom(match.group(0))
        last = match.end()
    builder.text(text[last:])
    return builder.finish()


def read(source: str, path: str, fmt: str) -> Document:
    """The cues of an SRT (`fmt` "srt") or WebVTT ("vtt") file grouped into sentence blocks."""
    if fmt == "srt":
        try:
            list(srt.parse(source))
        except srt.SRTParseError as error:
            raise InputError(f"{path}: not a valid SRT file ({str(error).splitlines()[0]})") from None
    elif not source.lstrip("\ufeff").startswith("WEBVTT"):
        raise InputError(f"{path}: not a WebVTT file (it must start with WEBVTT)")
    blocks: list[Block] = []
    state = SubtitleState(source, {}, "\r\n" if "\r\n" in source else "\n")
    for group in _groups(source, _cues(source, path)):
        text, spans = _inline(" ".join(_plain(source, cue) for cue in group))
        block_id = f"b{len(blocks) + 1}"
        line = source.count("\n", 0, group[0].lines[0][0]) + 1
        meta = {"line": line, "cues": len(group)}
        blocks.append(Block(block_id, BlockKind.PARAGRAPH, text, spans, meta=meta))
        state.cues[block_id] = group
    return Document(path, fmt, blocks, state)


def spread(words: list[str], weights: list[int]) -> list[list[str]]:
    """`words` cut into len(weights) runs in order, each run's length close to its weight's share.

    Every run gets at least one word while words last (a cue is never emptied by the cut); with
    fewer words than weights, the last runs are empty and the writer marks them (see `write`).
    """
    count = len(weights)
    total_weight = sum(max(w, 1) for w in weights)
    total_chars = sum(len(w) + 1 for w in words)
    cuts: list[int] = []
    done = 0
    position = 0
    chars = 0
    for index in range(count - 1):
        done += max(weights[index], 1)
        goal = total_chars * done / total_weight
        lowest = min(position + 1, len(words))
        highest = max(lowest, len(words) - (count - 1 - index))
        while position < lowest or (position < highest and chars + (len(words[position]) + 1) / 2 <= goal):
            chars += len(words[position]) + 1
            position += 1
        cuts.append(position)
    edges = [0, *cuts, len(words)]
    return [words[a:b] for a, b in zip(edges, edges[1:], strict=False)]


def _cue_lines(source: str, cues: list[Cue], text: str) -> list[list[str]]:
    """The translation `text` over `cues`: proportional runs, each wrapped like its source cue."""
    widths = [b - a for cue in cues for a, b in cue.lines]
    width = LINE_WIDTH if max(widths) <= LINE_WIDTH else max(widths)
    runs = spread(_WORD.findall(text), [len(_plain(source, cue)) for cue in cues])
    # fewer words than cues: a continuation mark rather than an empty cue (which players drop)
    return [
        fit_lines(run, width, len(cue.lines)) if run else ["…"] for run, cue in zip(runs, cues, strict=True)
    ]


def write(doc: Document, rendered: Mapping[str, str], bilingual: bool = False) -> str:
    """The file with each translated block spread back over its cues.

    `bilingual`: each cue keeps its source lines and gets the translation's lines below them (a
    subtitle file for learners and reviewers, in place of the JSONL side file other formats get).
    """
    state: SubtitleState = doc.state
    source = state.source
    edits: list[tuple[int, int, str]] = []
    for block in doc.blocks:
        text = rendered.get(block.id)
        if text is None or text == block.source(escape):
            continue
        cues = state.cues[block.id]
        for cue, lines in zip(cues, _cue_lines(source, cues, text), strict=True):
            first, last = cue.lines[0][0], cue.lines[-1][1]
            new = state.newline.join(lines)
            if bilingual:
                new = source[first:last] + state.newline + new
            edits.append((first, last, new))
    return apply_edits(source, edits)


def escape(text: str) -> str:
    return text
