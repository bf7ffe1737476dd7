"""Tokens/s of engine calls sized by measured time (translate_kit.sizing) against today's fixed
`max_batch_tokens` budget, in the same run, alternating, on one loaded model.

Decode lengths are pinned (min = max, no relative cap) so both sizings decode exactly the same
tokens on a random-weight model; the ratio sized/fixed is the cost of the sizing (target: at
least 0.97). Example (a quick check on the tiny shape; the full run uses dist-200M at beam 5):

    PYTHONPATH=$PWD python eval/bench_chunking.py --shape tiny --sentences 40 --rounds 1
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from translate_kit.bench.synthetic import ensure_synthetic_model
from translate_kit.engine import DecodeOptions, Translator
from translate_kit.textio import read_lines


def _rate(translator: Translator, sentences: list[str], options: DecodeOptions) -> float:
    """Decoded target tokens per second for one pass over `sentences`."""
    prepared = translator.prepare(sentences)
    started = time.perf_counter()
    done = translator.translate_prepared(prepared, options)
    seconds = time.perf_counter() - started
    return len(done) * options.max_decoding_length / seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", default="dist-200M")
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared/data/hi-en"))
    parser.add_argument("--sentences", type=int, default=520)
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--batch-tokens", type=int, default=512)
    parser.add_argument("--length", type=int, default=40, help="pinned decode length")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    model = ensure_synthetic_model(args.shape, "indic-en", args.data)
    sentences = read_lines(Path(args.data) / "newsdev2014.hi")[: args.sentences]
    translator = Translator.load(model)
    pinned = dict(beam_size=args.beam, max_batch_tokens=args.batch_tokens, min_decoding_length=args.length,
                  max_decoding_length=args.length, decode_ratio=None)
    setups = {"fixed": DecodeOptions(**pinned, call_seconds=None), "sized": DecodeOptions(**pinned)}
    rates: dict[str, list[float]] = {name: [] for name in setups}
    for _ in range(args.rounds):
        for name, options in setups.items():  # alternating: load drifts hit both alike
            rates[name].append(_rate(translator, sentences, options))
    fixed, sized = (statistics.median(rates[name]) for name in ("fixed", "sized"))
    print(f"shape {args.shape}, beam {args.beam}, {len(sentences)} sentences, {args.rounds} rounds: "
          f"fixed {fixed:.1f} tokens/s, sized {sized:.1f} tokens/s, ratio {sized / fixed:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
