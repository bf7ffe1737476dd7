"""In-page links follow translated headings: ``[…](#लाइसेंस-कैसे-चुनें)`` becomes ``[…](#how-to-choose-a-license)``.

A Markdown heading gets an id from its text when the page is rendered, and in-page links point at
that id. Once the heading is translated its id changes, so every link to the old id is rewritten to
the new one. Two rules are known, and a link follows whichever rule its target was made with:

* GitHub (also kramdown's GFM parser, Jekyll's default): the heading's text lowercased, every
  character that is not a letter, mark, number, ``-``, ``_`` or space dropped, spaces turned into
  ``-``; Unicode letters stay, so a Hindi heading keeps its Devanagari.
* kramdown's own auto ids: leading characters up to the first ASCII letter dropped, then
  everything but ASCII letters, digits, spaces and ``-``, spaces turned into ``-``, lowercased;
  ``section`` when nothing is left.

Both suffix repeated ids with ``-1``, ``-2``, … in document order. A heading with an explicit id
(``{#id}``, MDX ``{/*id*/}``) keeps it, so links to it need nothing.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Callable, Mapping
from urllib.parse import unquote

from .model import Document

_LINK_TARGET = re.compile(r"(\]\(\s*<?|\bhref\s*=\s*[\"']?)#([^\s)>\"']+)")


def github_slug(text: str) -> str:
    kept = (ch for ch in text.strip().lower() if ch in "-_ " or unicodedata.category(ch)[0] in "LMN")
    return "".join(kept).replace(" ", "-")


def kramdown_slug(text: str) -> str:
    slug = re.sub(r"^[^a-zA-Z]+", "", text)
    slug = re.sub(r"[^a-zA-Z0-9 -]", "", slug).replace(" ", "-").lower()
    return slug or "section"


RULES: dict[str, Callable[[str], str]] = {"github": github_slug, "kramdown": kramdown_slug}


def unique(slugs: list[str]) -> list[str]:
    """Repeated slugs suffixed -1, -2, ... in order (a suffixed slug that exists is skipped)."""
    seen: dict[str, int] = {}
    taken: set[str] = set()
    out = []
    for slug in slugs:
        candidate = slug
        while candidate in taken:
            seen[slug] = seen.get(slug, 0) + 1
            candidate = f"{slug}-{seen[slug]}"
        taken.add(candidate)
        out.append(candidate)
    return out


def slug_map(source: list[str], translated: list[str], rule: Callable[[str], str]) -> dict[str, str]:
    """Source heading id -> translated heading id, for headings in document order."""
    return dict(zip(unique([rule(t) for t in source]), unique([rule(t) for t in translated]), strict=True))


def heading_maps(
    doc: Document, rendered: Mapping[str, str], heading_text: Callable[[str], str]
) -> list[dict[str, str]]:
    """Per slug rule, source heading id -> translated heading id of `doc`'s auto-id Markdown headings.

    What links into this page need, from inside it (`follow_headings`) or from other pages of a
    folder run (`follow_pages`); empty when the page has no such heading.
    """
    escape = doc.state.escape
    auto = [b for b in doc.blocks if b.meta.get("markdown_heading") and not b.meta.get("explicit_id")]
    if not auto:
        return []
    before = [heading_text(b.source(escape)) for b in auto]
    after = [heading_text(rendered.get(b.id, b.source(escape))) for b in auto]
    return [slug_map(before, after, rule) for rule in RULES.values()]


def _follow(maps: list[dict[str, str]], slug: str) -> str | None:
    """The translated id of heading id `slug` under whichever rule made it; None when no rule did."""
    return next((mapping[slug] for mapping in maps if slug in mapping), None)


def follow_headings(
    doc: Document, rendered: Mapping[str, str], heading_text: Callable[[str], str]
) -> dict[str, str]:
    """`rendered` with every in-page link to a translated Markdown heading's id rewritten.

    `heading_text` turns a heading's Markdown into the text its id is made from. Blocks that are
    not in `rendered` (kept as they are) are added when one of their links changes.
    """
    out = dict(rendered)
    maps = heading_maps(doc, rendered, heading_text)
    if not maps:
        return out
    escape = doc.state.escape

    def target(match: re.Match[str]) -> str:
        slug = _follow(maps, unquote(match.group(2)))
        return match.group(0) if slug is None else match.group(1) + "#" + slug

    for block in doc.blocks:
        text = out.get(block.id, block.source(escape))
        if "#" not in text:
            continue
        changed = _LINK_TARGET.sub(target, text)
        if changed != text:
            out[block.id] = changed
    return out


_PAGE_LINK = re.compile(r"(\]\(\s*<?|\bhref\s*=\s*[\"']?)([^\s)>\"'#:?]+)#([^\s)>\"']+)")
"""A link to another page's heading: ``](../other/#slug)``, ``](other.md#slug)``, ``href="x.html#slug"``."""


_PAGE_SUFFIXES = (".md", ".markdown", "/index.md", "/README.md", "/_index.md")


def _pages_named(page: str, target: str) -> list[str]:
    """The page paths (relative, POSIX) a link `target` written in `page` may name.

    Relative to the page's folder (``other.md``), and to its pretty URL (Jekyll, Hugo and MkDocs serve
    ``docs/one.md`` at ``docs/one/``, so ``../other/`` there means ``docs/other.md``).
    """
    names = []
    for base in (posixpath.dirname(page), posixpath.splitext(page)[0]):
        path = posixpath.normpath(posixpath.join(base, unquote(target)))
        stem = path[: -len(".html")] if path.endswith(".html") else path
        names += [path, *(stem + suffix for suffix in _PAGE_SUFFIXES)]
    return names


def follow_pages(text: str, page: str, pages: Mapping[str, list[dict[str, str]]]) -> str:
    """`text` (page `page`'s written output) with links to other pages' headings following them.

    `pages` maps each page translated in the same run (path relative to the run's folder) to its
    `heading_maps`; links to pages outside it, and to ids no rule made, stay as they are.
    """

    def target(match: re.Match[str]) -> str:
        for name in _pages_named(page, match.group(2)):
            if name in pages and name != page:
                slug = _follow(pages[name], unquote(match.group(3)))
                return match.group(0) if slug is None else match.group(1) + match.group(2) + "#" + slug
        return match.group(0)

    return _PAGE_LINK.sub(target, text) if "#" in text else text
