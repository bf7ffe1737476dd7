"""Documents -> sentences: what of a document the engine must translate, prepared and keyed.

`plan_document` cuts every translatable block of a Document (and the inner text of its protected
spans) into sentences with `translate_kit.segment.sentence_spans` and has the engine prepare each
sentence that needs translating, keyed for the translation memory. The language decision
(`languages.needs_translation`) is asked of each unit (a block's text, a span's inner text) and of
each sentence in it: a unit in the target language (or without letters) is kept whole, and so is
a sentence in the target language inside a unit that needs translating.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..documents import Block, Document
from ..documents.model import TOKEN_PATTERN
from ..families import Prepared
from ..languages import needs_translation
from ..memory import sentence_key
from ..segment import sentence_spans

_TOKEN_TOUCHING_WORD = re.compile(r"(?<=\w)(⟦\d+⟧)|(⟦\d+⟧)(?=\w)")

HARD_NEWLINE_FORMATS = frozenset({"text", "jsonl", "tsv", "csv"})
"""Formats whose line breaks are meant: no sentence runs over one, so every newline survives.
In Markdown and HTML a line break inside a paragraph is a space, and a sentence may run over it."""


class Preparer(Protocol):
    """The engine's preparation step (translate_kit.engine.Translator.prepare)."""

    def prepare(
        self, sentences: Sequence[str], glossary: Mapping[str, str] | None = None
    ) -> list[Prepared]: ...


@dataclass
class Sentence:
    """One sentence occurrence: where it sits in its unit, and its key (None: copied unchanged)."""

    start: int
    end: int
    source: str
    key: str | None
    prepared: Prepared | None = None


@dataclass
class Unit:
    """A block's text ("" key) or a span's inner text (token key), with its sentences."""

    block: Block
    key: str
    text: str
    sentences: list[Sentence]


@dataclass
class DocumentPlan:
    document: Document
    units: list[Unit]
    kept_blocks: int

    @property
    def sentence_count(self) -> int:
        return sum(len(unit.sentences) for unit in self.units)


def engine_text(sentence: str) -> str:
    """What the model sees: one line, and span tokens set apart so they match as whole words."""
    text = " ".join(sentence.split())
    return _TOKEN_TOUCHING_WORD.sub(lambda m: f" {m.group(1) or m.group(2)} ", text)


def close_up_tokens(source: str, translation: str) -> str:
    """Span tokens that touch the text beside them in the source touch it in the translation too.

    The model sees tokens set apart by spaces (`engine_text`) and its tokenisers split them off
    punctuation, so a translation has spaces around them; where the source had none ("भारत</b>",
    "word<br>next"), they are closed up again, so markup keeps hugging the words it hugged.
    """
    for match in TOKEN_PATTERN.finditer(source):
        token = re.escape(match.group(0))
        if match.start() > 0 and not source[match.start() - 1].isspace():
            translation = re.sub(rf"\s+(?={token})", "", translation)
        if match.end() < len(source) and not source[match.end()].isspace():
            translation = re.sub(rf"(?<={token})\s+", "", translation)
    return translation


def split_sentences(text: str, lang: str, hard_newlines: bool) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`; with `hard_newlines` no sentence runs over a line break."""
    if not hard_newlines:
        return sentence_spans(text, lang)
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        spans.extend((offset + a, offset + b) for a, b in sentence_spans(line, lang))
        offset += len(line) + 1
    return spans


def plan_document(
    doc: Document,
    engine: Preparer,
    src: str,
    tgt: str,
    context: str,
    glossary: Mapping[str, str] | None = None,
) -> DocumentPlan:
    """Sentences of every block that needs translating, each prepared by `engine` and keyed for the memory."""
    units: list[Unit] = []
    kept = 0
    hard_newlines = doc.format in HARD_NEWLINE_FORMATS
    seen: dict[str, tuple[str, Prepared]] = {}  # a sentence repeated in the document is prepared once
    for block in doc.translatable():
        todo = [(key, text) for key, text in block.units() if needs_translation(text, src, tgt)]
        if not todo:
            kept += 1  # in the target language already, or without letters: kept whole
            continue
        for key, text in todo:
            sentences = []
            for start, end in split_sentences(text, src, hard_newlines):
                source = text[start:end]
                if not needs_translation(TOKEN_PATTERN.sub(" ", source), src, tgt):
                    sentences.append(Sentence(start, end, source, None))
                    continue
                if source not in seen:
                    tokens = {m.group(0): m.group(0) for m in TOKEN_PATTERN.finditer(source)}
                    [prepared] = engine.prepare([engine_text(source)], {**(glossary or {}), **tokens})
                    seen[source] = (sentence_key(context, prepared.text, prepared.placeholders), prepared)
                sentences.append(Sentence(start, end, source, *seen[source]))
            units.append(Unit(block, key, text, sentences))
    return DocumentPlan(doc, units, kept)
