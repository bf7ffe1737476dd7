"""An article as the aligner sees it: blocks (headings, paragraphs), each a list of sentences."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" or "paragraph"
    sentences: tuple[str, ...]


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

    @classmethod
    def flat(cls, sentences: list[str]) -> Article:
        """One paragraph holding all sentences (input without structure)."""
        return cls((Block("paragraph", tuple(sentences)),) if sentences else ())
