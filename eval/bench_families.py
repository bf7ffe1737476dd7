#!/usr/bin/env python3
"""IndicTrans2 dist-200M vs NLLB-200-distilled-600M vs OPUS-MT, through the same pipeline, in one run.

The question a deployer asks first: how much slower is NLLB-600M than IndicTrans2-200M on a CPU,
and how much more memory does it take? Each model is a random-weight model with the exact shape
and CTranslate2 layout of the published one (IndicTrans2 indic-en dist-200M: 18+18 layers, d 512;
NLLB-200-distilled-600M: 12+12, d 1024, ffn 4096, 256,206 tokens; OPUS-MT opus-mt-hi-en: 6+6,
d 512, 61,126 tokens), with SentencePiece models trained on ../shared/data, built on first use
under $TRANSLATE_KIT_HOME/synthetic/. All three translate the same 520 newsdev2014.hi sentences
through `translate-kit bench` (each family's own input conventions, the same batching and
decoding), int8, at beam 1 and beam 5, every output pinned to the same number of tokens, each
setting in a fresh process. Ratios are against IndicTrans2 measured in the same run.

    flock /work/bench.lock python eval/bench_families.py --record

With --record the report goes to eval/results/bench_families.md (with .csv and the Pareto plot).
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "hi-en"
RESULTS = ROOT / "eval" / "results"
MODELS = (
    ("IndicTrans2 dist-200M", "indictrans2", "dist-200M"),
    ("NLLB-200-distilled-600M", "nllb", "nllb-600M"),
    ("OPUS-MT (opus-mt-hi-en)", "marian", "opus-mt"),
)


def ensure_models() -> list[Path]:
    from translate_kit.bench.synthetic import ensure_synthetic_model
    from translate_kit.bench.synthetic_families import ensure_family_model

    paths = []
    for _, family, shape in MODELS:
        build = ensure_synthetic_model if family == "indictrans2" else ensure_family_model
        paths.append(build(shape, "indic-en", DATA))
    return paths


def ratio_table(table: pd.DataFrame) -> pd.DataFrame:
    """Per beam: each model's tokens/s, peak RSS and size, and their ratio to IndicTrans2's."""
    rows = []
    names = dict(zip(table["model"].unique(), (title for title, _, _ in MODELS), strict=False))
    for beam, group in table.groupby("beam", sort=True):
        base = group.iloc[0]
        for _, row in group.iterrows():
            rows.append({
                "beam": beam, "model": names.get(row["model"], row["model"]),
                "target tok/s": row["tok_s"], "x IT2 speed": row["tok_s"] / base["tok_s"],
                "sent/s": row["sent_s"], "p50 ms": row["latency_p50_ms"],
                "peak RSS MB": row["peak_rss_mb"], "x IT2 RSS": row["peak_rss_mb"] / base["peak_rss_mb"],
                "model MB": row["model_mb"], "x IT2 size": row["model_mb"] / base["model_mb"],
            })
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=520, help="sentences of newsdev2014.hi (default: 520)")
    parser.add_argument("--pin-length", type=int, default=26, help="decoded tokens per sentence")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--latency-sentences", type=int, default=10)
    parser.add_argument("--output", type=Path, default=Path("/tmp/translate-kit-bench-families"))
    parser.add_argument("--record", action="store_true", help="write eval/results/bench_families.*")
    args = parser.parse_args(argv)
    if not (DATA / "newsdev2014.hi").is_file():
        print(f"no test set at {DATA / 'newsdev2014.hi'}", file=sys.stderr)
        return 1
    from translate_kit.bench.report import render_markdown
    from translate_kit.bench.runner import Plan, run_bench
    from translate_kit.textio import read_lines

    paths = ensure_models()
    source = args.output / "newsdev2014.hi"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text("".join(f"{line}\n" for line in read_lines(DATA / "newsdev2014.hi")[: args.limit]),
                      encoding="utf-8")
    plan = Plan(repeat=args.repeat, warmup=32, latency_sentences=args.latency_sentences,
                pin_length=args.pin_length)
    command = ["python", "eval/bench_families.py", *(argv if argv is not None else sys.argv[1:])]
    records, _ = run_bench(paths, source, {"beam": [1, 5]}, args.output / "run", plan=plan,
                           log=lambda message: print(message, file=sys.stderr, flush=True), argv=command)
    table = pd.read_csv(args.output / "run" / "results.csv")
    ratios = render_markdown(ratio_table(table), floatfmt=".2f")
    report = "\n".join([
        "# IndicTrans2 dist-200M vs NLLB-200-distilled-600M vs OPUS-MT: speed, memory, size",
        "",
        f"Command: `flock /work/bench.lock {shlex.join(command)}`",
        "",
        "Random-weight models with the exact shapes and CTranslate2 layouts of the published models "
        "(only speed and memory mean anything), int8, 2 threads as the pipeline lays them out, "
        f"{args.limit} newsdev2014.hi sentences, every output pinned to {args.pin_length} tokens, "
        f"median of {args.repeat} passes, each setting in a fresh process. Ratios are against "
        "IndicTrans2 at the same beam, measured in the same run.",
        "",
        ratios,
        "",
        "The full table as `translate-kit bench` wrote it:",
        "",
        (args.output / "run" / "results.md").read_text(encoding="utf-8").split("\n", 2)[2],
    ])
    print(report)
    if args.record:
        (RESULTS / "bench_families.md").write_text(report, encoding="utf-8")
        shutil.copy2(args.output / "run" / "results.csv", RESULTS / "bench_families.csv")
        shutil.copy2(args.output / "run" / "pareto.png", RESULTS / "bench_families_pareto.png")
    return 0 if all(record["status"] == "ok" for record in records) else 1


if __name__ == "__main__":
    sys.exit(main())
