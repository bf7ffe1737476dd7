#!/usr/bin/env python3
"""Speed and memory of the translation pipeline against raw CTranslate2 calls, measured in one run.

A random-weight model with the exact IndicTrans2 dist-200M shape and real SentencePiece models
(scripts/build_synthetic_model.py) translates the Hindi side of newsdev2014 with every output
pinned to the same length (min = max decoding length, by default the mean length of the English
references in target pieces), so every configuration generates exactly the same number of tokens
and tokens/s compares like with like. It prints:

(a) pipeline / raw: `Translator.translate` (preprocessing, SentencePiece, chunking, batching,
    postprocessing included) against one raw `translate_batch` over the same pre-tokenised input
    with the same settings, at beam 1 and beam 5 (target >= 0.97);
(b) ours / IndicTrans2-style at beam 5: our default settings through the whole pipeline against
    the call IndicTrans2's engine makes (one `translate_batch` over everything, beam 5,
    `batch_type="tokens"`, `max_batch_size=9216`, `max_input_length=160`, CTranslate2's default
    threads): tokens/s ratio and peak-RSS ratio (target >= 2.0x at <= 1/4 of its peak RSS).

Each configuration runs in a fresh process (model load and a warm-up batch are not timed; peak RSS
is the child's ru_maxrss), configurations are interleaved, repeated, and the median is reported.
`--sweep` instead compares batch sizes and thread layouts of the pipeline at beam 5, each against
the IndicTrans2-style call of the same run (the speed/memory frontier against target (b)).

    flock /tmp/translate-kit-heavy.lock python eval/bench_pipeline.py --record
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "hi-en"
RESULTS = ROOT / "eval" / "results" / "bench_pipeline.md"
WARMUP_SENTENCES = 8


# --------------------------------------------------------------------------- worker (child process)

def worker(config: dict) -> dict:
    """Load the model, warm up, translate once, return timing; runs in a fresh process."""
    import ctranslate2

    from translate_kit.engine import MAX_SOURCE_PIECES, DecodeOptions, Translator
    from translate_kit.indictrans import preprocess_batch
    from translate_kit.models import validate_model_dir
    from translate_kit.spm import SubwordCodec

    sentences = Path(config["data"]).read_text(encoding="utf-8").splitlines()[: config["limit"]]
    length = config["length"]
    # What the model sees (prepared, SentencePiece, tags as tokens): the raw calls' input, untimed.
    model = validate_model_dir(config["model"])
    codec = SubwordCodec(model.spm_src, model.spm_tgt)
    tokens = [[item.src, item.tgt, *chunk] for item in preprocess_batch(sentences, model.src, model.tgt)
              for chunk in codec.encode(item.text, MAX_SOURCE_PIECES)]
    threads = config["threads"]  # (inter, intra), or None for CTranslate2's defaults
    options = DecodeOptions(beam_size=config["beam"], max_batch_tokens=config["batch_tokens"],
                            decode_ratio=None, min_decoding_length=length, max_decoding_length=length)

    if config["mode"] == "pipeline":
        translator = Translator(model, inter_threads=threads[0], intra_threads=threads[1])
        translator.translate(sentences[:WARMUP_SENTENCES], options)
        start = time.perf_counter()
        translator.translate(sentences, options)
        return {"seconds": time.perf_counter() - start, "tokens": len(tokens) * length}

    if config["mode"] == "indictrans2":
        raw = ctranslate2.Translator(str(model.path), device="cpu", compute_type="int8")
        call = {"beam_size": 5, "batch_type": "tokens", "max_batch_size": 9216, "max_input_length": 160}
    else:
        raw = ctranslate2.Translator(str(model.path), device="cpu", compute_type="int8",
                                     inter_threads=threads[0], intra_threads=threads[1])
        call = {"beam_size": options.beam_size, "batch_type": "tokens",
                "max_batch_size": options.max_batch_tokens, "max_input_length": 0,
                "no_repeat_ngram_size": options.no_repeat_ngram_size,
                "repetition_penalty": options.repetition_penalty}
    call.update(min_decoding_length=length, max_decoding_length=length, return_scores=True)
    raw.translate_batch(tokens[:WARMUP_SENTENCES], **call)
    start = time.perf_counter()
    results = raw.translate_batch(tokens, **call)
    elapsed = time.perf_counter() - start
    return {"seconds": elapsed, "tokens": sum(len(r.hypotheses[0]) for r in results)}


def run_child(config: dict) -> dict:
    """Run one configuration in a fresh interpreter; add its peak RSS (MiB) from wait4's rusage."""
    process = subprocess.Popen([sys.executable, __file__, "--worker", json.dumps(config)],
                               stdout=subprocess.PIPE, cwd=ROOT)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"worker failed ({process.returncode}) for {config}")
    result = json.loads(output)
    result["peak_rss_mib"] = usage.ru_maxrss / 1024
    result["tokens_per_s"] = result["tokens"] / result["seconds"]
    return result


