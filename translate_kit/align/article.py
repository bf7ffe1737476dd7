"""An article as the aligner sees it, read through the same `documents` readers as the translator.

Blocks are headings and text blocks (paragraphs, list items, table cells, quotes), each a list of
sentences. Every format goes through `translate_kit.documents`, so the aligner and the translator
agree on what a heading is (one rule, in `documents.text`), and front matter, code and markup are
never aligned; a front-matter `title`/`description` becomes a heading-like block at the top.

`--presplit` means the sentences are already split, one a line: a plain-text file is then read
line by line (a blank line between paragraphs, `# ` before a heading line, every non-empty line
one sentence), and a Markdown or HTML file through its reader with each line of a block one sentence.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, TranslateKitError
from ..languages import ENGLISH, HINDI, detect_lang
from ..textio import decode, read_text

HEADING_MARK = "# "
#: Document block kinds the aligner treats as headings (paired only with each other).
HEADING_KINDS = frozenset({"heading", "title"})
#: Front-matter fields aligned as headings (the page's title and its one-line summary).
FRONT_MATTER_HEADINGS = frozenset({"title", "description", "summary", "excerpt"})
#: Document block kinds that are not running text.
SKIPPED_KINDS = frozenset({"language", "attribute"})
#: Document formats whose blocks the aligner reads (JSON Lines and tables hold records, not articles).
ARTICLE_FORMATS = ("text", "markdown", "html")


@dataclass(frozen=True)
class Block:
    """`kind` is "heading" or "paragraph" (what the aligner tells apart); `id` and `doc_kind` are
    the document's block id (b1, b2, ...) and kind (list_item, table_cell, title, ...)."""

    kind: str
    sentences: tuple[str, ...]
    id: str = ""
    doc_kind: str = ""

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


@dataclass(frozen=True)
class Article:
    blocks: tuple[Block, ...]

    @property
    def sentences(self) -> list[str]:
        return [s for block in self.blocks for s in block.sentences]

    def block_ranges(self) -> list[tuple[int, int]]:
        """Sentence index range [start, end) of every block."""
        ranges, start = [], 0
        for block in self.blocks:
            ranges.append((start, start + len(block.sentences)))
            start += len(block.sentences)
        return ranges

    def sentence_blocks(self) -> list[int]:
        """The block index of every sentence."""
        return [k for k, block in enumerate(self.blocks) for _ in block.sentences]

    @classmethod
    def flat(cls, sentences: list[str]) -> Article:
        """One paragraph holding all sentences (input without structure)."""
        return cls((Block("paragraph", tuple(sentences), "b1", "paragraph"),) if sentences else ())


def read_article(
    path: str | os.PathLike[str], lang: str, presplit: bool = False, errors: str = "strict"
) -> Article:
    """Read one side of a pair; `lang` is hin_Deva or eng_Latn (for sentence splitting);
    `errors` is how invalid UTF-8 is handled (see `textio.decode`)."""
    from ..documents import detect_format, parse_document

    name = os.fspath(path)
    source = read_text(name, errors) if name == "-" else _read_document_text(name, errors)
    fmt = detect_format(name)
    if fmt not in ARTICLE_FORMATS:
        raise InputError(f"align reads text, Markdown and HTML, not {fmt}", name)
    if presplit and fmt == "text":
        return parse_presplit(source.split("\n"))
    return article_from_document(parse_document(source, name, fmt), lang, presplit)


def _read_document_text(name: str, errors: str) -> str:
    """The text of a file, refusing binary files (NUL bytes at the start) before decoding them."""
    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", name) from None
    if b"\x00" in data[:8192]:
        raise InputError("a binary file (it holds NUL bytes), not a text document", name)
    return decode(data, name, errors)


def read_pair(hi_path, en_path, presplit: bool = False, errors: str = "strict") -> tuple[Article, Article]:
    return read_article(hi_path, HINDI, presplit, errors), read_article(en_path, ENGLISH, presplit, errors)


def article_from_document(doc, lang: str, presplit: bool = False) -> Article:
    """The blocks of a `documents.Document` split into sentences (by line when `presplit`).

    Left out: blocks a translator would leave alone (`translate` False: code, `translate="no"`)
    and the document's properties (language codes, attribute values such as alt texts: not
    running text, and their place in it differs between pages) except a front-matter title,
    description, summary or excerpt, which comes first as a heading, so the two pages' titles
    pair with each other.
    """
    from ..segment import split_sentences

    front = [p for p in doc.properties if p.meta.get("front_matter") in FRONT_MATTER_HEADINGS]
    blocks = []
    for block in [*front, *doc.blocks]:
        if not block.translate or block.kind in SKIPPED_KINDS:
            continue
        text = block.plain_text()
        heading = block.kind in HEADING_KINDS or block.meta.get("front_matter") in FRONT_MATTER_HEADINGS
        if presplit:
            sentences = [" ".join(line.split()) for line in text.split("\n")]
        elif heading:
            sentences = [" ".join(text.split())]
        else:
            sentences = [" ".join(s.split()) for s in split_sentences(text, lang)]
        sentences = [s for s in sentences if s]
        if sentences:
            kind = "heading" if heading else "paragraph"
            blocks.append(Block(kind, tuple(sentences), block.id, block.kind))
    return Article(tuple(blocks))


def parse_presplit(lines: Sequence[str]) -> Article:
    """Sentence-per-line text: a blank line between paragraphs, `# ` before a heading line."""
    blocks: list[Block] = []
    paragraph: list[str] = []

    def add(kind: str, sentences: tuple[str, ...]) -> None:
        blocks.append(Block(kind, sentences, f"b{len(blocks) + 1}", kind))

    def close() -> None:
        if paragraph:
            add("paragraph", tuple(paragraph))
            paragraph.clear()

    for line in lines:
        text = line.strip()
        if not text:
            close()
        elif line.startswith(HEADING_MARK) or text == "#":
            close()
            add("heading", (text[1:].strip() or text,))
        else:
            paragraph.append(" ".join(text.split()))
    close()
    return Article(tuple(blocks))


def check_pair(hi: Article, en: Article, hi_path: str, en_path: str) -> list[str]:
    """Warnings about an article pair before it is aligned: a side with no text (every sentence of
    the other is then unaligned) or in the wrong script. Swapped inputs (English given as the
    Hindi side and Hindi as the English one) are refused with a TranslateKitError."""
    warnings = [
        f"{path} has no text to align; the other side is left unaligned"
        for article, path in ((hi, hi_path), (en, en_path))
        if not article.blocks
    ]
    return warnings + check_scripts(hi.sentences, en.sentences, hi_path, en_path)


def check_scripts(hi: Sequence[str], en: Sequence[str], hi_path: str, en_path: str) -> list[str]:
    """Refuse swapped inputs (Hindi must come first); a warning for each side in the wrong script."""
    hi_lang = detect_lang(" ".join(hi[:200]), default=HINDI)
    en_lang = detect_lang(" ".join(en[:200]), default=ENGLISH)
    if hi_lang == ENGLISH and en_lang == HINDI:
        raise TranslateKitError(f"{hi_path} is English and {en_path} Hindi: give the Hindi file first")
    sides = ((hi_path, hi_lang, HINDI, "Hindi"), (en_path, en_lang, ENGLISH, "English"))
    return [
        f"{path} does not look like {name} text; aligning anyway"
        for path, found, wanted, name in sides
        if found != wanted
    ]
