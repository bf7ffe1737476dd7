"""Markdown (CommonMark + GFM tables and strikethrough) through markdown-it-py.

markdown-it-py gives the block structure with line maps: every ``inline`` token (the text of a
heading, paragraph, list item or table cell) becomes a block, located in the source line by line.
Code blocks and fences are not blocks: they are copied verbatim. Front matter (YAML ``---`` or
TOML ``+++``) is never read as Markdown: `frontmatter` makes properties of its readable fields.
Raw HTML blocks go through the HTML reader (`html.read_into`), in place: their text is translated,
their tags and attributes kept, and the content of a ``markdown="1"`` element comes back here.

Inline markup is protected from the source itself, so escapes, entities and the choice of ``*`` or
``_`` survive byte for byte. markdown-it-py tokens carry no source offsets, so the reader wraps each
inline rule to record the source range it consumed: links, emphasis and strikethrough become spans
(their text translated, ``[``, ``](url "title")``, ``**`` kept), inline code, images and autolinks
are atomic spans. An image's alt text and a link's or image's title are values of their span,
translated on their own. Inline HTML is paired into spans (``<b>…</b>``: the text inside is
translated) with its readable attributes as values; an element with ``translate="no"`` is one atom.
Delimiters that open or close nothing (an unclosed ``**``, a stray ``*``) are atoms too, so a model
cannot drop them: malformed markup comes out exactly as it came in. A heading's explicit id
(kramdown ``{#id}``, MDX ``{/*id*/}``) is an atom at its end. When the recorded ranges do not fit
together (a construct this reader does not know), the block falls back to its raw source text,
markup included, and says so in ``meta["inline"]``.

A block whose text cannot be found in its source lines is kept as it is (``translate`` False, with
``skip_reason``): the one case known is a table cell holding an escaped pipe ``\\|``, which
markdown-it-py unescapes in the cell text.

Writing splices each translated block back into its source lines, so everything else (markers,
indentation, blank lines, code) is unchanged and an identity translation is byte-identical; links
to a heading's slug are rewritten to the translated heading's slug (`anchors`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from . import anchors, frontmatter, html
from .model import BlockKind, Document, InlineBuilder, InlineValue
from .splice import DocumentBuilder, LineRange, splice

_ATOM_RULES = frozenset({"backticks", "image", "autolink", "html_inline", "linkify", "escape", "entity"})
_DELIMITER_RULES = frozenset({"emphasis", "strikethrough"})
_PAIRED = {"strong_open", "strong_close", "em_open", "em_close", "s_open", "s_close"}
_RECORDS = "translate_kit_ranges"
_TITLE = re.compile(r"""\s("((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|\(((?:[^()\\]|\\.)*)\))\s*\)$""", re.S)
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_LOOSE_DELIMITERS = re.compile(r"\\[*_~]|\*+|~+|(?<![^\W_])_+|_+(?![^\W_])")
_EXPLICIT_ID = re.compile(r"[ \t]*\{(?:/\*[^{}]*?\*/|\s*[#:][^{}]*)\}[ \t]*$")
_START_TAG = re.compile(r"<([A-Za-z][\w:-]*)(?:\s[^>]*)?>$", re.S)
_END_TAG = re.compile(r"</([A-Za-z][\w:-]*)\s*>$")

_LINE = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n|$)")
_Range = tuple[int, int, str, tuple[InlineValue, ...]]  # start, end, "open"/"close"/"atom", values


@dataclass
class _Records:
    """Source ranges of the markup in one inline token's text (`src`), keyed by token object id."""

    src: str
    atoms: list[tuple[int, int, str, int]]  # start, end, rule name, label end (images) or -1
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
            label_end = _label_end(state, start + 1) if name == "image" else -1
            rec.atoms.append((start, state.pos, name, label_end))
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
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    for name in md.inline.ruler.get_all_rules():
        rule = md.inline.ruler.__rules__[md.inline.ruler.__find__(name)].fn
        md.inline.ruler.at(name, _recording(name, rule))
    md.core.ruler.at("inline", _parse_inline)
    return md


def _unescape(text: str) -> str:
    return _ESCAPED.sub(r"\1", text)


def _title_value(markup: str, part: str) -> tuple[InlineValue, ...]:
    """The title of a link or image destination ``(url "title")`` that ends `markup`, as a value."""
    match = _TITLE.search(markup)
    if match is None:
        return ()
    group = next(g for g in (2, 3, 4) if match.group(g) is not None)
    if not re.search(r"\w", match.group(group)):
        return ()
    quote = match.group(1)[0]
    text = _unescape(match.group(group))
    return (InlineValue(part, match.start(group), match.end(group), text, f"markdown-title{quote}"),)


