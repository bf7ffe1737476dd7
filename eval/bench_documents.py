#!/usr/bin/env python3
"""Document translation throughput: batching across documents, and a rerun served by the memory.

The Hindi side of newsdev2014 (consecutive sentences of real news articles) is cut into many short
plain-text documents (`--lines-per-doc` lines each, one sentence a line). A random-weight model with
the exact IndicTrans2 dist-200M shape and real SentencePiece models (scripts/build_synthetic_model.py)
translates them through the whole document pipeline (planning: sentence splitting and IndicTrans2
preprocessing; translation; reassembly and writing each document to a string), with every output
pinned to the same length (min = max decoding length, by default the mean length of the English
references in target pieces), so all runs decode exactly the same number of tokens. In one process,
after one untimed warm-up batch, it measures:

1. document by document: each document's sentences in their own engine call (window of one
   document), no memory;
2. batched across documents: sentences of many documents gathered into windows of
   `--window` sentences (the default), with a fresh translation memory being filled;
3. the same job again, served by the memory filled in run 2.

and prints (a) run 1 / run 2 time: the gain of cross-document batching (run 2 also pays for its
memory writes, so the ratio is conservative), and (b) run 2 / run 3 time: the gain of the memory on
a rerun (target >= 20x); it checks that run 3's documents equal run 2's. `--also-windows 64,256`
adds batched runs with other window sizes (no memory), to choose the default.

    flock /tmp/translate-kit-heavy.lock python eval/bench_documents.py --record
"""

from __future__ import annotations

import argparse
import hashlib
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "hi-en"
RESULTS = ROOT / "eval" / "results" / "bench_documents.md"


def documents(lines: list[str], per_doc: int) -> list[str]:
    """Consecutive lines grouped into plain-text documents, one sentence per line."""
    return ["\n".join(lines[i : i + per_doc]) + "\n" for i in range(0, len(lines), per_doc)]


def mean_reference_pieces(model, references: list[str]) -> int:
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_file=str(model.spm_tgt))
    return round(statistics.mean(len(processor.encode(line)) for line in references))


def timed_run(engine, options, texts: list[str], *, window: int, memory_path: Path | None):
    """Plan, translate and write every document; returns (seconds, stats, outputs)."""
    from translate_kit.documents import parse_document, write_document
    from translate_kit.memory import TranslationMemory
    from translate_kit.translate import DocumentTranslator

    memory = TranslationMemory(memory_path) if memory_path else None
    try:
        translator = DocumentTranslator(engine, options, memory=memory, window_sentences=window)
        started = time.perf_counter()
        plans = [translator.plan(parse_document(text, f"doc{i}.txt", "text")) for i, text in enumerate(texts)]
        outputs = [write_document(r.document, r.rendered) for r in translator.translate(plans)]
        seconds = time.perf_counter() - started
    finally:
        if memory:
            memory.close()
    return seconds, translator.stats, outputs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path,
                        help="model folder (default: the synthetic dist-200M model, built on first use)")
    parser.add_argument("--lines-per-doc", type=int, default=4)
    parser.add_argument("--limit", type=int, default=520, help="newsdev2014 lines to use")
    parser.add_argument("--beam", type=int, default=1)
    parser.add_argument("--length", type=int, help="pinned output length (default: mean reference pieces)")
    parser.add_argument("--window", type=int, help="sentences per window (default: pipeline's)")
    parser.add_argument("--also-windows", default="", help="comma-separated window sizes to compare too")
    parser.add_argument("--threads", type=int, help="CPU threads (default: all usable cores)")
    parser.add_argument("--record", action="store_true", help=f"write {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args()

    from translate_kit.bench.environment import library_versions, machine
    from translate_kit.bench.synthetic import ensure_synthetic_model

    if args.model is None:
        args.model = ensure_synthetic_model("dist-200M", "indic-en", DATA)
    from translate_kit.engine import DecodeOptions, Translator
    from translate_kit.translate import DEFAULT_WINDOW

    source = DATA / "newsdev2014.hi"
    lines = source.read_text(encoding="utf-8").splitlines()[: args.limit]
    references = (DATA / "newsdev2014.en").read_text(encoding="utf-8").splitlines()[: args.limit]
    texts = documents(lines, args.lines_per_doc)
    engine = Translator.load(args.model, threads=args.threads)
    length = args.length or mean_reference_pieces(engine.model, references)
    options = DecodeOptions(beam_size=args.beam, min_decoding_length=length, max_decoding_length=length,
                            decode_ratio=None)
    window = args.window or DEFAULT_WINDOW
    engine.translate(lines[:8], options)  # warm-up, untimed

    with tempfile.TemporaryDirectory() as tmp:
        memory = Path(tmp) / "memory.sqlite3"
        one_by_one, stats1, _ = timed_run(engine, options, texts, window=1, memory_path=None)
        batched, stats2, first = timed_run(engine, options, texts, window=window, memory_path=memory)
        cached, stats3, second = timed_run(engine, options, texts, window=window, memory_path=memory)
        others = [(size, *timed_run(engine, options, texts, window=size, memory_path=None)[:2])
                  for size in map(int, filter(None, args.also_windows.split(",")))]
    assert second == first, "documents served by the memory differ from the first run"
    assert stats3.translated == 0 and stats3.cached == stats2.translated

    env = machine()
    versions = library_versions()
    sentences = stats2.sentences
    rows = [
        ("1. document by document (no memory)", one_by_one, stats1),
        (f"2. batched across documents, window {window} (filling the memory)", batched, stats2),
        ("3. same job again, from the memory", cached, stats3),
        *((f"batched, window {size} (no memory)", secs, st) for size, secs, st in others),
    ]
    table = ["| run | seconds | sentences/s | translated | from memory |", "|---|---:|---:|---:|---:|"]
    table += [f"| {name} | {secs:.2f} | {sentences / secs:.1f} | {st.translated} | {st.cached} |"
              for name, secs, st in rows]
    report = "\n".join([
        f"Command: `{shlex.join(['python', *sys.argv])}` (under `flock /tmp/translate-kit-heavy.lock`)",
        "",
        f"- data: {source.name} first {len(lines)} lines (sha256 "
        f"{hashlib.sha256(source.read_bytes()).hexdigest()[:16]}), {len(texts)} documents of "
        f"{args.lines_per_doc} lines, {sentences} sentences",
        f"- model: {args.model} (fingerprint {engine.fingerprint}), int8, beam {args.beam}, "
        f"output pinned to {length} pieces, inter_threads {engine.inter_threads} x intra_threads "
        f"{engine.intra_threads}",
        f"- machine: {env['cpu']}, {env['usable_cores']} usable cores, load average {env['load_average']}",
        f"- software: python {versions.get('python')}, ctranslate2 {versions.get('ctranslate2')}, "
        f"sentencepiece {versions.get('sentencepiece')}",
        "",
        *table,
        "",
        f"(a) cross-document batching: {one_by_one / batched:.2f}x faster than document by document",
        f"(b) rerun from the translation memory: {batched / cached:.1f}x faster than the first run "
        f"(target >= 20x)",
    ])
    print(report)
    if args.record:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        title = "# Document pipeline: cross-document batching and translation memory"
        RESULTS.write_text(f"{title}\n\n{report}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
