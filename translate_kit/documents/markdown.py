"""Markdown (CommonMark + GFM tables and strikethrough) through markdown-it-py.

markdown-it-py gives the block structure with line maps: every ``inline`` token (the text of a
heading, paragraph, list item or table cell) becomes a block, located in the source line by line.
Code blocks, fences, HTML blocks and YAML front matter are not blocks: they are copied verbatim.

Inline markup is protected from the source itself, so escapes, entities and the choice of ``*`` or
``_`` survive byte for byte. markdown-it-py tokens carry no source offsets, so the reader wraps each
inline rule to record the source range it consumed: links, emphasis and strikethrough become spans
(their text translated, ``[``, ``](url "title")``, ``**`` kept), inline code, images, autolinks and
inline HTML become atomic spans. When the recorded ranges do not fit together (a construct this
reader does not know), the block falls back to its raw source text, markup included, and says so
in ``meta["inline"]``.

A block whose text cannot be found in its source lines is kept as it is (``translate`` False, with
``skip_reason``): the one case known is a table cell holding an escaped pipe ``\\|``, which
markdown-it-py unescapes in the cell text.

Writing splices each translated block back into its source lines, so everything else (markers,
indentation, blank lines, code) is unchanged and an identity translation is byte-identical.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from .model import Block, BlockKind, Document, InlineBuilder
from .splice import LineRange, SpliceState, splice

_ATOM_RULES = frozenset({"backticks", "image", "autolink", "html_inline", "linkify", "escape", "entity"})
_DELIMITER_RULES = frozenset({"emphasis", "strikethrough"})
_PAIRED = {"strong_open", "strong_close", "em_open", "em_close", "s_open", "s_close"}
_RECORDS = "translate_kit_ranges"


@dataclass
class _Records:
    """Source ranges of the markup in one inline token's text (`src`), keyed by token object id."""

    src: str
    atoms: list[tuple[int, int]]
    starts: dict[int, tuple[int, int]]  # delimiter token -> (offset, length) when created
    links: dict[int, tuple[int, int, int]]  # link_open token -> (start, label end, end)


def _recording(name: str, rule: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    """Wrap an inline rule so that a successful, non-silent call records the range it consumed."""

    def wrapped(state: StateInline, silent: bool) -> bool:
        if silent:
            return rule(state, silent)
        rec: _Records | None = state.env.get(_RECORDS)
        if rec is None or state.src is not rec.src:  # not ours, or an image's alt text
            return rule(state, silent)
        start, count, pending = state.pos, len(state.tokens), bool(state.pending)
        if not rule(state, silent):
            return False
        new = state.tokens[count + (1 if pending else 0) :]
        if name in _ATOM_RULES:
            rec.atoms.append((start, state.pos))
        elif name in _DELIMITER_RULES:
            offset = start
            for token in new:
                rec.starts[id(token)] = (offset, len(token.content))
                offset += len(token.content)
        elif name == "link":
            opener = next((t for t in new if t.type == "link_open"), None)
            if opener is not None:
                rec.links[id(opener)] = (start, _label_end(state, start), state.pos)
        return True

    return wrapped


def _parse_inline(state: StateCore) -> None:
    """The core "inline" rule, recording markup ranges per inline token in ``token.meta``."""
    for token in state.tokens:
        if token.type == "inline":
            records = _Records(token.content, [], {}, {})
            state.env[_RECORDS] = records
            token.children = token.children or []
            state.md.inline.parse(token.content, state.md, state.env, token.children)
            token.meta[_RECORDS] = records
    state.env.pop(_RECORDS, None)


def _label_end(state: StateInline, start: int) -> int:
    """Offset of the ``]`` closing the link label that starts at `start` (what the link rule used)."""
    saved = state.pos, state.posMax
    state.posMax = len(state.src)
    try:
        return state.md.helpers.parseLinkLabel(state, start, True)
    finally:
        state.pos, state.posMax = saved


@functools.lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin)
    for name in md.inline.ruler.get_all_rules():
        rule = md.inline.ruler.__rules__[md.inline.ruler.__find__(name)].fn
        md.inline.ruler.at(name, _recording(name, rule))
    md.core.ruler.at("inline", _parse_inline)
    return md


