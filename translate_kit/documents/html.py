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
  ``translate="no"`` or class ``notranslate`` are copied untouched, attributes included.
* Attributes people read (``alt``, ``title``, ``aria-label``, ``placeholder``, the ``content`` of
  ``<meta name="description">`` and its Open Graph / Twitter twins) are translated: on a tag inside
  a block they are values of its span, elsewhere properties of the document. ``<html lang>`` and
  ``<meta http-equiv="content-language">`` are language codes, written as the target's.
* The content of an element with ``markdown="1"`` (kramdown's switch, also ``block``/``span``) is
  read as Markdown, as kramdown renders it; this is how Markdown hands its HTML blocks here and
  gets Markdown back.
* Block text is the decoded text (entities resolved), so the model sees ``&`` rather than ``&amp;``;
  a translated block is written back HTML-escaped (``&``, ``<``, ``>``), and a block whose
  translation equals its source keeps its original bytes, entities included.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser

from . import frontmatter
from .model import VALUE_ENCODERS, BlockKind, Document, InlineBuilder, InlineValue
from .splice import DocumentBuilder, LineRange, NestedReader, splice

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
READABLE_ATTRIBUTES = frozenset({"alt", "title", "aria-label", "placeholder"})
_META_TEXT = frozenset({"description", "og:title", "og:description", "twitter:title", "twitter:description"})
MARKDOWN_SWITCH = frozenset({"1", "block", "span"})
_ATTRIBUTE = re.compile(
    r"""\s([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"""
)


@dataclass(frozen=True)
class Attribute:
    """One attribute of a tag's markup: its value at [start, end) of the markup, decoded as `text`."""

    name: str
    start: int
    end: int
    text: str
    quoted: bool


def attributes(markup: str) -> list[Attribute]:
    """The attributes of a start tag's source markup, with where each value sits."""
    name_end = re.match(r"<[^\s/>]*", markup)
    found = []
    for match in _ATTRIBUTE.finditer(markup, name_end.end() if name_end else 0):
        group = next((g for g in (2, 3, 4) if match.group(g) is not None), None)
        if group is None:
            continue
        found.append(Attribute(match.group(1).lower(), match.start(group), match.end(group),
                               html.unescape(match.group(group)), group != 4))
    return found


def readable_values(tag: str, markup: str) -> list[tuple[Attribute, str]]:
    """(attribute, kind) of each value people read, or a language code, in a start tag's markup."""
    attrs = attributes(markup)
    by_name = {a.name: a for a in attrs}
    found: list[tuple[Attribute, str]] = []
    if tag == "meta" and "content" in by_name:
        name = (by_name.get("name") or by_name.get("property") or by_name.get("http-equiv"))
        label = name.text.strip().lower() if name else ""
        if label in _META_TEXT:
            found.append((by_name["content"], BlockKind.ATTRIBUTE))
        elif label == "content-language":
            found.append((by_name["content"], BlockKind.LANGUAGE))
    if tag == "html":
        found.extend((a, BlockKind.LANGUAGE) for a in attrs if a.name in ("lang", "xml:lang"))
    found.extend(
        (a, BlockKind.ATTRIBUTE) for a in attrs if a.name in READABLE_ATTRIBUTES and _CONTENT.search(a.text)
    )
    return found


def value_encoding(attribute: Attribute) -> str:
    return "html" if attribute.quoted else "html-unquoted"


@dataclass
class _Event:
    kind: str  # "start", "end", "startend", "data", "ref", "other"
    tag: str
    start: int
    attrs: list[tuple[str, str | None]] = field(default_factory=list)
    end: int = -1


class _Tokenizer(HTMLParser):
    """Collects every event with its source offset; each event ends where the next one starts."""

    def __init__(self, source: str, base: int = 0) -> None:
        super().__init__(convert_charrefs=False)
        self.events: list[_Event] = []
        self._line_starts = [base] + [base + m.end() for m in re.finditer("\n", source)]

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


def _events(source: str, start: int, end: int) -> list[_Event]:
    """Events of source[start:end], with offsets into `source`."""
    tokenizer = _Tokenizer(source[start:end], start)
    tokenizer.feed(source[start:end])
    tokenizer.close()
    events = sorted(tokenizer.events, key=lambda e: e.start)
    for event, following in zip(events, events[1:], strict=False):
        event.end = following.start
    if events:
        events[-1].end = end
    return events


def _is_untouched(event: _Event) -> bool:
    attrs = dict(event.attrs)
    classes = (attrs.get("class") or "").split()
    return event.tag in UNTOUCHED_TAGS or attrs.get("translate") == "no" or "notranslate" in classes


class _Reader:
    """Walks the events of source[start:end], cutting runs of inline content into blocks."""

    def __init__(self, builder: DocumentBuilder, start: int, end: int, path: str) -> None:
        self.builder = builder
        self.source = builder.source
        self.start, self.end = start, end
        self.path = path
        self.containers: list[str] = []
        self.run: list[_Event] = []
        self.tags: list[_Event] = []  # start tags read (not inside untouched elements)
        self.in_blocks: set[int] = set()  # ids of the tags whose values became span values

    def read(self) -> None:
        events = _events(self.source, self.start, self.end)
        index = 0
        while index < len(events):
            event = events[index]
            if event.kind in ("start", "startend"):
                if _is_untouched(event):
                    index = self._untouched(events, index)
                    continue
                self.tags.append(event)
                if event.kind == "start" and (dict(event.attrs).get("markdown") or "") in MARKDOWN_SWITCH:
                    index = self._markdown(events, index)
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
        self._properties()

    def _untouched(self, events: list[_Event], index: int) -> int:
        event = events[index]
        end = _skip_element(events, index) if event.kind == "start" else index
        if event.tag in ATOMIC_INLINE_TAGS or event.tag not in BLOCK_TAGS | UNTOUCHED_TAGS:
            self.run.append(_Event("atom", event.tag, event.start, end=events[end].end))
        else:
            self._flush()
        return end + 1

    def _markdown(self, events: list[_Event], index: int) -> int:
        """An element whose content is Markdown: its tags stay, its content is read as Markdown."""
        self._flush()
        end = _skip_element(events, index)
        inner_start = events[index].end
        inner_end = events[end].start if end != index and events[end].kind == "end" else self.end
        self.builder.read_nested("markdown", inner_start, inner_end, self.path)
        if end != index and events[end].kind == "end":
            return end + 1
        return len(events)

    def _properties(self) -> None:
        """Readable values of tags that are not inside a block become properties of the document."""
        for event in self.tags:
            if id(event) in self.in_blocks:
                continue
            markup = self.source[event.start : event.end]
            for attribute, kind in readable_values(event.tag, markup):
                encode = VALUE_ENCODERS[value_encoding(attribute)]
                line = self.source.count("\n", 0, event.start) + 1
                meta = {"line": line, "attribute": f"{event.tag}@{attribute.name}"}
                start, end = event.start + attribute.start, event.start + attribute.end
                self.builder.property(kind, attribute.text, start, end, encode, meta)

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
        kind = next((_KINDS[c] for c in reversed(self.containers) if c in _KINDS), BlockKind.PARAGRAPH)
        line = self.source.count("\n", 0, start) + 1
        self.builder.block(kind, text, spans, [LineRange(start, end)], {"line": line})

    def _inline(self, events: list[_Event], start: int, end: int) -> tuple[str, dict]:
        builder = InlineBuilder()
        open_tags: list[str] = []
        for event in events:
            raw = self.source[max(event.start, start) : min(event.end, end)]
            values = self._values(event, raw)
            if event.kind == "data":
                builder.text(raw)
            elif event.kind == "ref":
                builder.text(html.unescape(raw))
            elif event.kind == "start" and event.tag not in VOID_TAGS:
                builder.open(raw, values)
                open_tags.append(event.tag)
            elif event.kind == "end" and event.tag in open_tags:
                while open_tags.pop() != event.tag:
                    builder.close("")
                builder.close(raw)
            else:
                builder.atom(raw, values)
        return builder.finish()

    def _values(self, event: _Event, raw: str) -> tuple[InlineValue, ...]:
        """A tag's readable attribute values as values of its span (the tag is inside a block)."""
        if event.kind not in ("start", "startend"):
            return ()
        self.in_blocks.add(id(event))
        return tuple(
            InlineValue("open", a.start, a.end, a.text, value_encoding(a))
            for a, kind in readable_values(event.tag, raw)
            if kind == BlockKind.ATTRIBUTE
        )


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


def read(source: str, path: str, nested: Mapping[str, NestedReader] | None = None) -> Document:
    """An HTML page; front matter on top (Jekyll pages have it) is read as in Markdown; `nested`
    names the reader of ``markdown="1"`` content (documents.parse_document passes Markdown's)."""
    builder = DocumentBuilder(source, nested)
    front = frontmatter.find(source)
    start = 0
    if front is not None and frontmatter.read(builder, front, path, frontmatter.DEFAULT_KEYS):
        start = front.end
    read_into(builder, start, len(source), path)
    return builder.document(path, "html", escape)


def read_into(builder: DocumentBuilder, start: int, end: int, path: str) -> None:
    """Add the blocks and properties of the HTML in builder.source[start:end] (a Markdown HTML block)."""
    _Reader(builder, start, end, path).read()


def write(doc: Document, rendered: dict[str, str]) -> str:
    return splice(doc, rendered)


def escape(text: str) -> str:
    return html.escape(text, quote=False)
