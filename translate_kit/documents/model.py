"""The format-neutral document: an ordered list of blocks with stable ids.

Every reader turns its format into blocks and keeps whatever it needs to write the same format back
(the source text and where each block sits in it, the records of a JSONL file, the table). Block ids
are stable for a given input: ``b1``, ``b2``, ... in reading order for text, Markdown and HTML,
``L<line>.<field>`` for JSONL, ``r<row>.<column>`` for tables. A block holds the text a
translator must see; inline markup inside it (links, emphasis, inline code, tags) is *protected*:
each markup span is cut out of the block text and replaced by a token such as ``⟦1⟧``. A span with
text inside (a link, a bold phrase) keeps that text as its own translatable unit, so the URL and the
markup survive verbatim while the words are translated; an atomic span (inline code, an image, a
line break tag) is never translated. Tokens are numbered per block, so the same sentence gets the
same tokens in every document, which keeps the translation memory effective.

Rendering a block back is the inverse: translated text with tokens, each token replaced by its
span's opening markup, the rendered inner translation and its closing markup. Text outside the
markup goes through the format's ``escape`` (HTML entities; nothing for Markdown source).

Text people read inside markup (an image's ``alt``, a link's or tag's ``title``, ``aria-label``) is
an `InlineValue` of its span: a unit of its own, translated and written back into the markup with
the quoting it needs. Text outside the body (front matter fields, attributes of tags that hold no
block text, ``<meta name="description">``, the document's language code) is a *property*: a block
in ``Document.properties``, never in ``Document.blocks``, so readers of the body (the aligner) see
only the article itself.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

TOKEN_PATTERN = re.compile(r"⟦(\d+)⟧")
"""A protected inline span in block text. Brackets outside every script the models know."""


def span_token(number: int) -> str:
    """The token that stands for the `number`-th protected span of a block (1-based)."""
    return f"⟦{number}⟧"


class BlockKind:
    """Kinds of blocks; writers keep the kind, translators may use it (e.g. headings are short)."""

    TITLE = "title"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE_CELL = "table_cell"
    QUOTE = "quote"
    FIELD = "field"
    ATTRIBUTE = "attribute"
    LANGUAGE = "language"
    """A language code (``lang: hi``, ``<html lang="hi">``): written as the target's, never translated."""


def _escape_markdown_title(text: str, quote: str) -> str:
    closing = ")" if quote == "(" else quote
    return text.replace("\\", "\\\\").replace(closing, "\\" + closing)


def _escape_attribute(text: str) -> str:
    return html.escape(text, quote=True)


def _quote_attribute(text: str) -> str:
    return '"' + html.escape(text, quote=True) + '"'


