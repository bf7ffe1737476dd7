"""Reading articles for alignment and writing beads (JSON Lines or TSV); reading gold files.

Inputs:
- `--presplit`: one sentence a line, a blank line between paragraphs, `# ` marks a heading line
  (the marker is not part of the text). Sentence indices count every non-empty line in order.
- Markdown (`.md`, `.markdown`): headings, paragraphs, list items and table cells through
  markdown-it-py.
- Plain text: blank lines separate paragraphs; without blank lines every line is a block. A
  block that is one short line without final punctuation is a heading, as news headlines are.
Blocks are split into sentences by `translate_kit.segment`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..languages import ENGLISH, HINDI
from ..textio import read_lines, read_text
from .article import Article, Block
from .beads import Bead
from .hierarchy import Alignment

HEADING_MARK = "# "
_BLANK_SEPARATOR = re.compile(r"\S[ \t]*\n[ \t]*\n\s*\S")
#: A one-line block at most this many words long and without final punctuation is a heading.
HEADING_MAX_WORDS = 14
_FINAL_PUNCTUATION = tuple(".?!।॥|:;\"'”’)")


def read_article(
    path: str | os.PathLike[str], lang: str, presplit: bool = False, errors: str = "strict"
) -> Article:
    """Read one side of a pair; `lang` is hin_Deva or eng_Latn (for sentence splitting);
    `errors` is how invalid UTF-8 is handled (see `textio.decode`)."""
    if presplit:
        return parse_presplit(read_lines(path, errors))
    text = read_text(path, errors)
    if Path(os.fspath(path)).suffix.lower() in (".md", ".markdown"):
        return parse_markdown(text, lang)
    return parse_plain(text, lang)


def parse_presplit(lines: Sequence[str]) -> Article:
    blocks: list[Block] = []
    paragraph: list[str] = []

    def close() -> None:
        if paragraph:
            blocks.append(Block("paragraph", tuple(paragraph)))
            paragraph.clear()

    for line in lines:
        text = line.strip()
        if not text:
            close()
        elif line.startswith(HEADING_MARK) or text == "#":
            close()
            heading = text[1:].strip() or text
            blocks.append(Block("heading", (heading,)))
        else:
            paragraph.append(text)
    close()
    return Article(tuple(blocks))


def parse_plain(text: str, lang: str) -> Article:
    chunks = _paragraphs(text) if _BLANK_SEPARATOR.search(text) else text.split("\n")
    chunks = [" ".join(chunk.split()) for chunk in chunks]
    return Article(tuple(_block(chunk, lang) for chunk in chunks if chunk))


def _paragraphs(text: str) -> Iterable[str]:
    chunk: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            chunk.append(line.strip())
        elif chunk:
            yield "\n".join(chunk)
            chunk = []
    if chunk:
        yield "\n".join(chunk)


def _block(text: str, lang: str, kind: str | None = None) -> Block:
    from ..segment import split_sentences

    if kind is None:
        kind = "heading" if is_heading_line(text) else "paragraph"
    if kind == "heading":
        return Block("heading", (text,))
    return Block("paragraph", tuple(s for s in split_sentences(text, lang) if s.strip()))


def is_heading_line(text: str) -> bool:
    """Short and without final punctuation: how headlines and subheads look in news text."""
    text = text.strip()
    return 0 < len(text.split()) <= HEADING_MAX_WORDS and not text.endswith(_FINAL_PUNCTUATION)


def parse_markdown(text: str, lang: str) -> Article:
    """Headings and text blocks (paragraphs, list items, quotes, table cells) of a Markdown document."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    blocks: list[Block] = []
    kind = None
    for token in tokens:
        if token.type == "heading_open":
            kind = "heading"
        elif token.type in ("paragraph_open", "th_open", "td_open"):  # a table cell is a block
            kind = kind if kind == "heading" else "paragraph"
        elif token.type == "inline" and kind:
            content = " ".join(_inline_text(token).split())
            if content:
                blocks.append(_block(content, lang, kind))
            kind = None
        elif token.type == "fence" or token.type == "code_block":
            kind = None
    return Article(tuple(blocks))