def _atom_values(src: str, start: int, end: int, name: str, label_end: int) -> tuple[InlineValue, ...]:
    """Readable values inside an atom: an image's alt text and title, an inline tag's attributes."""
    markup = src[start:end]
    if name == "image" and label_end > start:
        alt = src[start + 2 : label_end]
        values = (InlineValue("open", 2, label_end - start, _unescape(alt), "markdown-alt"),) if re.search(
            r"\w", alt) else ()
        return values + _title_value(markup, "open")
    if name == "html_inline":
        tag = _START_TAG.match(markup)
        if tag:
            return tuple(
                InlineValue("open", a.start, a.end, a.text, html.value_encoding(a))
                for a, kind in html.readable_values(tag.group(1).lower(), markup)
                if kind == BlockKind.ATTRIBUTE
            )
    return ()


def _markup_ranges(children: list[Token], records: _Records) -> list[_Range] | None:  # noqa: C901
    """Every markup piece in source order; None if the recorded ranges are inconsistent."""
    src = records.src
    out: list[_Range] = [
        (s, e, "atom", _atom_values(src, s, e, name, label_end)) for s, e, name, label_end in records.atoms
    ]
    links: list[tuple[int, int]] = []
    for token in children:
        if token.type == "link_open" and id(token) in records.links:
            start, label_end, end = records.links[id(token)]
            if label_end < 0 or src[start] != "[":
                return None
            out.append((start, start + 1, "open", ()))
            links.append((label_end, end))
        elif token.type == "link_close":
            if not links:
                continue  # an autolink's closing token: inside its atom
            label_end, end = links.pop()
            out.append((label_end, end, "close", _title_value(src[label_end:end], "close")))
        elif token.type in _PAIRED:
            if id(token) not in records.starts:
                return None
            start, created = records.starts[id(token)]
            size = len(token.markup)
            if created < size and token.nesting == 1:
                # emphasis makes a "**" opener of its second one-character delimiter token
                start += created - size
            if src[start : start + size] != token.markup:
                return None
            out.append((start, start + size, "open" if token.nesting == 1 else "close", ()))
    out.sort(key=lambda r: (r[0], r[1]))
    if any(b[0] < a[1] for a, b in zip(out, out[1:], strict=False)):
        return None
    return out


def _pair_html(ranges: list[_Range], src: str) -> list[_Range]:
    """Inline HTML start and end tags paired into spans; an untouchable element becomes one atom."""
    out = list(ranges)
    stack: list[tuple[int, str]] = []
    merged: list[tuple[int, int]] = []
    for index, (start, end, kind, values) in enumerate(out):
        if kind != "atom":
            continue
        markup = src[start:end]
        opening, closing = _START_TAG.match(markup), _END_TAG.match(markup)
        if opening and not markup.endswith("/>") and opening.group(1).lower() not in html.VOID_TAGS:
            stack.append((index, opening.group(1).lower()))
        elif closing and stack and stack[-1][1] == closing.group(1).lower():
            open_index, tag = stack.pop()
            o_start, o_end, _, o_values = out[open_index]
            attrs = {a.name: a.text for a in html.attributes(src[o_start:o_end])}
            if tag in html.ATOMIC_INLINE_TAGS or attrs.get("translate") == "no" or "notranslate" in (
                attrs.get("class") or ""
            ).split():
                merged.append((o_start, end))
            else:
                out[open_index] = (o_start, o_end, "open", o_values)
                out[index] = (start, end, "close", values)
    for m_start, m_end in merged:
        out = [r for r in out if not (m_start <= r[0] and r[1] <= m_end)] + [(m_start, m_end, "atom", ())]
    return sorted(out, key=lambda r: (r[0], r[1]))


def _loose_markup(ranges: list[_Range], src: str, heading: bool) -> list[_Range]:
    """Atoms for delimiters outside every span (an unclosed ``**``) and a heading's explicit id.

    An explicit id wins over what the inline rules made of it (``{/*id*/}`` reads as emphasis).
    """
    explicit = _EXPLICIT_ID.search(src) if heading else None
    limit = len(src)
    if explicit and not any(r[0] < explicit.start() < r[1] for r in ranges):
        limit = explicit.start()
        ranges = [r for r in ranges if r[1] <= limit]
    extra: list[_Range] = []
    cursor = 0
    for start, end in [(r[0], r[1]) for r in ranges] + [(limit, limit)]:
        for match in _LOOSE_DELIMITERS.finditer(src, cursor, max(cursor, start)):
            extra.append((match.start(), match.end(), "atom", ()))
        cursor = max(cursor, end)
    if limit < len(src):
        extra.append((limit, len(src), "atom", ()))
    return sorted(ranges + extra, key=lambda r: (r[0], r[1]))


def _build(content: str, ranges: list[_Range]) -> tuple[str, dict] | None:
    builder = InlineBuilder()
    cursor = 0
    depth = 0
    for start, end, kind, values in ranges:
        if start > cursor:
            builder.text(content[cursor:start])
        piece = content[start:end]
        if kind == "atom":
            builder.atom(piece, values)
        elif kind == "open":
            builder.open(piece, values)
            depth += 1
        else:
            if depth == 0:
                return None
            builder.close(piece, values)
            depth -= 1
        cursor = end
    builder.text(content[cursor:])
    if depth:
        return None
    return builder.finish()


