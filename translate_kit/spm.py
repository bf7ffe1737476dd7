"""SentencePiece encoding of prepared sentences into chunks that fit the model, and decoding back.

IndicTrans2 models see at most 256 source positions: the two language tags, the SentencePiece
pieces and the `</s>` the model appends. A longer sentence must be cut, never truncated silently,
so `encode` returns one or more chunks of at most `max_pieces` pieces each, cut where a translator
would cut: after sentence punctuation, else after clause punctuation, else between words; only a
single "word" longer than the limit (a run of 50,000 letters without a space) is cut inside it.
Placeholders (`< ID1 >`) are never cut apart, so a cut cannot lose them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import regex
import sentencepiece

# A placeholder as the tokenisers leave it ("< ID1 >"), else any run of non-space characters.
_UNIT = regex.compile(r"<\s*ID\d+\s*>|\S+")
_SENTENCE_END = frozenset({".", "?", "!", "।", "॥", "|"})
_CLAUSE_END = frozenset({",", ";", ":", "-", ")", "]", '"', "'"})
# Pieces that are control symbols, never text: a model can still emit them (a random or badly
# trained one does), and they must not reach a reader. Language tags are FLORES-200 codes.
_SPECIAL_PIECES = frozenset({"<s>", "</s>", "<pad>", "<unk>", "<mask>"})
_LANGUAGE_TAG = regex.compile(r"[a-z]{3}_[A-Z][a-z]{3}")


def _break_class(unit: str) -> int:
    """How good a place the end of `unit` is to cut: 2 sentence end, 1 clause end, 0 word end."""
    if unit in _SENTENCE_END:
        return 2
    return 1 if unit in _CLAUSE_END else 0


@dataclass
class _Unit:
    pieces: list[str]
    klass: int


def _pack(units: list[_Unit], limit: int) -> list[list[str]]:
    """Greedy packing of units into chunks of at most `limit` pieces, cutting at the best break.

    When the next unit no longer fits, the chunk is cut after the best-class break that keeps the
    chunk at least half full (the latest one of that class), so no chunk is tiny or empty.
    """
    chunks: list[list[str]] = []
    current: list[_Unit] = []

    def size(units_: Sequence[_Unit]) -> int:
        return sum(len(u.pieces) for u in units_)

    for unit in units:
        if len(unit.pieces) > limit:  # one unbreakable unit longer than the limit
            if current:
                chunks.append([p for u in current for p in u.pieces])
                current = []
            chunks.extend(unit.pieces[i:i + limit] for i in range(0, len(unit.pieces), limit))
            continue
        while current and size(current) + len(unit.pieces) > limit:
            cut, best, filled = len(current), -1, 0
            for index, item in enumerate(current, start=1):
                filled += len(item.pieces)
                if filled >= limit // 2 and item.klass >= best:
                    cut, best = index, item.klass
            chunks.append([p for u in current[:cut] for p in u.pieces])
            current = current[cut:]
        current.append(unit)
    if current:
        chunks.append([p for u in current for p in u.pieces])
    return chunks


class SubwordCodec:
    """The source and target SentencePiece models of one IndicTrans2 model."""

    def __init__(self, source_model: str | os.PathLike[str], target_model: str | os.PathLike[str]):
        self.source = sentencepiece.SentencePieceProcessor(model_file=os.fspath(source_model))
        self.target = sentencepiece.SentencePieceProcessor(model_file=os.fspath(target_model))

    def encode(self, text: str, max_pieces: int) -> list[list[str]]:
        """Source pieces of a prepared sentence, as chunks of at most `max_pieces` (none if empty)."""
        if max_pieces < 1:
            raise ValueError("max_pieces must be positive")
        pieces = self.source.encode(text, out_type=str)
        if len(pieces) <= max_pieces:
            return [pieces] if pieces else []
        # SentencePiece encodes whitespace-separated units independently, so encoding the units
        # one by one gives the same pieces, now grouped by where a cut may go.
        units = _UNIT.findall(text)
        encoded = self.source.encode(units, out_type=str, num_threads=1)
        return _pack([_Unit(p, _break_class(u)) for u, p in zip(units, encoded, strict=True)], max_pieces)

    @staticmethod
    def decode(pieces: Sequence[str]) -> str:
        """Target pieces back to text: joined, `▁` becomes a space.

        This is IndicTrans2's own decoding. SentencePiece's `decode_pieces` would do the same for
        known pieces but garbles the text around a token its model does not know (`<unk>`, a
        vocabulary filler), which a model can still emit. Control symbols and language tags are left out.
        """
        text = "".join(p for p in pieces if p not in _SPECIAL_PIECES and not _LANGUAGE_TAG.fullmatch(p))
        return text.replace("▁", " ").strip()
