#!/usr/bin/env python3
"""Build a random-weight CTranslate2 model with the exact shape and layout of a published model.

Shapes: IndicTrans2 (tiny, dist-200M, 1B), NLLB-200 (nllb-tiny, nllb-600M) and OPUS-MT
(opus-mt-tiny, opus-mt), each in the folder layout its CTranslate2 converter writes.

Its SentencePiece models are trained on real Hindi and English lines (by default the hi-en sets in
../shared/data beside the checkout), so tokenisation, vocabularies and sequence lengths are
realistic; the weights are random, so only speed and memory measurements are meaningful.

    python scripts/build_synthetic_model.py --shape dist-200M --direction indic-en \\
        -o models/synthetic-indic-en-dist-200M

The benchmarks in eval/ build the same model on first use under $TRANSLATE_KIT_HOME/synthetic/.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from translate_kit.bench import synthetic_families
from translate_kit.bench.synthetic import DIRECTIONS, SHAPES, build_synthetic_model, training_lines

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "hi-en"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=sorted([*SHAPES, *synthetic_families.SHAPES]), default="dist-200M")
    parser.add_argument("--direction", choices=sorted(DIRECTIONS), default="indic-en")
    parser.add_argument("-o", "--output", required=True, type=Path, help="model folder to write (replaced)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder of *.hi / *.en files to train SentencePiece on (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quantization", default="int8",
                        help="weight type stored in model.bin (int8, like the official ct2_int8_model)")
    args = parser.parse_args(argv)

    try:
        source, target = training_lines(args.data, args.direction)
    except FileNotFoundError:
        parser.error(f"no *.hi / *.en training lines found in {args.data}")
    hindi, english = (source, target) if args.direction == "indic-en" else (target, source)
    start = time.perf_counter()
    build = build_synthetic_model if args.shape in SHAPES else synthetic_families.build_family_model
    path = build(args.output, args.shape, args.direction, source, target,
                 seed=args.seed, quantization=args.quantization)
    size = (path / "model.bin").stat().st_size / 2**20
    elapsed = time.perf_counter() - start
    print(f"wrote {path} ({args.shape}, {args.direction}, model.bin {size:.0f} MiB, "
          f"SentencePiece on {len(hindi)} hi + {len(english)} en lines) in {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
