"""Gold alignments built from real parallel news: documents, paragraphs, joins and deletions.

Line-aligned test sets of real news are cut into documents and perturbed with a fixed seed, one
side at a time: two neighbouring sentences joined (a 2-1 or 1-2 bead), sentences deleted (1-0
or 0-1), paragraph breaks dropped or added; the first short sentence of a document becomes a
heading. Each document is kept in presplit form (one sentence a line, a blank line between
paragraphs, `# ` before a heading) with its gold beads.

Sets (sentence-aligned, consecutive sentences of real articles):
- development, used for tuning: newsdev2014 and tico19-test (../shared/data/hi-en) and, when
  given, WMT newstest2014 hi-en (cut into documents of 10-40 sentences);
- held out, never used for tuning: NTREX-128 (newstest2019 English news with its Hindi
  translation), cut at its real document boundaries (DOCUMENT_IDS.tsv): 123 articles.
The two extra sets come from Helsinki-NLP/OPUS-MT-testsets (commit ac0f19c0be3c):
`datasets/statmt/wmt_newstest/2014/hi-en/newstest2014.{hi,en}` and
`datasets/microsoft/ntrex/NTREX/{NTREX-128/newstest2019-ref.hin.txt,NTREX-128/newstest2019-src.eng.txt,
DOCUMENT_IDS.tsv}`, saved as newstest2014.{hi,en} and ntrex128.{hi,en,docids} in the folder given
with --extra-data (they are not part of the project).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
CORPORA = ("newsdev2014", "tico19-test")


@dataclass
class DevDoc:
    name: str
    hi_lines: list[str]  # presplit form: sentences, "" between paragraphs, "# " headings
    en_lines: list[str]
    gold: list[tuple[list[int], list[int]]]


def _read_pairs(hi_path: Path, en_path: Path) -> list[tuple[str, str]]:
    hi = hi_path.read_text(encoding="utf-8").splitlines()
    en = en_path.read_text(encoding="utf-8").splitlines()
    if len(hi) != len(en):
        raise ValueError(f"{hi_path} and {en_path} differ in length")
    return list(zip(hi, en, strict=True))


def _chunks(pairs: list, rng: random.Random, doc_size: tuple[int, int]) -> Iterable[tuple[int, list]]:
    start = 0
    while start < len(pairs):
        size = rng.randint(*doc_size)
        yield start, pairs[start : start + size]
        start += size


def build_dev_set(
    data: Path, seed: int = 13, doc_size: tuple[int, int] = (25, 60), extra: Path | None = None
) -> list[DevDoc]:
    """Development documents; deterministic for a seed. With `extra`, newstest2014 is added."""
    rng = random.Random(seed)
    docs = []
    for corpus in CORPORA:
        pairs = _read_pairs(data / "hi-en" / f"{corpus}.hi", data / "hi-en" / f"{corpus}.en")
        for start, chunk in _chunks(pairs, rng, doc_size):
            docs.append(_perturb(f"{corpus}:{start}", chunk, rng))
    if extra is not None and (extra / "newstest2014.hi").is_file():
        pairs = _read_pairs(extra / "newstest2014.hi", extra / "newstest2014.en")
        for start, chunk in _chunks(pairs, rng, (10, 40)):
            docs.append(_perturb(f"newstest2014:{start}", chunk, rng))
    return docs


def build_held_out_set(extra: Path, seed: int = 13) -> list[DevDoc]:
    """NTREX-128 articles at their real boundaries, perturbed like the development set."""
    rng = random.Random(seed)
    pairs = _read_pairs(extra / "ntrex128.hi", extra / "ntrex128.en")
    ids = (extra / "ntrex128.docids").read_text(encoding="utf-8").splitlines()
    docs: dict[str, list] = {}
    for doc_id, pair in zip(ids, pairs, strict=True):
        docs.setdefault(doc_id, []).append(pair)
    return [_perturb(f"ntrex128:{doc_id}", chunk, rng) for doc_id, chunk in docs.items()]


def _perturb(name: str, pairs: list[tuple[str, str]], rng: random.Random) -> DevDoc:
    pairs = [(h.strip(), e.strip()) for h, e in pairs if h.strip() and e.strip()]
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