# --------------------------------------------------------------------------- driver

def measure(configs: dict[str, dict], repeats: int) -> dict[str, dict]:
    """Interleave the configurations `repeats` times; medians of tokens/s and peak RSS."""
    runs: dict[str, list[dict]] = {name: [] for name in configs}
    for round_ in range(repeats):
        for name, config in configs.items():
            result = run_child(config)
            runs[name].append(result)
            print(f"  round {round_ + 1} {name:<22} {result['tokens_per_s']:7.1f} tok/s "
                  f"{result['seconds']:7.1f} s  peak {result['peak_rss_mib']:6.0f} MiB", flush=True)
    summary = {}
    for name, results in runs.items():
        speeds = [r["tokens_per_s"] for r in results]
        summary[name] = {
            "runs": speeds,
            "tokens_per_s": statistics.median(speeds),
            "spread": (min(speeds), max(speeds)),
            "peak_rss_mib": statistics.median(r["peak_rss_mib"] for r in results),
            "tokens": results[0]["tokens"],
        }
    return summary


def pinned_length(model: Path, references: Path, limit: int) -> int:
    """Mean length of the reference translations in the model's target pieces, rounded."""
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor(model_file=str(model / "vocab" / "model.TGT"))
    lines = references.read_text(encoding="utf-8").splitlines()[:limit]
    return round(statistics.mean(len(p) for p in processor.encode(lines)))


def environment(model: Path, data: Path) -> dict[str, str]:
    import ctranslate2

    from translate_kit.models import validate_model_dir

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {
        "cpu": cpu,
        "cores": str(len(os.sched_getaffinity(0))),
        "python": platform.python_version(),
        "ctranslate2": ctranslate2.__version__,
        "model": f"{model} (fingerprint {validate_model_dir(model).fingerprint()})",
        "test set": f"{data} (sha256 {hashlib.sha256(data.read_bytes()).hexdigest()[:16]})",
    }


