"""Alignment quality on a development gold built from real parallel sentences.

Consecutive line-aligned sentences of newsdev2014 and tico19-test (../shared/data/hi-en) are
grouped into documents of paragraphs (the first short sentence of a document becomes a heading),
then perturbed with a fixed seed, one side at a time: two neighbouring sentences joined (2-1 or
1-2 beads), sentences deleted (1-0 or 0-1), paragraphs split or merged. Each system aligns the
perturbed documents from their presplit form and is scored with strict and lax P/R/F1.

    python eval/align_quality.py [--data ../shared/data] [--seed 13] [--out eval/results/align_quality.md]

Systems in the same run: Gale-Church (length only, same hierarchy), anchors (length + numbers,
Latin tokens, names by transliteration, dates, URLs), anchors + lexicon (Debian's
dict-freedict-eng-hin inverted, when installed), and with `--model` anchors + lexicon + MT.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from translate_kit.align import DEFAULT_INVENTORY, Aligner, gale_church_params
from translate_kit.align.aligner import select_beads
from translate_kit.align.article import parse_presplit
from translate_kit.align.evaluation import score_alignments
from translate_kit.align.features import AnchorSource, make_sources
from translate_kit.align.lexicon import LexiconSource, freedict_available

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
CORPORA = ("newsdev2014", "tico19-test")
GALE_CHURCH = "Gale-Church, paragraphs then sentences (length)"


@dataclass
class DevDoc:
    name: str
    hi_lines: list[str]  # presplit form: sentences, "" between paragraphs, "# " headings
    en_lines: list[str]
    gold: list[tuple[list[int], list[int]]]


def build_dev_set(data: Path, seed: int = 13, doc_size: tuple[int, int] = (25, 60)) -> list[DevDoc]:
    """Documents with paragraph structure and perturbations; deterministic for a seed."""
    rng = random.Random(seed)
    docs = []
    for corpus in CORPORA:
        hi = (data / "hi-en" / f"{corpus}.hi").read_text(encoding="utf-8").splitlines()
        en = (data / "hi-en" / f"{corpus}.en").read_text(encoding="utf-8").splitlines()
        start = 0
        while start < len(hi):
            size = rng.randint(*doc_size)
            pairs = [
                (h.strip(), e.strip())
                for h, e in zip(hi[start : start + size], en[start : start + size], strict=True)
            ]
            pairs = [(h, e) for h, e in pairs if h and e]
            docs.append(_perturb(f"{corpus}:{start}", pairs, rng))
            start += size
    return docs


def _perturb(name: str, pairs: list[tuple[str, str]], rng: random.Random) -> DevDoc:
    beads: list[tuple[list[str], list[str], int]] = []  # (Hindi, English, paragraph); -1 = heading
    k = 0
    if pairs and len(pairs[0][1].split()) <= 12:
        beads.append(([pairs[0][0]], [pairs[0][1]], -1))
        k = 1
    paragraph = 0
    while k < len(pairs):
        size = rng.choice((1, 2, 2, 3, 3, 4, 5))
        chunk = [([h], [e]) for h, e in pairs[k : k + size]]
        for hi_side, en_side in _join_neighbours(chunk, rng):
            roll = rng.random()
            one_one = len(hi_side) == 1 and len(en_side) == 1
            if roll < 0.04 and one_one:
                hi_side = []  # the Hindi sentence is missing: a 0-1 bead
            elif roll < 0.08 and one_one:
                en_side = []  # the English sentence is missing: a 1-0 bead
            beads.append((hi_side, en_side, paragraph))
        paragraph += 1
        k += size
    hi_lines = _render([(t, p) for h, _, p in beads for t in h], rng)
    en_lines = _render([(t, p) for _, e, p in beads for t in e], rng)
    gold, i, j = [], 0, 0
    for h, e, _ in beads:
        gold.append((list(range(i, i + len(h))), list(range(j, j + len(e)))))
        i, j = i + len(h), j + len(e)
    return DevDoc(name, hi_lines, en_lines, gold)


def _join_neighbours(chunk, rng):
    """Join two neighbouring sentences on one side into one (a 2-1 or 1-2 bead)."""
    out, k = [], 0
    while k < len(chunk):
        if k + 1 < len(chunk) and rng.random() < 0.12:
            (h1, e1), (h2, e2) = chunk[k], chunk[k + 1]
            if rng.randrange(2):
                out.append(([h1[0] + " " + h2[0]], e1 + e2))
            else:
                out.append((h1 + h2, [e1[0] + " " + e2[0]]))
            k += 2
        else:
            out.append(chunk[k])
            k += 1
    return out


def _render(sentences: list[tuple[str, int]], rng: random.Random) -> list[str]:
    """Presplit lines of one side; paragraph breaks dropped (merge) or added (split) at random."""
    lines: list[str] = []
    previous = None
    for text, paragraph in sentences:
        if paragraph == -1:
            lines.append("# " + text)
        else:
            if previous is not None:
                new_paragraph = paragraph != previous
                if new_paragraph and rng.random() < 0.1 and previous != -1:
                    new_paragraph = False
                elif not new_paragraph and rng.random() < 0.08:
                    new_paragraph = True
                if new_paragraph:
                    lines.append("")
            lines.append(text)
        previous = paragraph
    return lines


def systems(model: str | None = None) -> dict[str, Aligner]:
    """The aligners compared in one run, named by the evidence (backend) they use.

    Gale-Church runs twice: as published (paragraphs aligned first, sentences only inside
    paragraph beads) and on sentences alone; both use length only with their bead probabilities.
    """
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
        "translate-kit: length + anchors": Aligner(sources=[AnchorSource()]),
    }
    if freedict_available():
        lexicon = LexiconSource.from_freedict()
        chosen["translate-kit: length + anchors + lexicon (freedict-eng-hin)"] = Aligner(
            sources=[AnchorSource(), lexicon]
        )
    if model:
        chosen[f"translate-kit: length + anchors + lexicon + MT ({model})"] = Aligner(
            sources=make_sources(model=model)
        )
    return chosen


def evaluate(aligner: Aligner, docs: list[DevDoc]) -> dict[str, float]:
    """Strict/lax scores, time, and the high-precision operating point (what corpus build keeps)."""
    tests, confident, confident_right, gold_pairs = [], 0, 0, 0
    started = time.perf_counter()
    for doc in docs:
        alignment = aligner.align(parse_presplit(doc.hi_lines), parse_presplit(doc.en_lines))
        tests.append([(list(b.hi), list(b.en)) for b in alignment.beads])
        gold = {(tuple(h), tuple(e)) for h, e in doc.gold if h and e}
        kept = select_beads(alignment.beads, high_precision=True)
        confident += len(kept)
        confident_right += sum((b.hi, b.en) in gold for b in kept)
        gold_pairs += len(gold)
    seconds = time.perf_counter() - started
    scores = score_alignments([d.gold for d in docs], tests).as_dict()
    return {
        **{k: round(v, 4) for k, v in scores.items()},
        "high-precision P": round(confident_right / max(confident, 1), 4),
        "high-precision R": round(confident_right / max(gold_pairs, 1), 4),
        "seconds": round(seconds, 2),
    }


def gold_profile(docs: list[DevDoc]) -> str:
    kinds: dict[str, int] = {}
    for doc in docs:
        for h, e in doc.gold:
            kinds[f"{len(h)}-{len(e)}"] = kinds.get(f"{len(h)}-{len(e)}", 0) + 1
    return ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--model", help="add MT similarity with this model (name or folder)")
    parser.add_argument("--out", type=Path, help="write the Markdown table here")
    args = parser.parse_args(argv)
    if not (args.data / "hi-en").is_dir():
        print(f"data not found: {args.data / 'hi-en'}", file=sys.stderr)
        return 2
    docs = build_dev_set(args.data, args.seed)
    n_hi = sum(len([x for x in d.hi_lines if x]) for d in docs)
    n_en = sum(len([x for x in d.en_lines if x]) for d in docs)
    rows = []
    for name, aligner in systems(args.model).items():
        rows.append({"system": name, **evaluate(aligner, docs)})
        print(rows[-1], file=sys.stderr)
    table = pd.DataFrame(rows).set_index("system")
    for name, label in (
        (GALE_CHURCH, "points over GC"),
        ("Gale-Church, sentences only (length)", "over GC sent."),
    ):
        table[label] = ((table["f1_strict"] - table.loc[name, "f1_strict"]) * 100).round(1)
    header = (
        f"{len(docs)} documents, {n_hi} Hindi / {n_en} English sentences, seed {args.seed}; "
        f"gold beads {gold_profile(docs)}"
    )
    print(header)
    print(table.to_markdown())
    if args.out:
        command = "python eval/align_quality.py " + " ".join(argv if argv is not None else sys.argv[1:])
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(f"`{command.strip()}`\n\n{header}\n\n{table.to_markdown()}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