def _markup_ranges(children: list[Token], records: _Records) -> list[tuple[int, int, str]] | None:  # noqa: C901
    """(start, end, "open"/"close"/"atom") of every markup piece, in source order; None if inconsistent."""
    out: list[tuple[int, int, str]] = [(s, e, "atom") for s, e in records.atoms]
    links: list[tuple[int, int, int]] = []
    for token in children:
        if token.type == "link_open" and id(token) in records.links:
            start, label_end, end = records.links[id(token)]
            if label_end < 0:
                return None
            if records.src[start] != "[":
                return None
            out.append((start, start + 1, "open"))
            links.append((label_end, end, 0))
        elif token.type == "link_close":
            if not links:
                continue  # an autolink's closing token: inside its atom
            label_end, end, _ = links.pop()
            out.append((label_end, end, "close"))
        elif token.type in _PAIRED:
            if id(token) not in records.starts:
                return None
            start, created = records.starts[id(token)]
            size = len(token.markup)
            if created < size and token.nesting == 1:
                # emphasis makes a "**" opener of its second one-character delimiter token
                start += created - size
            if records.src[start : start + size] != token.markup:
                return None
            out.append((start, start + size, "open" if token.nesting == 1 else "close"))
    out.sort()
    for (_, end, _), (start, _, _) in zip(out, out[1:], strict=False):
        if start < end:
            return None
    return out


def _inline_text(content: str, children: list[Token], records: _Records | None) -> tuple[str, dict, str]:
    """Block text with protected spans, plus how it was protected ("spans", "plain" or "raw")."""
    if records is None:
        return content, {}, "plain"
    ranges = _markup_ranges(children, records)
    if ranges is None:
        return content, {}, "raw"
    builder = InlineBuilder()
    cursor = 0
    depth = 0
    for start, end, kind in ranges:
        if start > cursor:
            builder.text(content[cursor:start])
        piece = content[start:end]
        if kind == "atom":
            builder.atom(piece)
        elif kind == "open":
            builder.open(piece)
            depth += 1
        else:
            if depth == 0:
                return content, {}, "raw"
            builder.close(piece)
            depth -= 1
        cursor = end
    builder.text(content[cursor:])
    text, spans = builder.finish()
    return text, spans, "spans"


def _locate(
    source_lines: list[tuple[int, str]], first: int, content: str, cursors: dict[int, int]
) -> list[LineRange]:
    """The source range of each line of `content`, starting at line index `first`; [] when not found."""
    ranges: list[LineRange] = []
    for index, piece in enumerate(content.split("\n")):
        line_no = first + index
        if line_no >= len(source_lines):
            return []
        offset, line = source_lines[line_no]
        col = line.find(piece, cursors.get(line_no, 0)) if piece else cursors.get(line_no, 0)
        if col < 0:
            return []
        cursors[line_no] = col + len(piece)
        ranges.append(LineRange(offset + col, offset + col + len(piece)))
    return ranges


def _kind(stack: list[str]) -> str:
    for opener in reversed(stack):
        if opener == "heading_open":
            return BlockKind.HEADING
        if opener in ("th_open", "td_open"):
            return BlockKind.TABLE_CELL
        if opener == "list_item_open":
            return BlockKind.LIST_ITEM
        if opener == "blockquote_open":
            return BlockKind.QUOTE
    return BlockKind.PARAGRAPH


def read(source: str, path: str) -> Document:
    tokens = _parser().parse(source, {})
    source_lines: list[tuple[int, str]] = []
    offset = 0
    for line in source.split("\n"):
        source_lines.append((offset, line))
        offset += len(line) + 1

    blocks: list[Block] = []
    ranges: dict[str, list[LineRange]] = {}
    cursors: dict[int, int] = {}
    stack: list[str] = []
    line_of_parent: list[int] = []
    for index, token in enumerate(tokens):
        if token.nesting == 1:
            stack.append(token.type)
            line_of_parent.append(
                token.map[0] if token.map else (line_of_parent[-1] if line_of_parent else 0)
            )
        elif token.nesting == -1:
            stack.pop()
            line_of_parent.pop()
        if token.type != "inline" or not token.content.strip():
            continue
        first = token.map[0] if token.map else line_of_parent[-1]
        block_id = f"b{len(blocks) + 1}"
        located = _locate(source_lines, first, token.content, cursors)
        text, spans, how = _inline_text(token.content, token.children or [], token.meta.get(_RECORDS))
        block = Block(block_id, _kind(stack), text, spans, meta={"line": first + 1, "inline": how})
        if stack and stack[-1] == "heading_open":
            block.meta["level"] = int(tokens[index - 1].tag[1:])
        if not located:
            block.translate, block.skip_reason = False, "text not found in its source lines"
        blocks.append(block)
        ranges[block_id] = located
    return Document(path, "markdown", blocks, SpliceState(source, ranges))


def write(doc: Document, rendered: dict[str, str]) -> str:
    return splice(doc, rendered)


def escape(text: str) -> str:
    return text
