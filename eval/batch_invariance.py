#!/usr/bin/env python3
"""Does a sentence translate the same alone and beside others? Raw CTranslate2 batching against the
engine's batch-invariant decoding, measured in one run.

CTranslate2 pads a batch to its longest sequence, and the padded length changes the rounding of the
attention sums, so a sentence's output can change with the sentences it is batched with. The engine
decodes every sequence padded to its 16-token length bucket (translate_kit.engine, `decode_stream`),
with `DecodeOptions(batch_invariant=True)` (`--batch-invariant`), which makes each sentence's
output a function of the sentence alone. This script translates the
first N sentences of newsdev2014.hi with the random-weight dist-200M-shaped model (outputs pinned
to a fixed length, beam 1, one thread):

- raw: one `translate_batch` over all sentences (length-sorted, `max_batch_size` tokens), then each
  sentence in a call of its own; counts of sentences whose output tokens or scores differ;
- engine: `Translator.decode` over all sentences, then each sentence alone through the engine, with
  the default batching and with `batch_invariant` (expected: 0 and 0);
- the cost: tokens per CPU-second of each batched decode against the raw batched call (all decode
  the same number of tokens; CPU time, since wall time on a shared machine follows its load).

    python eval/batch_invariance.py --limit 200 --record
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "hi-en"
RESULTS = ROOT / "eval" / "results" / "batch_invariance.md"


def differences(together: list, alone: list) -> tuple[int, int]:
    """(sentences whose tokens differ, sentences whose scores differ)."""
    tokens = sum(a[0] != b[0] for a, b in zip(together, alone, strict=True))
    scores = sum(a[1] != b[1] for a, b in zip(together, alone, strict=True))
    return tokens, scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="model folder (default: the synthetic dist-200M model)")
    parser.add_argument("--data", type=Path, default=DATA / "newsdev2014.hi")
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--length", type=int, default=20, help="pinned output length in tokens")
    parser.add_argument("--batch-tokens", type=int, default=512)
    parser.add_argument("--record", action="store_true", help=f"append the results to {RESULTS}")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        raise SystemExit(f"{args.data} not found (the shared data sits beside the checkout)")

    from translate_kit.bench.synthetic import ensure_synthetic_model
    from translate_kit.engine import DecodeOptions, Translator

    model = args.model or ensure_synthetic_model("dist-200M", "indic-en", DATA)
    translator = Translator.load(model, inter_threads=1, intra_threads=1)
    sentences = args.data.read_text(encoding="utf-8").splitlines()[: args.limit]
    family = translator.family
    sources = [chunk for item in translator.prepare(sentences) for chunk in family.encode(item, 256)]
    pinned = {"min_decoding_length": args.length, "max_decoding_length": args.length}
    options = DecodeOptions(beam_size=1, max_batch_tokens=args.batch_tokens, no_repeat_ngram_size=0,
                            decode_ratio=None, **pinned)
    call = {"beam_size": 1, "batch_type": "tokens", "max_batch_size": args.batch_tokens,
            "return_scores": True, "max_input_length": 0, **pinned}

    def raw(batch: list) -> list[tuple[list[str], float]]:
        return [(r.hypotheses[0], r.scores[0]) for r in translator.ct2.translate_batch(batch, **call)]

    def engine(decoding: DecodeOptions):
        return lambda batch: translator.decode(batch, decoding)

    translator.decode(sources[:8], options)  # warm-up
    rows = []
    for name, decode in (("raw translate_batch", raw), ("engine, default batching", engine(options)),
                         ("engine, batch_invariant", engine(replace(options, batch_invariant=True)))):
        began = time.process_time()
        together = decode(sources)
        seconds = time.process_time() - began
        alone = [decode([source])[0] for source in sources]
        rows.append((name, *differences(together, alone), len(sources) * args.length / seconds))
    lines = [
        f"{len(sentences)} sentences ({len(sources)} sequences) of {args.data.name}, beam 1, outputs pinned "
        f"to {args.length} tokens, {args.batch_tokens}-token batches, one thread; model {model}.",
        "",
        "| decoding | outputs differing alone vs batched (tokens) | (scores) | batched tokens per CPU-s |",
        "|---|---|---|---|",
        *(f"| {name} | {tokens} | {scores} | {speed:.1f} |" for name, tokens, scores, speed in rows),
        "",
        *(f"{name} / raw, tokens per CPU-s: {speed / rows[0][3]:.3f}x" for name, _, _, speed in rows[1:]),
    ]
    text = "\n".join(lines)
    print(text)
    if args.record:
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        command = "python eval/batch_invariance.py " + " ".join(sys.argv[1:] if argv is None else argv)
        existing = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# batch_invariance results\n"
        RESULTS.write_text(f"{existing.rstrip()}\n\n## {now}\n\n`{command}`\n\n{text}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
