"""Many news-sized document pairs aligned in one process: sentences per second against Gale-Church.

    flock /work/bench.lock python eval/bench_align_pairs.py [--pairs 100] [--out eval/results/align_pairs.md]

Pairs of about 14 sentences are cut from newsdev2014 (../shared/data/hi-en; real news,
consecutive sentences) with the joins, deletions and paragraph changes of eval/align_devset.py,
written as plain-text articles (a heading line, blank lines between paragraphs) and listed in a
pairs TSV. Measured in the same run, on the same files:
- in this process, reading and aligning every pair: Gale-Church (length only) and translate-kit's
  default (anchors + FreeDict, and the lexicon learned from the pairs in a second pass), each
  the best of --repeat runs, the FreeDict load timed apart;
- a fresh `translate-kit align --pairs` process for the whole list (start-up, imports and the
  cached FreeDict included), the number a user sees.
Wall-clock and CPU seconds are both given: on a shared machine the wall clock also counts the
time other jobs hold the cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from align_devset import DEFAULT_DATA, build_dev_set  # noqa: E402

from translate_kit.align import Aligner, gale_church_params, read_pair  # noqa: E402
from translate_kit.align.features import AnchorSource  # noqa: E402
from translate_kit.align.lexicon import load_freedict  # noqa: E402

CLI = str(Path(sys.executable).parent / "translate-kit")


def article(lines: list[str]) -> str:
    """Presplit lines as a plain-text article: sentences of a paragraph joined on one line."""
    paragraphs, current = [], []
    for line in [*lines, ""]:
        if line.startswith("# "):
            paragraphs.append(line[2:])
        elif line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return "\n\n".join(paragraphs) + "\n"


def write_pairs(folder: Path, count: int, data: Path) -> tuple[Path, int]:
    docs, seed = [], 13
    while len(docs) < count:
        docs += [d for d in build_dev_set(data, seed, doc_size=(14, 14)) if d.name.startswith("newsdev")]
        seed += 1
    rows, sentences = [], 0
    for k, doc in enumerate(docs[:count]):
        (folder / f"{k}.hi.txt").write_text(article(doc.hi_lines), encoding="utf-8")
        (folder / f"{k}.en.txt").write_text(article(doc.en_lines), encoding="utf-8")
        rows.append(f"{k}.hi.txt\t{k}.en.txt\tdoc-{k}")
        sentences += sum(1 for line in doc.hi_lines if line) + sum(1 for line in doc.en_lines if line)
    tsv = folder / "pairs.tsv"
    tsv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return tsv, sentences


def time_in_process(aligner: Aligner, jobs: list[tuple[Path, Path]], repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds of reading and aligning every pair."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        aligner.align_many([read_pair(hi, en) for hi, en in jobs])
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tsv, sentences = write_pairs(folder, args.pairs, args.data)
        jobs = [(folder / f"{k}.hi.txt", folder / f"{k}.en.txt") for k in range(args.pairs)]
        started = time.perf_counter()
        lexicon = load_freedict()
        load_seconds = time.perf_counter() - started
        systems = {
            "Gale-Church (length), in process": Aligner(
                sources=[], params=gale_church_params(), block_params=gale_church_params()
            ),
            "translate-kit anchors + FreeDict, in process": Aligner(sources=[AnchorSource(), lexicon]),
            "translate-kit anchors + FreeDict + learned (2 passes), in process": Aligner(
                sources=[AnchorSource(), lexicon], learn=True
            ),
        }
        rows = []
        for name, aligner in systems.items():
            wall, cpu = time_in_process(aligner, jobs, args.repeat)
            rows.append({"system": name, "seconds": wall, "CPU seconds": cpu})
        started, started_cpu = time.perf_counter(), children_cpu()
        subprocess.run(
            [CLI, "align", "--pairs", str(tsv), "-o", str(folder / "out.jsonl")],
            check=True,
            capture_output=True,
        )
        fresh, fresh_cpu = time.perf_counter() - started, children_cpu() - started_cpu
        rows.append(
            {
                "system": "`translate-kit align --pairs` (fresh process)",
                "seconds": fresh,
                "CPU seconds": fresh_cpu,
            }
        )
    table = pd.DataFrame(rows).set_index("system")
    table["s per pair"] = (table["seconds"] / args.pairs).round(4)
    table["CPU s per pair"] = (table["CPU seconds"] / args.pairs).round(4)
    table["sentences/s"] = (sentences / table["seconds"]).round(0)
    baseline = table["seconds"].iloc[0]
    table["time x Gale-Church"] = (table["seconds"] / baseline).round(2)
    table["seconds"] = table["seconds"].round(3)
    table["CPU seconds"] = table["CPU seconds"].round(3)
    note = (
        f"{args.pairs} pairs, {sentences} sentences (both sides), about {sentences / args.pairs / 2:.1f} "
        f"a side; best of {args.repeat} in process; FreeDict load (cached inversion) {load_seconds:.3f} s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end; peak RSS of this "
        f"process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, of the CLI "
        f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB."
    )
    print(table.to_markdown())
    print(note)
    if args.out:
        command = "python eval/bench_align_pairs.py " + " ".join(argv if argv is not None else sys.argv[1:])
        args.out.write_text(f"`{command.strip()}`\n\n{table.to_markdown()}\n\n{note}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
