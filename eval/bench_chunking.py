#!/usr/bin/env python3
"""What time-sized engine calls cost: progress and memory checkpoints every second vs one call a window.

`DocumentTranslator` sizes its engine calls by time (`translate.documents.CHUNK_SECONDS`): the first
call takes `FIRST_CHUNK` sentences, later ones as many as the measured rate translates in about a
second, so progress moves and the translation memory is written every second or so. Before, each
window's new sentences went to the engine in one call (up to `DEFAULT_CHUNK`), so a 40-sentence
article showed 0% until it was done and a kill lost up to a window of work.

The Hindi side of newsdev2014 is cut into short plain-text documents and translated by a random-weight
model with the exact dist-200M shape, outputs pinned to one length so every run decodes the same
tokens. In one process, after an untimed warm-up, the two ways alternate `--repeat` times; the script
prints the median time of each, their ratio, and how often progress moved (engine calls) in each.

    flock /work/bench.lock python eval/bench_chunking.py [--repeat 3] [--record]
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "hi-en"
RESULTS = ROOT / "eval" / "results" / "bench_chunking.md"


def run(engine, options, texts: list[str], chunk_seconds: float | None) -> tuple[float, int, list[str]]:
    """(seconds, engine calls, outputs) of one job; chunk_seconds None: one call per window."""
    from translate_kit.documents import parse_document, write_document
    from translate_kit.translate import DEFAULT_CHUNK, DocumentTranslator
    from translate_kit.translate import documents as documents_module

    calls = []
    saved = documents_module.CHUNK_SECONDS, documents_module.FIRST_CHUNK
    if chunk_seconds is None:  # the old way: the whole window in one call
        documents_module.CHUNK_SECONDS, documents_module.FIRST_CHUNK = 1e9, DEFAULT_CHUNK
    else:
        documents_module.CHUNK_SECONDS = chunk_seconds
    try:
        translator = DocumentTranslator(engine, options, progress=calls.append)
        started = time.perf_counter()
        plans = [translator.plan(parse_document(t, f"doc{i}.txt", "text")) for i, t in enumerate(texts)]
        outputs = [write_document(r.document, r.rendered) for r in translator.translate(plans)]
        return time.perf_counter() - started, len(calls), outputs
    finally:
        documents_module.CHUNK_SECONDS, documents_module.FIRST_CHUNK = saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=520, help="newsdev2014 lines to use")
    parser.add_argument("--lines-per-doc", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--length", type=int, default=24, help="pinned output length in pieces")
    parser.add_argument("--record", action="store_true", help=f"write {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args()

    from translate_kit.bench.environment import machine
    from translate_kit.bench.synthetic import ensure_synthetic_model
    from translate_kit.engine import DecodeOptions, Translator
    from translate_kit.translate.documents import CHUNK_SECONDS

    model = ensure_synthetic_model("dist-200M", "indic-en", DATA)
    lines = (DATA / "newsdev2014.hi").read_text(encoding="utf-8").splitlines()[: args.limit]
    step = args.lines_per_doc
    texts = ["\n".join(lines[i : i + step]) + "\n" for i in range(0, len(lines), step)]
    engine = Translator.load(model)
    options = DecodeOptions(beam_size=1, min_decoding_length=args.length, max_decoding_length=args.length,
                            decode_ratio=None)
    engine.translate(lines[:8], options)  # warm-up, untimed
    times: dict[str, list[float]] = {"window": [], "timed": []}
    calls: dict[str, int] = {}
    outputs: dict[str, list[str]] = {}
    for _ in range(args.repeat):
        for name, seconds in (("window", None), ("timed", CHUNK_SECONDS)):
            took, count, out = run(engine, options, texts, seconds)
            times[name].append(took)
            calls[name], outputs[name] = count, out
    assert outputs["window"] == outputs["timed"], "the two ways must translate identically"
    median = {name: statistics.median(values) for name, values in times.items()}
    env = machine()
    report = "\n".join([
        f"Command: `{shlex.join(['python', *sys.argv])}` (under `flock /work/bench.lock`)",
        "",
        f"- data: newsdev2014.hi first {len(lines)} lines, {len(texts)} documents; model {model} "
        f"(int8, beam 1, output pinned to {args.length} pieces), inter {engine.inter_threads} x intra "
        f"{engine.intra_threads}; machine: {env['cpu']}, {env['usable_cores']} usable cores, "
        f"load average {env['load_average']}",
        "",
        "| engine calls | median seconds | all runs | progress updates |",
        "|---|---:|---|---:|",
        f"| one per window (before) | {median['window']:.2f} | "
        f"{', '.join(f'{t:.2f}' for t in times['window'])} | {calls['window']} |",
        f"| about {CHUNK_SECONDS:g} s each (now) | {median['timed']:.2f} | "
        f"{', '.join(f'{t:.2f}' for t in times['timed'])} | {calls['timed']} |",
        "",
        f"time-sized / one per window: {median['timed'] / median['window']:.2f}x the time; outputs identical",
    ])
    print(report)
    if args.record:
        RESULTS.write_text("# Engine calls sized by time\n\n" + report + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
