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


def follow_headings(
    doc: Document, rendered: Mapping[str, str], heading_text: Callable[[str], str]
) -> dict[str, str]:
    """`rendered` with every in-page link to a translated Markdown heading's id rewritten.

    `heading_text` turns a heading's Markdown into the text its id is made from. Blocks that are
    not in `rendered` (kept as they are) are added when one of their links changes.
    """
    out = dict(rendered)
    headings = [b for b in doc.blocks if b.meta.get("markdown_heading")]
    escape = doc.state.escape
    auto = [b for b in headings if not b.meta.get("explicit_id")]
    if not auto:
        return out
    before = [heading_text(b.source(escape)) for b in auto]
    after = [heading_text(out.get(b.id, b.source(escape))) for b in auto]
    maps = [slug_map(before, after, rule) for rule in RULES.values()]

    def target(match: re.Match[str]) -> str:
        slug = unquote(match.group(2))
        for mapping in maps:
            if slug in mapping:
                return match.group(1) + "#" + mapping[slug]
        return match.group(0)

    for block in doc.blocks:
        text = out.get(block.id, block.source(escape))
        if "#" not in text:
            continue
        changed = _LINK_TARGET.sub(target, text)
        if changed != text:
            out[block.id] = changed
    return out
