"""`corpus clean`: a corpus file streamed through the judge and the deduplicator.

Pairs are read one at a time and written as they are judged, so memory holds the deduplicator's
digests and the report's counts, never the corpus. Outputs (the kept corpus, the rejected pairs
with their reasons, the report) are written atomically: they appear complete or not at all.

Before judging, a lexicon is learned from the first `learn_pairs` pairs of the input itself
(translate_kit.align.lexicon.learn_lexicon, hunalign's bootstrapped dictionary): FreeDict alone
accounts for too few words of news and health text to see misaligned pairs, and misaligned or
copied pairs are too few and too varied to teach it wrong translations (a pair must co-occur twice).
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..align.lexicon import LexiconSource, freedict_available, learn_lexicon, load_freedict
from ..errors import OptionError
from ..textio import atomic_write
from .dedup import MODES, Deduper
from .evidence import Evidence
from .judge import DEFAULT_MIN_SCORE, REASONS, Judge, JudgeSettings
from .pairs import FORMATS, PairWriter, detect_format, read_pairs

DUPLICATE = "duplicate"
HISTOGRAM_BINS = 10
EXAMPLES = 3


@dataclass(frozen=True)
class CleanOptions:
    """How `clean_corpus` judges; the defaults are `translate-kit corpus clean`'s."""

    min_score: float = DEFAULT_MIN_SCORE
    keep_reasons: tuple[str, ...] = ()  # reported, never a cause to reject
    dedup: str = "near"  # dedup.MODES
    minhash: bool = False  # also near duplicates by MinHash over words (datasketch)
    fmt: str | None = None  # pairs.FORMATS; None: from the input's name
    freedict: bool = True
    learn_pairs: int = 50_000  # pairs read first to learn a lexicon from; 0: none

    def check(self) -> None:
        unknown = set(self.keep_reasons) - set(REASONS)
        if unknown:
            raise OptionError(f"unknown reason(s) {', '.join(sorted(unknown))}: use {', '.join(REASONS)}",
                              "--keep-reasons")
        if self.dedup not in MODES:
            raise OptionError(f"dedup must be one of {', '.join(MODES)}", "--dedup")
        if self.fmt is not None and self.fmt not in FORMATS:
            raise OptionError(f"format must be one of {', '.join(FORMATS)}", "--format")


@dataclass
class CleanSummary:
    """What a cleaning run did: counts per reason (a pair counts once per reason it has)."""

    pairs: int = 0
    kept: int = 0
    reasons: Counter = field(default_factory=Counter)
    histogram: list[int] = field(default_factory=lambda: [0] * HISTOGRAM_BINS)
    examples: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    seconds: float = 0.0
    lexicon: str = ""

    @property
    def rejected(self) -> int:
        return self.pairs - self.kept

    def count(self, score: float, reasons: tuple[str, ...], hi: str, en: str) -> None:
        self.pairs += 1
        self.histogram[min(int(score * HISTOGRAM_BINS), HISTOGRAM_BINS - 1)] += 1
        for reason in reasons:
            self.reasons[reason] += 1
            shown = self.examples.setdefault(reason, [])
            if len(shown) < EXAMPLES:
                shown.append((hi, en))


def build_judge(source: str | os.PathLike[str], options: CleanOptions) -> tuple[Judge, str]:
    """The judge for a corpus: FreeDict (if installed and wanted) and a lexicon learned from the
    corpus's first pairs; also says what was learned."""
    lexicons: list[LexiconSource] = [load_freedict()] if options.freedict and freedict_available() else []
    note = ""
    if options.learn_pairs:
        first = itertools.islice(read_pairs(source, options.fmt), options.learn_pairs)
        sample = ((p.hi, p.en) for p in first)
        learned = learn_lexicon(sample)
        if learned.entries:
            lexicons.append(learned)
            note = f"a lexicon of {len(learned.entries)} Hindi words learned from the input"
    settings = JudgeSettings(keep_reasons=frozenset(options.keep_reasons))
    return Judge(Evidence(lexicons), settings), note


