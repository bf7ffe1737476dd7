"""A translated document as a reader sees it: each block's source and translation side by side,
with the sentence pairs inside it (what the web page, the service's JSON answers and any other
door that shows a translation need, built once here from the plan and the result).

Inline markup (links, emphasis) is cut out of block text as tokens whose inner text is translated
on its own; a view shows each token as that text on both sides, so the sentences of a block pair
one for one. Properties (front-matter fields, readable HTML attributes) come first, as they are
read first: they sit at the top of the file.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from ..documents import Block, BlockKind
from ..documents.model import TOKEN_PATTERN
from .documents import SentenceResult, TranslatedDocument
from .plan import DocumentPlan


@dataclass
class SentencePair:
    """One sentence of a block: its source and translation as plain text, score, memory hit, lost
    values, and what the pair judge holds against the translation (checks.flags)."""

    source: str
    translation: str
    score: float
    cached: bool
    dropped: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BlockPair:
    """One block (or property) side by side; `translated` False for a block kept as it was."""

    id: str
    kind: str
    source: str
    translation: str
    translated: bool
    sentences: list[SentencePair] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "sentences": [s.to_dict() for s in self.sentences]}


def block_pairs(plan: DocumentPlan | None, result: TranslatedDocument) -> list[BlockPair]:
    """Every property and block of the document, in reading order, with its sentence pairs
    (`plan` None: nothing was translated, each block is shown as its source)."""
    main, inner = _sentences_by_block(plan, result) if plan is not None else ({}, {})
    doc = result.document
    pairs = []
    for block in doc.properties + doc.blocks:
        if block.kind == BlockKind.LANGUAGE:
            continue
        sentences = [_pair(s, block, inner.get(block.id, {})) for s in main.get(block.id, [])]
        source = " ".join(block.plain_text().split())
        translation = " ".join(s.translation for s in sentences) if sentences else source
        pairs.append(BlockPair(block.id, block.kind, source, translation, bool(sentences), sentences))
    return pairs


def _sentences_by_block(
    plan: DocumentPlan, result: TranslatedDocument
) -> tuple[dict[str, list[SentenceResult]], dict[str, dict[str, str]]]:
    """Per block id, the sentences of its own text, and the translations of its span tokens' inner texts."""
    inner: dict[str, dict[str, str]] = {}
    main: dict[str, list[SentenceResult]] = {}
    for block_id, details in result.sentences.items():
        remaining = iter(details)
        for unit in (u for u in plan.units if u.block.id == block_id):
            taken = [next(remaining) for _ in unit.sentences]
            if unit.key:
                inner.setdefault(block_id, {})[unit.key] = " ".join(s.translation for s in taken)
            else:
                main[block_id] = taken
    return main, inner


def _pair(sentence: SentenceResult, block: Block, translated_inner: dict[str, str]) -> SentencePair:
    return SentencePair(
        _shown(sentence.source, block, {}),
        _shown(sentence.translation, block, translated_inner),
        round(sentence.score, 4),
        sentence.cached,
        list(sentence.dropped),
        list(sentence.flags),
        sentence.confidence,
    )


def _shown(text: str, block: Block, inner: dict[str, str]) -> str:
    """Text with each span token shown as its (translated) inner text, or its markup when it has none."""

    def token(match: re.Match[str]) -> str:
        span = block.spans.get(match.group(0))
        if span is None:
            return match.group(0)
        return inner.get(match.group(0), span.text) if span.text else span.open

    return " ".join(TOKEN_PATTERN.sub(token, text).split())