def _inline_text(token) -> str:
    """Visible text of an inline token (link targets, emphasis marks and images dropped)."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def read_pair(hi_path, en_path, presplit: bool = False, errors: str = "strict") -> tuple[Article, Article]:
    return read_article(hi_path, HINDI, presplit, errors), read_article(en_path, ENGLISH, presplit, errors)


def bead_records(alignment: Alignment, hi: Article, en: Article) -> list[dict]:
    """The output contract: one dict per bead with indices, texts, score, type, level and block."""
    hi_sentences, en_sentences = hi.sentences, en.sentences
    records = []
    for bead in alignment.beads:
        block = alignment.blocks[bead.block] if bead.block is not None else None
        records.append(
            {
                "hi": list(bead.hi),
                "en": list(bead.en),
                "hi_text": " ".join(hi_sentences[i] for i in bead.hi),
                "en_text": " ".join(en_sentences[j] for j in bead.en),
                "score": round(bead.score, 4),
                "type": bead.kind,
                "level": bead.level,
                "block": bead.block,
                "block_type": block.kind if block is not None else None,
                "hi_blocks": list(block.hi) if block is not None else [],
                "en_blocks": list(block.en) if block is not None else [],
            }
        )
    return records


TSV_COLUMNS = ("hi", "en", "score", "type", "block", "hi_text", "en_text")


def write_records(records: Sequence[dict], handle, fmt: str = "jsonl") -> None:
    if fmt == "jsonl":
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    handle.write("\t".join(TSV_COLUMNS) + "\n")
    for r in records:
        row = [
            ",".join(map(str, r["hi"])),
            ",".join(map(str, r["en"])),
            f"{r['score']:.4f}",
            r["type"],
            "" if r["block"] is None else str(r["block"]),
            _tsv_cell(r["hi_text"]),
            _tsv_cell(r["en_text"]),
        ]
        handle.write("\t".join(row) + "\n")


def _tsv_cell(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


@dataclass
class BeadFile:
    """The beads of a JSONL file grouped by document, with the line each bead came from."""

    path: str
    docs: dict[str, list[tuple[list[int], list[int]]]] = field(default_factory=dict)
    lines: dict[str, list[int]] = field(default_factory=dict)

    def check(self, doc: str, n_hi: int, n_en: int) -> None:
        """Every index of `doc` inside [0, n) and used at most once, or an InputError naming the line."""
        where = f" (document {doc!r})" if doc else ""
        for side, limit, position in (("hi", n_hi, 0), ("en", n_en, 1)):
            seen: set[int] = set()
            for bead, line in zip(self.docs[doc], self.lines[doc], strict=True):
                for index in bead[position]:
                    if index >= limit:
                        raise InputError(
                            f"{side} index {index} out of range: "
                            f"the alignment has {limit} {side} sentences{where}",
                            self.path,
                            line,
                        )
                    if index in seen:
                        raise InputError(f"{side} index {index} appears in two beads{where}", self.path, line)
                    seen.add(index)


def read_beads(path: str | os.PathLike[str]) -> BeadFile:
    """Beads of a JSONL file grouped by its optional `doc` field (one document when absent).

    Every line needs `hi` and `en` lists of non-negative integers; anything else is an
    InputError naming the file and line. A file without any bead is an error too.
    """
    beads = BeadFile(os.fspath(path))
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            tsv = "\t" in line
            hint = " (bead files are JSON Lines: write them with `align --format jsonl`)" if tsv else ""
            raise InputError(f"not JSON: {exc.msg}{hint}", beads.path, number) from None
        if not isinstance(record, dict) or "hi" not in record or "en" not in record:
            raise InputError("each line needs 'hi' and 'en' index lists", beads.path, number)
        sides = []
        for side in ("hi", "en"):
            value = record[side]
            if not isinstance(value, list) or not all(
                isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in value
            ):
                raise InputError(f"'{side}' must be a list of non-negative integers", beads.path, number)
            sides.append(value)
        doc = str(record.get("doc", ""))
        beads.docs.setdefault(doc, []).append((sides[0], sides[1]))
        beads.lines.setdefault(doc, []).append(number)
    if not beads.docs:
        raise InputError("no beads: expected one JSON object with 'hi' and 'en' a line", beads.path)
    return beads


def to_beads(pairs: Iterable[tuple[list[int], list[int]]]) -> list[Bead]:
    return [Bead(tuple(h), tuple(e), 1.0) for h, e in pairs]