def clean_corpus(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    options: CleanOptions = CleanOptions(),
    *,
    rejected: str | os.PathLike[str] | None = None,
    report: str | os.PathLike[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> CleanSummary:
    """Judge and deduplicate the pairs of `source`, write the kept ones to `output` (same format),
    the dropped ones to `rejected` (JSONL: line, hi, en, score, reasons) and the report to `report`
    (Markdown, with a score histogram PNG beside it). `progress(pairs)` is called every 10,000 pairs."""
    options.check()
    fmt = options.fmt or detect_format(source)
    if Path(output).resolve() == Path(source).resolve():
        raise OptionError("the output must not be the input", "-o")
    started = time.perf_counter()
    judge, note = build_judge(source, options)
    deduper = Deduper(options.dedup, options.minhash)
    summary = CleanSummary(lexicon=note)
    with PairWriter(output, fmt) as kept, _rejected_writer(rejected) as dropped:
        for pair in read_pairs(source, fmt):
            verdict = judge.judge(pair.hi, pair.en)
            reasons = verdict.reasons
            keep = verdict.kept(options.min_score)
            if keep and deduper.seen(pair.hi, pair.en):
                keep, reasons = False, (*reasons, DUPLICATE)
            summary.count(verdict.score, reasons, pair.hi, pair.en)
            if keep:
                summary.kept += 1
                kept.write(pair)
            else:
                dropped({"line": pair.line, "hi": pair.hi, "en": pair.en, "score": verdict.score,
                         "reasons": list(reasons) or ["low score"]})
            if progress and summary.pairs % 10_000 == 0:
                progress(summary.pairs)
    summary.seconds = time.perf_counter() - started
    if report is not None:
        write_report(summary, report, options)
    return summary


class _rejected_writer:  # noqa: N801 - used as a context manager, like open()
    """A JSONL writer for rejected pairs (atomic), or one that drops them when no path is given."""

    def __init__(self, path: str | os.PathLike[str] | None):
        self._context = atomic_write(path) if path is not None else None

    def __enter__(self) -> Callable[[dict], None]:
        if self._context is None:
            return lambda record: None
        handle = self._context.__enter__()
        return lambda record: handle.write(json.dumps(record, ensure_ascii=False) + "\n")

    def __exit__(self, *exc: object) -> None:
        if self._context is not None:
            self._context.__exit__(*exc)


def write_report(summary: CleanSummary, path: str | os.PathLike[str], options: CleanOptions) -> None:
    """Markdown: totals, pairs per reason, the score histogram (also as PNG beside it), examples."""
    import pandas as pd

    reasons = pd.DataFrame(
        [(r, n, round(n / max(summary.pairs, 1), 4)) for r, n in summary.reasons.most_common()],
        columns=["reason", "pairs", "share"],
    )
    edges = [i / HISTOGRAM_BINS for i in range(HISTOGRAM_BINS + 1)]
    histogram = pd.DataFrame({"score from": edges[:-1], "score to": edges[1:], "pairs": summary.histogram})
    rate = summary.pairs / summary.seconds if summary.seconds else 0.0
    lines = [
        "# Corpus cleaning report\n",
        f"{summary.pairs} pairs read, {summary.kept} kept, {summary.rejected} rejected "
        f"({summary.seconds:.1f} s, {rate:.0f} pairs/s). Minimum score {options.min_score}; "
        f"dedup {options.dedup}{' + MinHash' if options.minhash else ''}"
        + (f"; never rejected for: {', '.join(options.keep_reasons)}" if options.keep_reasons else "")
        + (f"; {summary.lexicon}" if summary.lexicon else "") + ".\n",
        "## Pairs per reason (a pair may have several)\n",
        reasons.to_markdown(index=False) if len(reasons) else "No pair had a reason against it.",
        "",
        "## Scores\n",
        histogram.to_markdown(index=False),
        "",
    ]
    plot = _plot_histogram(summary, Path(path).with_suffix(".png"))
    if plot:
        lines += [f"![score histogram]({plot.name})", ""]
    lines.append("## Examples per reason\n")
    for reason, shown in summary.examples.items():
        lines.append(f"### {reason}\n")
        lines += [f"- `{hi[:160]}` ↔ `{en[:160]}`" for hi, en in shown]
        lines.append("")
    with atomic_write(path) as handle:
        handle.write("\n".join(lines) + "\n")


def _plot_histogram(summary: CleanSummary, path: Path) -> Path | None:
    """The score histogram as a PNG, when matplotlib is installed (None otherwise)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    figure, axes = plt.subplots(figsize=(6, 3))
    axes.bar([i / HISTOGRAM_BINS for i in range(HISTOGRAM_BINS)], summary.histogram, width=0.09, align="edge")
    axes.set_xlabel("judge score")
    axes.set_ylabel("pairs")
    axes.set_title(f"{summary.pairs} pairs, {summary.kept} kept")
    figure.tight_layout()
    with atomic_write(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=100)
    plt.close(figure)
    return path
