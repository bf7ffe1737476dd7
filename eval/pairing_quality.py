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
Baseline in the same run, on the 1,000 heap: the same pairing with every N x M document pair as a
candidate instead of the anchor index's few. Times are CPU seconds of this process (the machine is
shared, so wall-clock times are also shown but vary with load).

    flock /work/bench.lock python eval/pairing_quality.py --opus-testsets DIR \
        [--scale 1000 10000] [--out eval/results/pairing.md]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from translate_kit.align.pairing import DocumentPairer, PairingSettings
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
        cpu = time.process_time()
        hi, en = read_heap(Path(tmp) / "hi", "hi"), read_heap(Path(tmp) / "en", "en")
        result = pairer.pair(hi.documents, en.documents)
        seconds = time.process_time() - cpu
    return {"set": name, "seed": seed, **score(result, heaps), "read+pair s (cpu)": round(seconds, 2)}


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


def timed(pairer: DocumentPairer, hi, en, hi_bags, en_bags):
    """The pairing of prepared bags with its wall-clock and CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = pairer.pair_bags(hi.documents, en.documents, hi_bags, en_bags)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def run_scale(streams, size: int, pairer: DocumentPairer, seed: int, baseline: bool) -> dict:
    """Heaps of `size` resampled documents a side; with `baseline`, also every N x M pair scored."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        heaps = resampled_heaps(streams, size, Path(tmp), rng)
        wall, cpu = time.perf_counter(), time.process_time()
        hi, en = read_heap(Path(tmp) / "hi", "hi"), read_heap(Path(tmp) / "en", "en")
        read = (time.perf_counter() - wall, time.process_time() - cpu)
        wall, cpu = time.perf_counter(), time.process_time()
        hi_bags = [pairer.hindi_bag(d) for d in hi.documents]
        en_bags = [pairer.english_bag(d) for d in en.documents]
        features = (time.perf_counter() - wall, time.process_time() - cpu)
        result, pair_wall, pair_cpu = timed(pairer, hi, en, hi_bags, en_bags)
        row = {
            "documents a side": size,
            **score(result, heaps),
            "read s (cpu)": round(read[1], 1),
            "features s (cpu)": round(features[1], 1),
            "pairing s (cpu)": round(pair_cpu, 1),
            "pairing s (wall)": round(pair_wall, 1),
        }
        if baseline:
            everything = len(hi.documents) * len(en.documents)
            full = dataclasses.replace(pairer.settings, candidates=everything, index_features=everything)
            full = dataclasses.replace(full, max_postings=everything)
            all_pairs = DocumentPairer(pairer.lexicon, full)
            base, base_wall, base_cpu = timed(all_pairs, hi, en, hi_bags, en_bags)
            row["all N x M pairs: F1"] = score(base, heaps)["F1"]
            row["all N x M pairs: pairing s (cpu)"] = round(base_cpu, 1)
            row["index / all pairs (cpu)"] = round(pair_cpu / base_cpu, 3)
    return row


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--opus-testsets", type=Path, help="a checkout of Helsinki-NLP/OPUS-MT-testsets")
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 11, 23])
    parser.add_argument("--scale", type=int, nargs="*", default=[])
    parser.add_argument("--matching", choices=("hungarian", "greedy"), default="hungarian")
    parser.add_argument("--no-freedict", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    settings = PairingSettings(matching=args.matching)
    pairer = DocumentPairer(None, settings) if args.no_freedict else DocumentPairer.with_freedict(settings)
    sets = [("dev: newsdev2014 + tico19", dev_streams(args.data))]
    if args.opus_testsets:
        sets.append(("held-out: newstest2014 + NTREX-128", heldout_streams(args.opus_testsets)))
    rows = [run_set(name, streams, pairer, seed) for name, streams in sets for seed in args.seeds]
    quality = pd.DataFrame(rows)
    means = quality.groupby("set", sort=False)[["precision", "recall", "F1"]].mean().round(4).reset_index()
    print(quality.to_markdown(index=False), means.to_markdown(index=False), sep="\n\n")
    scale_rows = []
    if args.scale:
        everything = [streams for _, streams in sets]
        everything = [stream for streams in everything for stream in streams]
        for size in args.scale:
            scale_rows.append(run_scale(everything, size, pairer, args.seeds[0], baseline=size <= 1000))
            print(pd.DataFrame(scale_rows[-1:]).to_markdown(index=False))
    if args.out:
        command = " ".join(["python", Path(sys.argv[0]).as_posix(), *(argv or sys.argv[1:])])
        text = [
            "# Document pairing on real news\n",
            f"```\n{command}\n```\n",
            f"Settings: `{settings}`; lexicon: {'none' if args.no_freedict else 'FreeDict eng-hin'}\n",
            "## Quality per seed (documents cut and distractors drawn by the seed)\n",
            quality.to_markdown(index=False),
            "",
            "## Mean over seeds\n",
            means.to_markdown(index=False),
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