def _escape_markdown_alt(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


VALUE_ENCODERS: dict[str, Callable[[str], str]] = {
    "html": _escape_attribute,
    "html-unquoted": _quote_attribute,
    "markdown-alt": _escape_markdown_alt,
    'markdown-title"': functools.partial(_escape_markdown_title, quote='"'),
    "markdown-title'": functools.partial(_escape_markdown_title, quote="'"),
    "markdown-title(": functools.partial(_escape_markdown_title, quote="("),
}
"""How a translated value is written back into its markup, by the encoding its reader chose.
Module-level functions and partials, never closures: a parsed document is pickled to Ray workers."""


@dataclass(frozen=True)
class InlineValue:
    """Text people read inside a span's markup: `part` ("open"/"close") holds it at [start, end).

    `text` is the value as a reader sees it (entities and escapes resolved); `encoding` names the
    VALUE_ENCODERS entry that writes a translation of it back.
    """

    part: str
    start: int
    end: int
    text: str
    encoding: str


@dataclass(frozen=True)
class InlineSpan:
    """Markup kept verbatim around text that is translated on its own ("" for atomic spans)."""

    open: str
    text: str = ""
    close: str = ""
    values: tuple[InlineValue, ...] = ()

    def markup(self, token: str, inner: Mapping[str, str]) -> tuple[str, str]:
        """(open, close) with each value replaced by its translation in `inner` (key token@index)."""
        parts = {"open": self.open, "close": self.close}
        for index in reversed(range(len(self.values))):  # from the end, so offsets stay valid
            value = self.values[index]
            translated = inner.get(value_key(token, index))
            if translated is None or translated == value.text:
                continue
            markup = parts[value.part]
            parts[value.part] = (
                markup[: value.start] + VALUE_ENCODERS[value.encoding](translated) + markup[value.end :]
            )
        return parts["open"], parts["close"]


def value_key(token: str, index: int) -> str:
    """The unit key of the `index`-th value of the span `token` ("⟦2⟧@0")."""
    return f"{token}@{index}"


@dataclass
class Block:
    """One translatable unit of structure: a heading, a paragraph, a list item, a table cell, a field.

    `text` holds tokens where `spans` were cut out. `translate` is False for blocks that must be
    written back untouched (see `skip_reason`).
    """

    id: str
    kind: str
    text: str
    spans: dict[str, InlineSpan] = field(default_factory=dict)
    translate: bool = True
    skip_reason: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def units(self) -> Iterator[tuple[str, str]]:
        """(key, text) of every piece translated on its own: "" is the block text, else a token."""
        yield "", self.text
        for token, span in self.spans.items():
            if span.text:
                yield token, span.text
            for index, value in enumerate(span.values):
                yield value_key(token, index), value.text

    def plain_text(self) -> str:
        """The words a reader sees: markup dropped, spans' inner text put in place (for language checks)."""
        return render_inline(self.text, self.spans, {}, lambda s: s, keep_markup=False)

    def source(self, escape: Callable[[str], str]) -> str:
        """The block rendered from its own source text (what an identity translation writes)."""
        return render_inline(self.text, self.spans, {}, escape)


@dataclass
class Document:
    """Blocks in reading order plus the reader's state needed to write the format back.

    `properties` are the translatable texts outside the body (front matter fields, attribute
    values, language codes; see the module docstring): translated with the blocks, never aligned.
    """

    path: str
    format: str
    blocks: list[Block]
    state: Any = None
    properties: list[Block] = field(default_factory=list)

    def translatable(self) -> list[Block]:
        """Blocks and properties to translate, body first."""
        return [block for block in self.blocks + self.properties if block.translate]

    def language_codes(self) -> list[Block]:
        """Properties that name the document's language (written as the target's code)."""
        return [block for block in self.properties if block.kind == BlockKind.LANGUAGE]


def render_inline(
    text: str,
    spans: Mapping[str, InlineSpan],
    inner: Mapping[str, str],
    escape: Callable[[str], str],
    *,
    keep_markup: bool = True,
) -> str:
    """Replace every token of `text` by its span; `inner` maps a token to its translated inner text.

    A span whose token the translation lost is appended at the end rather than dropped, so markup
    and link targets are never lost (the pipeline counts such spans as dropped placeholders).
    """
    seen: set[str] = set()

    def expand(piece: str) -> str:
        out: list[str] = []
        last = 0
        for match in TOKEN_PATTERN.finditer(piece):
            out.append(escape(piece[last : match.start()]))
            out.append(span_markup(match.group(0)))
            last = match.end()
        out.append(escape(piece[last:]))
        return "".join(out)

    def span_markup(token: str) -> str:
        span = spans.get(token)
        if span is None:
            return escape(token)  # not one of ours: text that merely looks like a token
        if token in seen:
            return ""  # a model that repeats a placeholder must not repeat the markup
        seen.add(token)
        body = expand(inner.get(token, span.text))
        if not keep_markup:
            return body
        opening, closing = span.markup(token, inner)
        return opening + body + closing

    rendered = expand(text)
    for token in spans:
        if token not in seen:
            rendered += (" " if rendered and not rendered.endswith((" ", "\n")) else "") + span_markup(token)
    return rendered


class InlineBuilder:
    """Builds a block's text and spans from a reader's stream of text, markup and atoms.

    Tokens are numbered in the order spans open, so equal inline structure gives equal text.
    """

    def __init__(self) -> None:
        self.spans: dict[str, InlineSpan] = {}
        self._open: list[tuple[str, str, list[str], tuple[InlineValue, ...]]] = []
        self._pieces: list[str] = []
        self._count = 0

    def _new_token(self) -> str:
        self._count += 1
        return span_token(self._count)

    def _current(self) -> list[str]:
        return self._open[-1][2] if self._open else self._pieces

    def text(self, text: str) -> None:
        self._current().append(text)

    def atom(self, markup: str, values: tuple[InlineValue, ...] = ()) -> None:
        token = self._new_token()
        self.spans[token] = InlineSpan(markup, values=values)
        self._current().append(token)

    def open(self, markup: str, values: tuple[InlineValue, ...] = ()) -> None:
        self._open.append((self._new_token(), markup, [], values))

    def close(self, markup: str, values: tuple[InlineValue, ...] = ()) -> None:
        token, opening, pieces, open_values = self._open.pop()
        self.spans[token] = InlineSpan(opening, "".join(pieces), markup, open_values + values)
        self._current().append(token)

    def finish(self) -> tuple[str, dict[str, InlineSpan]]:
        while self._open:  # unclosed markup: keep what was read, close with nothing
            self.close("")
        spans = dict(sorted(self.spans.items(), key=lambda item: int(TOKEN_PATTERN.match(item[0])[1])))
        return "".join(self._pieces), spans
