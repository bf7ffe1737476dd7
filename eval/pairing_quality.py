"""Document pairing on real news: precision, recall and F1 with distractors, and time per heap size.

Documents are cut from real line-aligned news (both sides of every sentence are real), in lengths
from one sentence to forty, and written as files with random names (no hints): paragraphs of one
to four sentences, the first line alone, a fifth of them as Markdown on one side only. A paired
document may lose a sentence or have two paragraphs merged on one side. Each heap holds the paired
documents plus 30% unpaired ones: whole other stories (other real news, often the same topic: the
TICO-19 part is all COVID-19) and near-duplicates (half of a paired story continued by the
following story: the same topic, the same names, half the same sentences).

Sets (one seed, fixed):
- dev, tuned on: newsdev2014 and tico19-test from ../shared/data/hi-en;
- held-out, never tuned on: newstest2014 (Helsinki-NLP/OPUS-MT-testsets `testsets/hi-en`) and
  NTREX-128 newstest2019 Hindi with its English source, cut at its real document boundaries
  (`datasets/microsoft/ntrex/NTREX/`, CC BY-SA 4.0), read from a checkout given by --opus-testsets.

Timing (`--scale 1000 10000`): documents of 2-40 sentences drawn at random from all the real
sentence pairs above (resampled, so sentences repeat across documents), 30% unpaired per side.
Baseline in the same run: scoring all N x M document pairs (the full weighted-bag product) instead
of the anchor index, on the 1,000 heap.

    flock /work/bench.lock python eval/pairing_quality.py --opus-testsets DIR \
        [--scale 1000 10000] [--out eval/results/pairing.md]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from translate_kit.align.pairing import DocumentPairer, PairingSettings, assignment_matching
from translate_kit.align.pairing_io import read_heap

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
UNPAIRED_SHARE = 0.3
NEAR_DUPLICATE_SHARE = 0.25  # of the unpaired documents of a side


@dataclass
class Chunk:
    stream: str
    pairs: list[tuple[str, str]]
    next: Chunk | None = None


@dataclass
class Heaps:
    """The gold of one generated set: pairs of file names, and the unpaired names of each side."""

    gold: set[tuple[str, str]] = field(default_factory=set)
    unpaired: dict[str, set[str]] = field(default_factory=lambda: {"hi": set(), "en": set()})


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def dev_streams(data: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (
            name,
            list(
                zip(_lines(data / "hi-en" / f"{name}.hi"), _lines(data / "hi-en" / f"{name}.en"), strict=True)
            ),
        )
        for name in ("newsdev2014", "tico19-test")
    ]


def heldout_streams(opus: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    """newstest2014 as one stream; NTREX-128 as one stream per real document."""
    news = opus / "testsets" / "hi-en"
    streams = [
        (
            "newstest2014",
            list(zip(_lines(news / "newstest2014.hi"), _lines(news / "newstest2014.en"), strict=True)),
        )
    ]
    ntrex = opus / "datasets" / "microsoft" / "ntrex" / "NTREX"
    hi = _lines(ntrex / "NTREX-128" / "newstest2019-ref.hin.txt")
    en = _lines(ntrex / "NTREX-128" / "newstest2019-src.eng.txt")
    ids = _lines(ntrex / "DOCUMENT_IDS.tsv")
    documents: dict[str, list[tuple[str, str]]] = {}
    for doc, h, e in zip(ids, hi, en, strict=True):
        documents.setdefault(doc.split("\t")[0], []).append((h, e))
    streams += [(f"ntrex:{doc}", pairs) for doc, pairs in documents.items()]
    return streams


def document_length(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.3:
        return rng.randint(1, 5)
    if roll < 0.8:
        return rng.randint(6, 15)
    return rng.randint(16, 40)


def cut(streams, rng: random.Random) -> list[Chunk]:
    chunks: list[Chunk] = []
    for name, pairs in streams:
        pairs = [(h.strip(), e.strip()) for h, e in pairs if h.strip() and e.strip()]
        start, previous = 0, None
        while start < len(pairs):
            size = len(pairs) - start if name.startswith("ntrex:") else document_length(rng)
            chunk = Chunk(name, pairs[start : start + size])
            if previous is not None:
                previous.next = chunk
            chunks.append(chunk)
            previous, start = chunk, start + size
    return chunks


def render(sentences: list[str], markdown: bool, merge: bool, rng: random.Random) -> str:
    """The first sentence alone (a headline when short), then paragraphs of one to four sentences."""
    paragraphs = [sentences[:1]]
    k = 1
    while k < len(sentences):
        size = rng.randint(1, 4)
        paragraphs.append(sentences[k : k + size])
        k += size
    if merge and len(paragraphs) > 2:
        at = rng.randrange(1, len(paragraphs) - 1)
        paragraphs[at : at + 2] = [paragraphs[at] + paragraphs[at + 1]]
    texts = [" ".join(p) for p in paragraphs]
    if markdown:
        texts[0] = "# " + texts[0]
    return "\n\n".join(texts) + "\n"


def write_heaps(chunks: list[Chunk], folder: Path, rng: random.Random) -> Heaps:
    """Paired documents plus 30% unpaired per side (whole stories and near-duplicates), shuffled."""
    rng.shuffle(chunks)
    n_pairs = int(
        len(chunks) / (1 + 2 * (UNPAIRED_SHARE / (1 - UNPAIRED_SHARE)) * (1 - NEAR_DUPLICATE_SHARE))
    )
    unpaired = round(n_pairs * UNPAIRED_SHARE / (1 - UNPAIRED_SHARE))
    duplicates = round(unpaired * NEAR_DUPLICATE_SHARE)
    whole = unpaired - duplicates
    paired, hi_only, en_only = (
        chunks[:n_pairs],
        chunks[n_pairs : n_pairs + whole],
        chunks[n_pairs + whole : n_pairs + 2 * whole],
    )
    heaps = Heaps()
    for side in ("hi", "en"):
        (folder / side).mkdir(parents=True, exist_ok=True)
    names = iter(rng.sample(range(16**8), 4 * len(chunks)))

    def write(side: str, sentences: list[str], markdown: bool = False, merge: bool = False) -> str:
        name = f"{next(names):08x}.{'md' if markdown else 'txt'}"
        (folder / side / name).write_text(render(sentences, markdown, merge, rng), encoding="utf-8")
        return name

    for chunk in paired:
        hi, en = [h for h, _ in chunk.pairs], [e for _, e in chunk.pairs]
        side = rng.choice(("hi", "en"))
        if len(hi) >= 4 and rng.random() < 0.2:  # one side lost a sentence
            drop = rng.randrange(1, len(hi))
            hi, en = (hi[:drop] + hi[drop + 1 :], en) if side == "hi" else (hi, en[:drop] + en[drop + 1 :])
        markdown = rng.random() < 0.2
        merge = rng.random() < 0.3
        hi_name = write("hi", hi, markdown and side == "hi", merge and side == "hi")
        en_name = write("en", en, markdown and side == "en", merge and side == "en")
        heaps.gold.add((hi_name, en_name))
    with_next = [c for c in paired if c.next is not None]
    bases = rng.sample(with_next, min(2 * duplicates, len(with_next)))
    # Disjoint stories for the two sides: near-duplicates of one story on both would translate each other.
    for side, alone, near in (("hi", hi_only, bases[0::2]), ("en", en_only, bases[1::2])):
        k = 0 if side == "hi" else 1
        for chunk in alone:
            heaps.unpaired[side].add(write(side, [p[k] for p in chunk.pairs]))
        for chunk in near:
            half = (
                chunk.pairs[: max(1, len(chunk.pairs) // 2)]
                + chunk.next.pairs[: max(1, len(chunk.pairs) // 2)]
            )
            heaps.unpaired[side].add(write(side, [p[k] for p in half]))
    return heaps


def score(result, heaps: Heaps) -> dict:
    found = {(Path(p.hi).name, Path(p.en).name) for p in result.pairs}
    correct = len(found & heaps.gold)
    precision = correct / len(found) if found else 0.0
    recall = correct / len(heaps.gold)
    f1 = 2 * precision * recall / (precision + recall) if correct else 0.0
    reported = {(u.side, Path(u.id).name) for u in result.unpaired}
    truly = {(side, name) for side, names in heaps.unpaired.items() for name in names}
    return {
        "pairs (gold)": len(heaps.gold),
        "unpaired hi/en (gold)": f"{len(heaps.unpaired['hi'])}/{len(heaps.unpaired['en'])}",
        "pairs found": len(found),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "F1": round(f1, 4),
        "unpaired reported": f"{len(reported & truly)}/{len(truly)}",
    }


def run_set(name: str, streams, pairer: DocumentPairer, seed: int) -> dict:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        heaps = write_heaps(cut(streams, rng), Path(tmp), rng)
        start = time.perf_counter()
        hi, en = read_heap(Path(tmp) / "hi", "hi"), read_heap(Path(tmp) / "en", "en")
        result = pairer.pair(hi.documents, en.documents)
        seconds = time.perf_counter() - start
    return {"set": name, **score(result, heaps), "seconds": round(seconds, 2)}


def resampled_heaps(streams, size: int, folder: Path, rng: random.Random) -> Heaps:
    """`size` documents a side, 30% unpaired, each of 1-40 random real sentence pairs."""
    pool = [(h.strip(), e.strip()) for _, pairs in streams for h, e in pairs if h.strip() and e.strip()]
    n_pairs = round(size * (1 - UNPAIRED_SHARE))
    chunks = [
        Chunk("resampled", rng.sample(pool, document_length(rng)))
        for _ in range(n_pairs + 2 * (size - n_pairs))
    ]
    for side in ("hi", "en"):
        (folder / side).mkdir(parents=True)
    heaps = Heaps()
    for k, chunk in enumerate(chunks):
        role = "pair" if k < n_pairs else ("hi" if k < size else "en")
        text = {s: render([p[i] for p in chunk.pairs], False, False, rng) for i, s in enumerate(("hi", "en"))}
        for side in ("hi", "en"):
            if role in ("pair", side):
                (folder / side / f"{k:06d}-{side}.txt").write_text(text[side], encoding="utf-8")
        if role == "pair":
            heaps.gold.add((f"{k:06d}-hi.txt", f"{k:06d}-en.txt"))
        else:
            heaps.unpaired[role].add(f"{k:06d}-{role}.txt")
    return heaps


def all_pairs_seconds(pairer: DocumentPairer, hi_docs, en_docs, rows_limit: int | None = None) -> float:
    """Baseline: every Hindi row scored against every English row, then the same matching."""
    from translate_kit.align.pairing import FeatureSpace

    start = time.perf_counter()
    hi_bags = [pairer.hindi_bag(d) for d in hi_docs]
    en_bags = [pairer.english_bag(d) for d in en_docs]
    space = FeatureSpace(hi_bags, en_bags)
    hi_matrix, en_matrix = space.weighted(hi_bags, "hi"), space.weighted(en_bags, "en")
    product = (hi_matrix[:rows_limit] @ en_matrix.T).tocoo()
    assignment_matching(product.row, product.col, product.data, hi_matrix.shape[0], en_matrix.shape[0])
    return time.perf_counter() - start


def run_scale(streams, size: int, pairer: DocumentPairer, seed: int) -> dict:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        heaps = resampled_heaps(streams, size, Path(tmp), rng)
        start = time.perf_counter()
        hi, en = read_heap(Path(tmp) / "hi", "hi"), read_heap(Path(tmp) / "en", "en")
        read = time.perf_counter() - start
        hi_bags = [pairer.hindi_bag(d) for d in hi.documents]
        en_bags = [pairer.english_bag(d) for d in en.documents]
        features = time.perf_counter() - start - read
        result = pairer.pair_bags(hi.documents, en.documents, hi_bags, en_bags)
        total = time.perf_counter() - start
        row = {
            "documents a side": size,
            **score(result, heaps),
            "read s": round(read, 2),
            "features s": round(features, 2),
            "index+score+match s": round(total - read - features, 2),
            "total s": round(total, 2),
        }
        if size <= 1000:
            baseline = all_pairs_seconds(pairer, hi.documents, en.documents)
            row["all-pairs baseline s (features+score+match)"] = round(baseline, 2)
            row["index / all-pairs"] = round((total - read) / baseline, 3)
    return row


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--opus-testsets", type=Path, help="a checkout of Helsinki-NLP/OPUS-MT-testsets")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", type=int, nargs="*", default=[])
    parser.add_argument("--matching", choices=("hungarian", "greedy"), default="hungarian")
    parser.add_argument("--min-score", type=float, default=None)
    parser.add_argument("--no-freedict", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    settings = PairingSettings(matching=args.matching)
    if args.min_score is not None:
        settings = PairingSettings(matching=args.matching, min_score=args.min_score)
    pairer = DocumentPairer(None, settings) if args.no_freedict else DocumentPairer.with_freedict(settings)
    rows = [run_set("dev: newsdev2014 + tico19", dev_streams(args.data), pairer, args.seed)]
    if args.opus_testsets:
        held = heldout_streams(args.opus_testsets)
        rows.append(run_set("held-out: newstest2014 + NTREX-128", held, pairer, args.seed))
    quality = pd.DataFrame(rows)
    print(quality.to_markdown(index=False))
    scale_rows = []
    if args.scale:
        everything = dev_streams(args.data) + (
            heldout_streams(args.opus_testsets) if args.opus_testsets else []
        )
        for size in args.scale:
            scale_rows.append(run_scale(everything, size, pairer, args.seed))
            print(pd.DataFrame(scale_rows[-1:]).to_markdown(index=False))
    if args.out:
        text = [
            "# Document pairing on real news\n",
            "```\npython "
            + " ".join([str(Path(sys.argv[0]).as_posix()), *(argv or sys.argv[1:])])
            + "\n```\n",
            f"Settings: `{settings}`; lexicon: {'none' if args.no_freedict else 'FreeDict eng-hin'}\n",
            quality.to_markdown(index=False),
            "",
        ]
        if scale_rows:
            text += [
                "## Time per heap size (resampled real sentences)\n",
                pd.DataFrame(scale_rows).to_markdown(index=False),
                "",
            ]
        args.out.write_text("\n".join(text) + "\n", encoding="utf-8")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
