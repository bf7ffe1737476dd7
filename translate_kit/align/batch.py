"""Many document pairs aligned in one process: evidence sources (FreeDict) are built once, and a
lexicon learned from all pairs' confident beads serves every pair (with `Aligner.learn`).

A pair that cannot be read (a binary file, bad UTF-8, an unsupported format) gives a result
with its one-line error and the rest go on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import TranslateKitError
from .aligner import Aligner, Alignment
from .article import Article, read_pair


@dataclass
class PairResult:
    doc: str
    hi_path: str
    en_path: str
    hi: Article | None = None
    en: Article | None = None
    alignment: Alignment | None = None
    error: str = ""


def align_pairs(
    jobs: Iterable[tuple[str, str | os.PathLike[str], str | os.PathLike[str]]],
    aligner: Aligner,
    presplit: bool = False,
    errors: str = "strict",
) -> list[PairResult]:
    """(doc id, Hindi path, English path) -> one PairResult each, in order.

    All readable pairs are aligned together (`Aligner.align_many`), so a lexicon learned from
    the confident beads of every pair helps every pair.
    """
    results = []
    for doc, hi_path, en_path in jobs:
        result = PairResult(doc, os.fspath(hi_path), os.fspath(en_path))
        try:
            result.hi, result.en = read_pair(hi_path, en_path, presplit, errors)
        except TranslateKitError as exc:
            result.error = str(exc)
        results.append(result)
    readable = [r for r in results if not r.error]
    for result, alignment in zip(readable, aligner.align_many([(r.hi, r.en) for r in readable]), strict=True):
        result.alignment = alignment
    return results
