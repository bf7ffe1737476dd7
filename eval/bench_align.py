"""Alignment time against document length: must grow near-linearly (doubling costs <= 2.3x).

Documents of 1k, 2k, 4k and 8k sentences (and one of 20k for memory) are made by concatenating
the perturbed development documents of eval/align_devset.py (real Hindi-English sentences with
joins, deletions and paragraph changes) until the size is reached; each is aligned hierarchically
(paragraphs, then sentences in a band around the block beads) and flat (one banded pass around
anchors). Times are the best of `--repeat` runs, in this process, on this machine.

    flock /tmp/translate-kit-heavy.lock python eval/bench_align.py [--out eval/results/align_scaling.md]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from align_devset import DEFAULT_DATA, build_dev_set  # noqa: E402

from translate_kit.align import Aligner  # noqa: E402
from translate_kit.align.article import parse_presplit  # noqa: E402
from translate_kit.align.sources import make_sources  # noqa: E402

SIZES = (1000, 2000, 4000, 8000)
LARGE = 20_000


def make_document(size: int, data: Path) -> tuple[list[str], list[str]]:
    """Presplit Hindi and English lines holding `size` Hindi sentences (fresh seeds as needed).

    The development documents are shuffled (seeded) so that every size mixes news and TICO-19
    sentences alike and text length grows with the sentence count.
    """
    hi_lines: list[str] = []
    en_lines: list[str] = []
    count, seed = 0, 100
    while count < size:
        docs = build_dev_set(data, seed)
        random.Random(seed).shuffle(docs)
        for doc in docs:
            hi_lines += [*doc.hi_lines, ""]
            en_lines += [*doc.en_lines, ""]
            count += sum(1 for line in doc.hi_lines if line)
            if count >= size:
                break
        seed += 1
    return hi_lines, en_lines


def time_alignment(aligner: Aligner, hi_lines, en_lines, repeat: int) -> float:
    best = float("inf")
    hi, en = parse_presplit(hi_lines), parse_presplit(en_lines)
    for _ in range(repeat):
        started = time.perf_counter()
        aligner.align(hi, en)
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    sources = make_sources()
    modes = {"hierarchical": Aligner(sources=sources), "flat": Aligner(sources=sources, use_blocks=False)}
    rows = []
    for size in SIZES:
        hi_lines, en_lines = make_document(size, args.data)
        row = {"sentences (hi)": sum(1 for x in hi_lines if x), "characters (hi)": sum(map(len, hi_lines))}
        for name, aligner in modes.items():
            row[f"{name} s"] = round(time_alignment(aligner, hi_lines, en_lines, args.repeat), 3)
        rows.append(row)
        print(row, file=sys.stderr)
    table = pd.DataFrame(rows)
    for name in modes:
        table[f"{name} x (vs half size)"] = (table[f"{name} s"] / table[f"{name} s"].shift(1)).round(2)
    table["characters (hi)"] = table["characters (hi)"].map("{:,}".format)
    hi_lines, en_lines = make_document(LARGE, args.data)
    started = time.perf_counter()
    alignment = modes["flat"].align(parse_presplit(hi_lines), parse_presplit(en_lines))
    large_seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    evidence = ", ".join(modes["flat"].backends)
    note = (
        f"{alignment.n_hi}-sentence document, flat: {large_seconds:.1f} s, {len(alignment.beads)} beads; "
        f"peak RSS of this whole process {peak_mb:.0f} MB. Evidence: {evidence}."
    )
    print(table.to_markdown(index=False))
    print(note)
    worst = table[[c for c in table.columns if c.endswith("(vs half size)")]].max().max()
    print(f"largest doubling ratio: {worst:.2f} (limit 2.3)")
    if args.out:
        command = "python eval/bench_align.py " + " ".join(argv if argv is not None else sys.argv[1:])
        args.out.write_text(
            f"`{command.strip()}`\n\n{table.to_markdown(index=False)}\n\n{note}\n\n"
            f"Largest doubling ratio: {worst:.2f} (limit 2.3).\n",
            encoding="utf-8",
        )
    return 0 if worst <= 2.3 else 1


if __name__ == "__main__":
    sys.exit(main())
