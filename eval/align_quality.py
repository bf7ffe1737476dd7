"""Alignment quality on gold built from real parallel news (see eval/align_devset.py).

    python eval/align_quality.py [--data ../shared/data] [--extra-data DIR] [--seed 13] [--out FILE.md]

Each system aligns the perturbed documents from their presplit form; the report gives strict and
lax P/R/F1 (vecalign's definitions, pooled over documents), recall per gold bead type (1-0 and
0-1 recall: the unaligned sentence is output as a 1-0/0-1 bead), block-pair F1 against gold block
pairs (derived from the gold beads and each side's paragraphs, as the aligner derives its own),
the high-precision operating point (what `corpus build` keeps) and time, on the development set
(tuned on) and, with --extra-data, on the held-out NTREX-128 articles (never tuned on).

Systems in the same run: Gale-Church (length only; paragraphs then sentences, and sentences
only), hunalign-like (length + the FreeDict dictionary, sentences only: hunalign's evidence
without its realign pass), translate-kit with anchors, with anchors + FreeDict, and with anchors +
FreeDict + a lexicon learned from the documents being aligned (two passes); with --model, + MT.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from align_devset import DEFAULT_DATA, DevDoc, build_dev_set, build_held_out_set  # noqa: E402

from translate_kit.align import DEFAULT_INVENTORY, Aligner, gale_church_params  # noqa: E402
from translate_kit.align.aligner import select_beads  # noqa: E402
from translate_kit.align.article import parse_presplit  # noqa: E402
from translate_kit.align.beads import Bead  # noqa: E402
from translate_kit.align.block_pairs import group_beads  # noqa: E402
from translate_kit.align.evaluation import score_alignments  # noqa: E402
from translate_kit.align.features import AnchorSource  # noqa: E402
from translate_kit.align.lexicon import freedict_available, load_freedict  # noqa: E402
from translate_kit.align.sources import make_sources  # noqa: E402

GALE_CHURCH = "Gale-Church, paragraphs then sentences (length)"
TYPES = ("1-1", "1-0", "0-1", "2-1", "1-2", "2-2")


def systems(model: str | None = None) -> dict[str, Aligner]:
    """The aligners compared in one run, named by the evidence (backend) they use."""
    gale_church = gale_church_params()
    chosen = {
        GALE_CHURCH: Aligner(
            sources=[],
            params=gale_church,
            block_params=gale_church,
            block_inventory=DEFAULT_INVENTORY,
            block_margin=0,
        ),
        "Gale-Church, sentences only (length)": Aligner(sources=[], params=gale_church, use_blocks=False),
    }
    if freedict_available():
        chosen["hunalign-like: length + dictionary (freedict), sentences only"] = Aligner(
            sources=[load_freedict()], use_blocks=False
        )
    chosen["translate-kit: length + anchors"] = Aligner(sources=[AnchorSource()])
    if freedict_available():
        lexicon = load_freedict()
        chosen["translate-kit: length + anchors + lexicon (freedict)"] = Aligner(
            sources=[AnchorSource(), lexicon]
        )
        chosen["translate-kit: + lexicon learned from the documents (2 passes)"] = Aligner(
            sources=[AnchorSource(), lexicon], learn=True
        )
    if model:
        chosen[f"translate-kit: + MT ({model})"] = Aligner(sources=make_sources(model=model))
    return chosen


def gold_blocks(doc: DevDoc) -> list[tuple[list[int], list[int]]]:
    """Gold block pairs: the gold beads grouped by the blocks their sentences are in."""
    hi, en = parse_presplit(doc.hi_lines), parse_presplit(doc.en_lines)
    beads = [Bead(tuple(h), tuple(e), 1.0) for h, e in doc.gold]
    groups = group_beads(beads, hi.sentence_blocks(), en.sentence_blocks())
    pairs: dict[int, tuple[set, set]] = {}
    hi_block, en_block = hi.sentence_blocks(), en.sentence_blocks()
    for bead, g in zip(beads, groups, strict=True):
        h, e = pairs.setdefault(g, (set(), set()))
        h.update(hi_block[i] for i in bead.hi)
        e.update(en_block[j] for j in bead.en)
    return [(sorted(h), sorted(e)) for h, e in pairs.values()]


def evaluate(aligner: Aligner, docs: list[DevDoc]) -> dict[str, float]:
    """Strict/lax scores, recall per bead type, block-pair F1, high-precision point, time."""
    articles = [(parse_presplit(d.hi_lines), parse_presplit(d.en_lines)) for d in docs]
    started = time.perf_counter()
    alignments = aligner.align_many(articles)
    seconds = time.perf_counter() - started
    tests, blocks, found = [], [], Counter()
    confident = confident_right = gold_pairs = 0
    for doc, alignment in zip(docs, alignments, strict=True):
        output = {(b.hi, b.en) for b in alignment.beads}
        tests.append([(list(b.hi), list(b.en)) for b in alignment.beads])
        blocks.append([(list(b.hi), list(b.en)) for b in alignment.blocks])
        for h, e in doc.gold:
            found[f"{len(h)}-{len(e)}", (tuple(h), tuple(e)) in output] += 1
        gold = {(tuple(h), tuple(e)) for h, e in doc.gold if h and e}
        kept = select_beads(alignment.beads, high_precision=True)
        confident += len(kept)
        confident_right += sum((b.hi, b.en) in gold for b in kept)
        gold_pairs += len(gold)
    scores = score_alignments([d.gold for d in docs], tests).as_dict()
    block_scores = score_alignments([gold_blocks(d) for d in docs], blocks)
    row = {k: round(v, 4) for k, v in scores.items()}
    for kind in TYPES:
        total = found[kind, True] + found[kind, False]
        row[f"R {kind}"] = round(found[kind, True] / total, 3) if total else None
    row["block F1 strict"] = round(block_scores.f1_strict, 4)
    row["high-precision P"] = round(confident_right / max(confident, 1), 4)
    row["high-precision R"] = round(confident_right / max(gold_pairs, 1), 4)
    row["seconds"] = round(seconds, 2)
    return row


def gold_profile(docs: list[DevDoc]) -> str:
    kinds = Counter(f"{len(h)}-{len(e)}" for doc in docs for h, e in doc.gold)
    return ", ".join(f"{k}: {v}" for k, v in kinds.most_common())


def report(name: str, docs: list[DevDoc], chosen: dict[str, Aligner]) -> str:
    n_hi = sum(len([x for x in d.hi_lines if x]) for d in docs)
    n_en = sum(len([x for x in d.en_lines if x]) for d in docs)
    rows = []
    for system, aligner in chosen.items():
        rows.append({"system": system, **evaluate(aligner, docs)})
        print(name, rows[-1], file=sys.stderr)
    table = pd.DataFrame(rows).set_index("system")
    table["points over GC"] = ((table["f1_strict"] - table.loc[GALE_CHURCH, "f1_strict"]) * 100).round(1)
    header = (
        f"### {name}\n\n{len(docs)} documents, {n_hi} Hindi / {n_en} English sentences; "
        f"gold beads {gold_profile(docs)}"
    )
    return f"{header}\n\n{table.to_markdown()}\n"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--extra-data", type=Path, help="folder with newstest2014.* and ntrex128.*")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--model", help="add MT similarity with this model (name or folder)")
    parser.add_argument("--out", type=Path, help="write the Markdown tables here")
    args = parser.parse_args(argv)
    if not (args.data / "hi-en").is_dir():
        print(f"data not found: {args.data / 'hi-en'}", file=sys.stderr)
        return 2
    chosen = systems(args.model)
    dev = build_dev_set(args.data, args.seed, extra=args.extra_data)
    sections = [report("Development (tuned on)", dev, chosen)]
    if args.extra_data is not None:
        held_out = build_held_out_set(args.extra_data, args.seed)
        sections.append(report("Held out: NTREX-128 articles (never tuned on)", held_out, chosen))
    text = "\n".join(sections)
    if args.extra_data is not None:
        digests = [
            f"`{path.name}` {sha256(path)}" for path in sorted(args.extra_data.iterdir()) if path.is_file()
        ]
        text += "\nExtra data (sha256): " + ", ".join(digests) + "\n"
    print(text)
    if args.out:
        command = "python eval/align_quality.py " + " ".join(argv if argv is not None else sys.argv[1:])
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(f"`{command.strip()}`\n\n{text}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
