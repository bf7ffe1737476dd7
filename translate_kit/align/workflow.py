"""Aligning article pairs and pairing crawled documents, as every front door calls them.

`translate_kit.api` re-exports these names: options go in as plain data, records and counts come
out, nothing is printed. `AlignOptions.aligner()` is the one place that turns the options of
`align` and `corpus build` into an `Aligner` (evidence sources, bead types, blocks, learning).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import OptionError
from .aligner import Aligner, select_beads
from .article import article_from_document, check_pair, parse_presplit
from .batch import align_pairs
from .beads import parse_inventory
from .output import bead_records, block_records, records_at
from .pairing import DocumentPairer, PairingSettings
from .pairing_io import read_heap, write_pairs
from .sources import make_sources


@dataclass(frozen=True)
class AlignOptions:
    """How article pairs are read and aligned; the defaults are `translate-kit align`'s."""

    level: str = "sentence"  # records: "sentence" beads, "block" pairs, or "both"
    min_score: float = 0.0  # leave out sentence beads scored below this
    high_precision: bool = False  # only confident 1-1, 2-1 and 1-2 beads
    presplit: bool = False  # inputs are one sentence a line, blank line between paragraphs
    errors: str = "strict"
    lexicon: str | None = None  # extra Hindi<TAB>English word lexicon
    freedict: bool = True  # use the installed dict-freedict-eng-hin
    model: str | None = None  # add MT similarity with this translation model
    beads: str = "1-1,1-0,0-1,2-1,1-2,2-2"  # sentence bead types allowed
    blocks: bool = True  # align headings and paragraphs first
    learn: bool = True  # learn a lexicon from the confident beads of all pairs

    def aligner(self) -> Aligner:
        """The Aligner these options describe (evidence sources are loaded now, once).

        A bead list that does not parse raises OptionError naming --beads."""
        try:
            inventory = parse_inventory(self.beads)
        except ValueError as exc:
            raise OptionError(str(exc), option="--beads") from None
        sources = make_sources(lexicon=self.lexicon, freedict=self.freedict, model=self.model)
        return Aligner(sources=sources, inventory=inventory, use_blocks=self.blocks, learn=self.learn)


@dataclass
class AlignedPair:
    """One article pair: its records (or the one-line error that kept it from being read)."""

    hi_path: str
    en_path: str
    records: list[dict] = field(default_factory=list)
    error: str = ""
    hi_sentences: int = 0
    en_sentences: int = 0
    doc: str = ""  # the pair's document id: the third item of its tuple, else its position
    warnings: list[str] = field(default_factory=list)  # a side with no text or in the wrong script


def align_documents(
    pairs: Sequence[tuple[str, str] | tuple[str, str, str]], options: AlignOptions = AlignOptions()
) -> tuple[list[AlignedPair], list[str]]:
    """Align each (Hindi path, English path[, doc id]) pair in one process (evidence sources built
    once); returns one AlignedPair each, in order, and the evidence the aligner used.

    A pair given the wrong way round (English first, Hindi second) is refused with a
    TranslateKitError; a side with no text or in the wrong script gives a warning.
    """
    aligner = options.aligner()
    jobs = [(pair[2] if len(pair) > 2 else str(i), pair[0], pair[1]) for i, pair in enumerate(pairs)]
    aligned = []
    for result in align_pairs(jobs, aligner, options.presplit, options.errors):
        pair = AlignedPair(result.hi_path, result.en_path, error=result.error, doc=result.doc)
        if not result.error:
            pair.warnings = check_pair(result.hi, result.en, result.hi_path, result.en_path)
            alignment = result.alignment
            alignment.beads = select_beads(alignment.beads, options.min_score, options.high_precision)
            pair.records = records_at(options.level, alignment, result.hi, result.en)
            pair.hi_sentences, pair.en_sentences = len(result.hi.sentences), len(result.en.sentences)
        aligned.append(pair)
    return aligned, list(aligner.backends)


def align_texts(
    hi_text: str, en_text: str, hi_format: str = "text", en_format: str = "text", presplit: bool = False
) -> dict[str, Any]:
    """Align a Hindi article with its English version held in memory, as `translate-kit align`
    aligns their files (the same default aligner): the block pairs (each with the indices of its
    sentence beads), the sentence beads, the sentence counts, the evidence used and warnings."""
    from ..documents import parse_document
    from ..languages import ENGLISH, HINDI

    def article(text: str, fmt: str, lang: str, name: str):
        if presplit and fmt == "text":
            return parse_presplit(text.split("\n"))
        return article_from_document(parse_document(text, name, fmt), lang, presplit)

    hi, en = article(hi_text, hi_format, HINDI, "hi"), article(en_text, en_format, ENGLISH, "en")
    warnings = check_pair(hi, en, "the Hindi side", "the English side")
    alignment = _default_aligner(presplit).align(hi, en)
    beads = bead_records(alignment, hi, en)
    blocks = block_records(alignment, hi, en)
    for block in blocks:
        block["beads"] = [i for i, bead in enumerate(beads) if bead["block"] == block["block"]]
    return {"blocks": blocks, "beads": beads, "hi_sentences": len(hi.sentences),
            "en_sentences": len(en.sentences), "evidence": list(alignment.backends), "warnings": warnings}


@functools.cache
def _default_aligner(presplit: bool) -> Aligner:
    """`translate-kit align`'s default aligner, made once per process (its lexicon loads in seconds)."""
    return AlignOptions(presplit=presplit).aligner()


@dataclass
class PairingRun:
    """What `pair_documents` found and wrote."""

    pairs_path: Path
    unpaired_path: Path
    hi_documents: int  # documents that took part, per side
    en_documents: int
    pairs: int
    unpaired_hi: int
    unpaired_en: int
    skipped: int  # binary, empty, wrong-script or duplicate documents (listed in the unpaired file)


def pair_documents(
    hi_source: str | os.PathLike[str],
    en_source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    settings: PairingSettings | None = None,
    *,
    freedict: bool = True,
    errors: str = "strict",
    fmt: str | None = None,
) -> PairingRun:
    """Read both heaps (folders or JSON Lines files), pair them by content and write the pairs file
    (`fmt` tsv or jsonl, default from the extension) with the unpaired list beside it."""
    hi, en = read_heap(hi_source, "hi", errors), read_heap(en_source, "en", errors)
    pairer = DocumentPairer.with_freedict(settings) if freedict else DocumentPairer(None, settings)
    result = pairer.pair(hi.documents, en.documents)
    pairs_path, unpaired_path = write_pairs(result, hi, en, output, fmt)
    unpaired = {side: sum(1 for u in result.unpaired if u.side == side) for side in ("hi", "en")}
    return PairingRun(
        pairs_path, unpaired_path, len(hi.documents), len(en.documents), len(result.pairs),
        unpaired["hi"], unpaired["en"], len(hi.skipped) + len(en.skipped),
    )