def configurations(base: dict, sweep: list[int] | None) -> dict[str, dict]:
    from translate_kit.engine import DEFAULT_BATCH_TOKENS, thread_layout

    cores = len(os.sched_getaffinity(0))
    indictrans2 = {**base, "mode": "indictrans2", "beam": 5, "batch_tokens": 9216, "threads": None}
    if sweep:
        layouts = ((1, cores), (2, max(1, cores // 2)))
        runs = {f"beam 5, {tokens} tokens, {inter}x{intra} threads":
                {**base, "mode": "pipeline", "beam": 5, "batch_tokens": tokens, "threads": (inter, intra)}
                for tokens in sweep for inter, intra in layouts}
        return {**runs, "indictrans2-style beam 5": indictrans2}
    ours = {**base, "batch_tokens": DEFAULT_BATCH_TOKENS, "threads": thread_layout(cores)}
    return {
        "raw beam 1": {**ours, "mode": "raw", "beam": 1},
        "pipeline beam 1": {**ours, "mode": "pipeline", "beam": 1},
        "raw beam 5": {**ours, "mode": "raw", "beam": 5},
        "pipeline beam 5": {**ours, "mode": "pipeline", "beam": 5},
        "indictrans2-style beam 5": indictrans2,
    }


def report(summary: dict[str, dict], sweep: bool) -> str:
    rows = ["| configuration | tokens/s median (min-max) | peak RSS MiB | tokens |", "|---|---|---|---|"]
    for name, s in summary.items():
        low, high = s["spread"]
        rows.append(f"| {name} | {s['tokens_per_s']:.1f} ({low:.1f}-{high:.1f}) | {s['peak_rss_mib']:.0f} "
                    f"| {s['tokens']} |")
    it2 = summary["indictrans2-style beam 5"]
    if sweep:
        rows += ["", "| setting | tokens/s vs IndicTrans2-style | peak RSS vs it | both targets |",
                 "|---|---|---|---|"]
        for name, s in summary.items():
            if s is not it2:
                speed = s["tokens_per_s"] / it2["tokens_per_s"]
                memory = s["peak_rss_mib"] / it2["peak_rss_mib"]
                rows.append(f"| {name} | {speed:.2f}x | {memory:.3f}x | "
                            f"{'yes' if speed >= 2.0 and memory <= 0.25 else 'no'} |")
        return "\n".join(rows)
    rows.append("")
    for beam in (1, 5):
        ratios = _ratios(summary[f"pipeline beam {beam}"], summary[f"raw beam {beam}"])
        rows.append(f"(a) pipeline / raw translate_batch, beam {beam}: {ratios} (target >= 0.97)")
    ours = summary["pipeline beam 5"]
    memory = ours["peak_rss_mib"] / it2["peak_rss_mib"]
    rows.append(f"(b) ours / IndicTrans2-style, beam 5: {_ratios(ours, it2)} at {memory:.3f}x its peak RSS "
                "(target >= 2.0x at <= 0.25x)")
    return "\n".join(rows)


def _ratios(ours: dict, baseline: dict) -> str:
    """Ratio of median tokens/s, and the ratios within each interleaved round (paired, so the
    machine's load drifting between rounds cancels out)."""
    paired = [a / b for a, b in zip(ours["runs"], baseline["runs"], strict=True)]
    rounds = ", ".join(f"{r:.3f}" for r in paired)
    return (f"{ours['tokens_per_s'] / baseline['tokens_per_s']:.3f}x tokens/s "
            f"(per round: {rounds}; median {statistics.median(paired):.3f}x)")


def record(text: str, command: str, env: dict[str, str], note: str) -> None:
    """Append one run (date, command, environment, results) to the results file."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    block = [f"## {now}", "", f"`{command}`", "", note, "", *(f"- {k}: {v}" for k, v in env.items()),
             "", text]
    existing = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# bench_pipeline results\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(existing.rstrip("\n") + "\n\n" + "\n".join(block) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--model", type=Path,
                        help="model folder (default: the synthetic dist-200M model, built on first use)")
    parser.add_argument("--data", type=Path, default=DATA / "newsdev2014.hi")
    parser.add_argument("--references", type=Path, default=DATA / "newsdev2014.en")
    parser.add_argument("--limit", type=int, default=520, help="first N sentences (development runs)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--length", type=int, help="pinned output length (default: mean reference length)")
    parser.add_argument("--sweep", type=lambda v: [int(x) for x in v.split(",")], metavar="TOKENS,...",
                        help="instead compare these batch sizes, each with 1 and 2 workers, at beam 5, "
                             "against the IndicTrans2-style call")
    parser.add_argument("--record", action="store_true", help=f"append the results to {RESULTS}")
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0
    if args.model is None:
        from translate_kit.bench.synthetic import ensure_synthetic_model

        args.model = ensure_synthetic_model("dist-200M", "indic-en", DATA)
    if not args.model.is_dir():
        raise SystemExit(f"{args.model} not found: build it with scripts/build_synthetic_model.py")

    length = args.length or pinned_length(args.model, args.references, args.limit)
    base = {"model": str(args.model), "data": str(args.data), "limit": args.limit, "length": length}
    note = (f"{args.limit} sentences, every output pinned to {length} tokens, median of {args.repeats} "
            "interleaved runs, each in a fresh process (load and warm-up untimed).")
    print(note)
    summary = measure(configurations(base, args.sweep), args.repeats)
    text = report(summary, bool(args.sweep))
    print(text)
    if args.record:
        command = "python eval/bench_pipeline.py " + " ".join(sys.argv[1:] if argv is None else argv)
        record(text, command, environment(args.model, args.data), note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
