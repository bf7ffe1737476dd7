"""Strict and lax precision, recall and F1 of an alignment against gold (Sennrich & Volk 2011).

Definitions follow vecalign's `score.py`, so numbers are comparable with published ones:
precision counts test beads (insertions and deletions included) that are in gold (strict) or
overlap a gold bead on both sides (lax); recall swaps the roles and ignores 1-0/0-1 beads.
Counts are pooled over documents before the ratios are taken. Gold and test bead files
(JSON Lines with `hi`/`en` index lists, grouped by an optional `doc`) are read here too.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..documents.jsonl import iter_records
from ..errors import InputError
from ..textio import read_lines

Pair = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class Counts:
    strict_hit: int = 0
    strict_miss: int = 0
    lax_hit: int = 0
    lax_miss: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.strict_hit + other.strict_hit,
            self.strict_miss + other.strict_miss,
            self.lax_hit + other.lax_hit,
            self.lax_miss + other.lax_miss,
        )


@dataclass(frozen=True)
class AlignmentScores:
    precision_strict: float
    recall_strict: float
    f1_strict: float
    precision_lax: float
    recall_lax: float
    f1_lax: float

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


def _pairs(beads: Iterable[Sequence[Sequence[int]]]) -> set[Pair]:
    return {(tuple(h), tuple(e)) for h, e in beads if len(h) or len(e)}


def match_counts(reference: Iterable, candidate: Iterable) -> Counts:
    """How many candidate beads are in the reference exactly, and how many overlap one on both sides."""
    reference, candidate = _pairs(reference), _pairs(candidate)
    linked: dict[int, set[int]] = defaultdict(set)
    for hi, en in reference:
        for i in hi:
            linked[i].update(en)
    strict_hit = lax_hit = 0
    for hi, en in candidate:
        if (hi, en) in reference:
            strict_hit += 1
            lax_hit += 1
        elif any(j in linked[i] for i in hi for j in en):
            lax_hit += 1
    total = len(candidate)
    return Counts(strict_hit, total - strict_hit, lax_hit, total - lax_hit)


def _ratio(hit: int, miss: int) -> float:
    return hit / (hit + miss) if hit + miss else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score_alignments(gold_docs: Sequence[Iterable], test_docs: Sequence[Iterable]) -> AlignmentScores:
    """Pooled strict/lax P/R/F1 over documents; each document is a list of (hi, en) index lists."""
    if len(gold_docs) != len(test_docs):
        raise ValueError(f"{len(gold_docs)} gold documents but {len(test_docs)} test documents")
    precision, recall = Counts(), Counts()
    for gold, test in zip(gold_docs, test_docs, strict=True):
        gold, test = list(gold), list(test)
        precision = precision + match_counts(gold, test)
        both_gold = [(h, e) for h, e in gold if len(h) and len(e)]
        both_test = [(h, e) for h, e in test if len(h) and len(e)]
        recall = recall + match_counts(both_test, both_gold)
    ps, rs = (
        _ratio(precision.strict_hit, precision.strict_miss),
        _ratio(recall.strict_hit, recall.strict_miss),
    )
    pl, rl = _ratio(precision.lax_hit, precision.lax_miss), _ratio(recall.lax_hit, recall.lax_miss)
    return AlignmentScores(ps, rs, _f1(ps, rs), pl, rl, _f1(pl, rl))


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


def read_beads(path: str | os.PathLike[str], level: str = "sentence") -> BeadFile:
    """Beads of a JSONL file at `level` grouped by the optional `doc` field (one document when absent).

    Every line needs `hi` and `en` lists of non-negative integers; anything else is an
    InputError naming the file and line. Lines without a `level` field are sentence beads, so
    hand-made gold files need none; `align --level both` output holds both levels. A file
    without any bead at that level is an error too.
    """
    beads = BeadFile(os.fspath(path))
    lines = read_lines(path)
    try:
        records = list(iter_records(lines, beads.path))
    except InputError as exc:
        if exc.line is not None and "\t" in lines[exc.line - 1]:
            hint = "bead files are JSON Lines: write them with `align --format jsonl`"
            message = str(exc).removeprefix(f"{beads.path}:{exc.line}: ")
            raise InputError(f"{message} ({hint})", beads.path, exc.line) from None
        raise
    for number, record in records:
        if "hi" not in record or "en" not in record:
            raise InputError("each line needs 'hi' and 'en' index lists", beads.path, number)
        if record.get("level", "sentence") != level:
            continue
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
        raise InputError(f"no {level} beads: expected one JSON object with 'hi' and 'en' a line", beads.path)
    return beads


def evaluate_bead_files(
    test_file: str | os.PathLike[str], gold_file: str | os.PathLike[str], level: str = "sentence"
) -> AlignmentScores:
    """Scores of the beads of `test_file` against those of `gold_file` at `level` (`align-eval`).

    Both must name the same documents, and each document's gold and test indices must lie within
    the sentences the test alignment covers and be used at most once (InputError otherwise).
    """
    test, gold = read_beads(test_file, level), read_beads(gold_file, level)
    if set(test.docs) != set(gold.docs):
        missing = sorted(set(gold.docs) ^ set(test.docs))[:3]
        raise InputError(f"test and gold name different documents (e.g. {missing})", os.fspath(gold_file))
    for doc, beads in test.docs.items():
        n_hi = 1 + max((i for h, _ in beads for i in h), default=-1)
        n_en = 1 + max((j for _, e in beads for j in e), default=-1)
        test.check(doc, n_hi, n_en)
        gold.check(doc, n_hi, n_en)
    docs = sorted(test.docs)
    return score_alignments([gold.docs[d] for d in docs], [test.docs[d] for d in docs])
