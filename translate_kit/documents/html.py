"""HTML: text translated in place, every tag, attribute, comment and byte of markup kept.

Why the standard library's tokenizer (``html.parser``, the one BeautifulSoup's "html.parser" builder
drives) and not a BeautifulSoup or lxml tree: a tree re-serialises the page (attribute quotes and
order, ``<br>`` vs ``<br/>``, entities, implied ``</li>``), so the output would differ from the input
in every place the translation did not touch. The tokenizer reports where each tag, text run,
entity and comment starts, so blocks are spliced back into the untouched source.

It is as forgiving as browsers: unclosed tags, stray end tags and bad nesting never raise. Rules:

* Block-level tags (``p``, ``div``, ``h1``-``h6``, ``li``, ``td``, ``title``, ...) separate blocks;
  a run of text and inline elements between them that holds a letter or digit is one block. Its kind
  comes from the nearest enclosing block tag (heading, list item, table cell, title, quote, ...).
* Inline elements (``a``, ``b``, ``em``, ``span``, ...) are spans: the tags are kept, the text inside
  is translated. Void elements (``br``, ``img``), comments and inline ``code``/``kbd``/``samp``/``var``
  are atomic. An inline tag left open at the end of its block closes with nothing; a stray end tag is
  kept as an atom: malformed markup comes out exactly as malformed as it came in.
* ``script``, ``style``, ``pre``, ``textarea``, ``template``, ``svg``, ``math`` and any element with
  ``translate="no"`` or class ``notranslate`` are copied untouched. Attribute values (``alt``,
  ``title``) are not translated.
* Block text is the decoded text (entities resolved), so the model sees ``&`` rather than ``&amp;``;
  a translated block is written back HTML-escaped (``&``, ``<``, ``>``), and a block whose
  translation equals its source keeps its original bytes, entities included.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .model import Block, BlockKind, Document, InlineBuilder
from .splice import LineRange, SpliceState, splice

BLOCK_TAGS = frozenset(
    {
        "html",
        "head",
        "body",
        "title",
        "meta",
        "link",
        "base",
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "colgroup",
        "col",
        "blockquote",
        "section",
        "article",
        "aside",
        "header",
        "footer",
        "nav",
        "main",
        "figure",
        "figcaption",
        "form",
        "fieldset",
        "legend",
        "address",
        "hr",
        "option",
        "optgroup",
        "select",
        "details",
        "summary",
        "center",
        "noscript",
        "iframe",
        "video",
        "audio",
        "object",
        "canvas",
        "hgroup",
        "menu",
    }
)
UNTOUCHED_TAGS = frozenset({"script", "style", "pre", "textarea", "template", "svg", "math"})
ATOMIC_INLINE_TAGS = frozenset({"code", "kbd", "samp", "var"})
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_KINDS = {
    **{f"h{n}": BlockKind.HEADING for n in range(1, 7)},
    "li": BlockKind.LIST_ITEM,
    "dt": BlockKind.LIST_ITEM,
    "dd": BlockKind.LIST_ITEM,
    "td": BlockKind.TABLE_CELL,
    "th": BlockKind.TABLE_CELL,
    "title": BlockKind.TITLE,
    "blockquote": BlockKind.QUOTE,
}
_CONTENT = re.compile(r"\w")


@dataclass
class _Event:
    kind: str  # "start", "end", "startend", "data", "ref", "other"
    tag: str
    start: int
    attrs: list[tuple[str, str | None]] = field(default_factory=list)
    end: int = -1


class _Tokenizer(HTMLParser):
    """Collects every event with its source offset; each event ends where the next one starts."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.events: list[_Event] = []
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]

    def _add(self, kind: str, tag: str = "", attrs=None) -> None:
        line, col = self.getpos()
        self.events.append(_Event(kind, tag, self._line_starts[line - 1] + col, attrs or []))

    def handle_starttag(self, tag, attrs):
        self._add("start", tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._add("startend", tag, attrs)

    def handle_endtag(self, tag):
        self._add("end", tag)

    def handle_data(self, data):
        self._add("data")

    def handle_entityref(self, name):
        self._add("ref")

    def handle_charref(self, name):
        self._add("ref")

    def handle_comment(self, data):
        self._add("other", "!--")

    def handle_decl(self, decl):
        self._add("other", "!")

    def handle_pi(self, data):
        self._add("other", "?")

    def unknown_decl(self, data):
        self._add("other", "![")


def _events(source: str) -> list[_Event]:
    tokenizer = _Tokenizer(source)
    tokenizer.feed(source)
    tokenizer.close()
    events = sorted(tokenizer.events, key=lambda e: e.start)
    for event, following in zip(events, events[1:], strict=False):
        event.end = following.start
    if events:
        events[-1].end = len(source)
    return events


def _is_untouched(event: _Event) -> bool:
    attrs = dict(event.attrs)
    classes = (attrs.get("class") or "").split()
    return event.tag in UNTOUCHED_TAGS or attrs.get("translate") == "no" or "notranslate" in classes


class _Reader:
    """Walks the events, cutting runs of inline content into blocks."""

    def __init__(self, source: str, path: str) -> None:
        self.source = source
        self.path = path
        self.blocks: list[Block] = []
        self.ranges: dict[str, list[LineRange]] = {}
        self.containers: list[str] = []
        self.run: list[_Event] = []

    def read(self) -> Document:
        events = _events(self.source)
        index = 0
        while index < len(events):
            event = events[index]
            if event.kind == "start" and _is_untouched(event):
                end = _skip_element(events, index)
                if event.tag in ATOMIC_INLINE_TAGS or event.tag not in BLOCK_TAGS | UNTOUCHED_TAGS:
                    self.run.append(_Event("atom", event.tag, event.start, end=events[end].end))
                else:
                    self._flush()
                index = end + 1
                continue
            if event.kind == "start" and event.tag in ATOMIC_INLINE_TAGS:
                end = _skip_element(events, index)
                self.run.append(_Event("atom", event.tag, event.start, end=events[end].end))
                index = end + 1
                continue
            if event.kind == "other" and event.tag == "!--":
                self.run.append(_Event("atom", event.tag, event.start, end=event.end))
            elif event.tag in BLOCK_TAGS or event.kind == "other":
                self._flush()
                self._track_container(event)
            else:
                self.run.append(event)
            index += 1
        self._flush()
        return Document(self.path, "html", self.blocks, SpliceState(self.source, self.ranges, escape))

    def _track_container(self, event: _Event) -> None:
        if event.kind == "start" and event.tag not in VOID_TAGS:
            self.containers.append(event.tag)
        elif event.kind == "end" and event.tag in self.containers:
            while self.containers and self.containers.pop() != event.tag:
                pass

    def _flush(self) -> None:
        run, self.run = self.run, []
        content = [e for e in run if e.kind in ("data", "ref") and self.source[e.start : e.end].strip()]
        if not any(_CONTENT.search(self.source[e.start : e.end]) for e in content):
            return  # only markup, spaces or punctuation: nothing to translate
        first = run.index(content[0])
        last = run.index(content[-1])
        # Markup before the first text or after the last text stays outside the block unless it is
        # the start or end tag of an inline element around that text.
        while first > 0 and run[first - 1].kind == "start" and run[first - 1].tag not in VOID_TAGS:
            first -= 1
        while last < len(run) - 1 and run[last + 1].kind == "end":
            last += 1
        events = run[first : last + 1]
        start, end = events[0].start, events[-1].end
        lead = _leading_space(self.source, events[0])
        trail = _trailing_space(self.source, events[-1])
        start, end = start + lead, end - trail
        text, spans = self._inline(events, start, end)
        block_id = f"b{len(self.blocks) + 1}"
        kind = next((_KINDS[c] for c in reversed(self.containers) if c in _KINDS), BlockKind.PARAGRAPH)
        line = self.source.count("\n", 0, start) + 1
        self.blocks.append(Block(block_id, kind, text, spans, meta={"line": line}))
        self.ranges[block_id] = [LineRange(start, end)]

    def _inline(self, events: list[_Event], start: int, end: int) -> tuple[str, dict]:
        builder = InlineBuilder()
        open_tags: list[str] = []
        for event in events:
            raw = self.source[max(event.start, start) : min(event.end, end)]
            if event.kind == "data":
                builder.text(raw)
            elif event.kind == "ref":
                builder.text(html.unescape(raw))
            elif event.kind == "start" and event.tag not in VOID_TAGS:
                builder.open(raw)
                open_tags.append(event.tag)
            elif event.kind == "end" and event.tag in open_tags:
                while open_tags.pop() != event.tag:
                    builder.close("")
                builder.close(raw)
            else:
                builder.atom(raw)
        return builder.finish()


def _skip_element(events: list[_Event], index: int) -> int:
    """Index of the end tag closing the element opened at `index` (the last event if never closed)."""
    tag = events[index].tag
    depth = 0
    for position in range(index, len(events)):
        event = events[position]
        if event.tag == tag and event.kind == "start":
            depth += 1
        elif event.tag == tag and event.kind == "end":
            depth -= 1
            if depth == 0:
                return position
    return len(events) - 1


def _leading_space(source: str, event: _Event) -> int:
    if event.kind != "data":
        return 0
    raw = source[event.start : event.end]
    return len(raw) - len(raw.lstrip())


def _trailing_space(source: str, event: _Event) -> int:
    if event.kind != "data":
        return 0
    raw = source[event.start : event.end]
    return len(raw) - len(raw.rstrip())


def read(source: str, path: str) -> Document:
    return _Reader(source, path).read()


def write(doc: Document, rendered: dict[str, str]) -> str:
    return splice(doc, rendered)


def escape(text: str) -> str:
    return html.escape(text, quote=False)
