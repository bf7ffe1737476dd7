"""Many document pairs aligned in one process: evidence sources (the lexicon) are built once.

Each pair is read and aligned on its own; a pair that cannot be read (a binary file, bad UTF-8,
an unsupported format) gives a result with its one-line error and the rest go on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
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
) -> Iterator[PairResult]:
    """(doc id, Hindi path, English path) -> one PairResult each, in order."""
    for doc, hi_path, en_path in jobs:
        try:
            hi, en = read_pair(hi_path, en_path, presplit, errors)
            yield PairResult(doc, os.fspath(hi_path), os.fspath(en_path), hi, en, aligner.align(hi, en))
        except TranslateKitError as exc:
            yield PairResult(doc, os.fspath(hi_path), os.fspath(en_path), error=str(exc))