def _inline_text(
    content: str, children: list[Token], records: _Records | None, heading: bool = False
) -> tuple[str, dict, str]:
    """Block text with protected spans, plus how it was protected ("spans", "plain" or "raw")."""
    if records is None:
        return content, {}, "plain"
    ranges = _markup_ranges(children, records)
    if ranges is None:
        return content, {}, "raw"
    for candidate in (_pair_html(ranges, content), ranges):
        built = _build(content, _loose_markup(candidate, content, heading))
        if built is not None:
            return *built, "spans"
    return content, {}, "raw"


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


def read(source: str, path: str, front_matter_keys: tuple[str, ...] = frontmatter.DEFAULT_KEYS) -> Document:
    """Blocks of a Markdown document; its front matter's readable fields become properties.

    An HTML block's ``markdown="1"`` element hands its content back here (the builder's nested
    Markdown reader is this module's)."""
    builder = DocumentBuilder(source, {"markdown": read_into})
    parse_source = source
    front = frontmatter.find(source)
    if front is not None and frontmatter.read(builder, front, path, front_matter_keys):
        parse_source = frontmatter.blank(source, front)
    _Reader(builder, parse_source, path).read(0, len(source))
    return builder.document(path, "markdown")


def _without_explicit_id(text: str, spans: dict, last: LineRange) -> tuple[str, LineRange]:
    """A heading's text and last line range without its explicit id, which stays in the source."""
    if not spans:
        return text, last
    token = max(spans, key=lambda t: int(t[1:-1]))
    markup = spans[token].open
    if not text.endswith(token) or not _EXPLICIT_ID.fullmatch(markup) or last.end - last.start < len(markup):
        return text, last
    del spans[token]
    return text[: -len(token)], LineRange(last.start, last.end - len(markup))


def read_into(builder: DocumentBuilder, start: int, end: int, path: str) -> None:
    """Add the blocks of the Markdown in builder.source[start:end] (an HTML element's content)."""
    _Reader(builder, builder.source, path).read(start, end)


class _Reader:
    """Turns markdown-it's tokens of one stretch of the source into blocks; HTML goes to html.py."""

    def __init__(self, builder: DocumentBuilder, parse_source: str, path: str) -> None:
        self.builder = builder
        self.parse_source = parse_source
        self.path = path

    def read(self, start: int, end: int) -> None:
        text = self.parse_source[start:end]
        tokens = _parser().parse(text, {})
        source_lines: list[tuple[int, str]] = []  # split as markdown-it splits: \r\n, \r or \n
        offset = start
        for match in _LINE.finditer(text):
            source_lines.append((offset, match.group(1)))
            offset = start + match.end()
        cursors: dict[int, int] = {}
        stack: list[str] = []
        line_of_parent: list[int] = []
        for index, token in enumerate(tokens):
            if token.nesting == 1:
                stack.append(token.type)
                parent = line_of_parent[-1] if line_of_parent else 0
                line_of_parent.append(token.map[0] if token.map else parent)
            elif token.nesting == -1:
                stack.pop()
                line_of_parent.pop()
            if token.type == "html_block" and token.map:
                self._html_block(source_lines, token.map)
                continue
            if token.type != "inline" or not token.content.strip():
                continue
            first = token.map[0] if token.map else line_of_parent[-1]
            located = _locate(source_lines, first, token.content, cursors)
            heading = bool(stack) and stack[-1] == "heading_open"
            records = token.meta.get(_RECORDS)
            text_, spans, how = _inline_text(token.content, token.children or [], records, heading)
            explicit_id = False
            if heading and located:
                trimmed, located[-1] = _without_explicit_id(text_, spans, located[-1])
                explicit_id, text_ = trimmed != text_, trimmed
            where = source_lines[min(first, len(source_lines) - 1)][0]
            line = self.builder.source.count("\n", 0, where) + 1
            meta = {"line": line, "inline": how}
            if heading:
                meta["level"] = int(tokens[index - 1].tag[1:])
                meta["markdown_heading"] = True
                meta["explicit_id"] = explicit_id
            block = self.builder.block(_kind(stack), text_, spans, located, meta)
            if not located:
                block.translate, block.skip_reason = False, "text not found in its source lines"

    def _html_block(self, source_lines: list[tuple[int, str]], line_map: list[int]) -> None:
        """Raw HTML between Markdown blocks: read by the HTML reader, in place."""
        first, last = line_map[0], min(line_map[1], len(source_lines)) - 1
        start = source_lines[first][0]
        end = source_lines[last][0] + len(source_lines[last][1])
        html.read_into(self.builder, start, end, self.path)


def write(doc: Document, rendered: dict[str, str], wrap: str = "join") -> str:
    return splice(doc, anchors.follow_headings(doc, rendered, heading_text), wrap)


def heading_text(markdown_text: str) -> str:
    """What a heading's id is made from: its rendered text (code spans included, markup dropped)."""
    tokens = _parser().parseInline(markdown_text, {})
    pieces: list[str] = []
    for token in tokens[0].children if tokens else []:
        if token.type in ("text", "code_inline"):
            pieces.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            pieces.append(" ")
    return "".join(pieces)


def escape(text: str) -> str:
    return text
