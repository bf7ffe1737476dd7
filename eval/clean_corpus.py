"""How well `corpus clean` separates translations from noise, beside the field's filters, and how
well translation flags catch corrupted translations.

Data: newsdev2014 and TICO-19 test from ../shared/data/hi-en (FLORES-200 and NTREX are not there;
FLORES-200 devtest and NTREX-128 are kept for the held-out check the team does not run). Each file's
first half is the tune split, its second half the held-out split: the judge's constants and
penalties were set on tune only. eval/clean_noise.py makes the labelled noisy set of each split.

Filters compared on the same pairs: translate-kit (`api.clean_corpus`, defaults), plain exact
dedup, OpusFilter 3.x with the filters of its documented example configuration (length, length
ratio, long words, HTML, character script, language ID, terminal punctuation, non-zero numerals;
run from a separate virtual environment, --peers-python), and bicleaner-hardrules when it runs.

    python eval/clean_corpus.py --peers-python /tmp/peers-venv/bin/python --out eval/results/clean_corpus.md
    python eval/clean_corpus.py --fit-lengths     # the length models of translate_kit.checks.lengths
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clean_noise import CLEAN_CLASSES, NOISE_CLASSES, make_noisy, split_half  # noqa: E402

from translate_kit.api import CleanOptions, clean_corpus  # noqa: E402
from translate_kit.checks.flags import TranslationChecker  # noqa: E402
from translate_kit.checks.lengths import fit_length_model  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "hi-en"
SETS = ("newsdev2014", "tico19-test")
OPUSFILTER = r"""
import json, sys, time
from opusfilter.pipeline import FilterPipeline
config = [
    {"LengthFilter": {"unit": "word", "min_length": 1, "max_length": 100}},
    {"LengthRatioFilter": {"unit": "word", "threshold": 3}},
    {"LongWordFilter": {"threshold": 40}},
    {"HtmlTagFilter": {}},
    {"CharacterScoreFilter": {"scripts": ["Devanagari", "Latin"], "thresholds": [1, 1]}},
    {"LanguageIDFilter": {"languages": ["hi", "en"], "thresholds": [0, 0]}},
    {"TerminalPunctuationFilter": {}},
    {"NonZeroNumeralsFilter": {}},
]
pairs = [line.rstrip("\n").split("\t")[:2] for line in open(sys.argv[1], encoding="utf-8")]
pipeline = FilterPipeline.from_config(config)
start = time.perf_counter()
kept = [True] * len(pairs)
for f in pipeline.filters:
    for i, score in enumerate(f.score(pairs)):
        kept[i] = kept[i] and f.accept(score)
print(json.dumps({"kept": kept, "seconds": time.perf_counter() - start}))
"""


def load(split: str) -> list[tuple[str, str]]:
    pairs = []
    for name in SETS:
        hi = (DATA / f"{name}.hi").read_text(encoding="utf-8").splitlines()
        en = (DATA / f"{name}.en").read_text(encoding="utf-8").splitlines()
        pairs += split_half(list(zip(hi, en, strict=True)), split == "tune")
    return pairs


def run_translate_kit(rows: list[tuple[str, str, str]], folder: Path) -> tuple[list[bool], float]:
    source = folder / "noisy.tsv"
    rejected = folder / "rejected.jsonl"
    started = time.perf_counter()
    clean_corpus(str(source), str(folder / "kept.tsv"), CleanOptions(), rejected=str(rejected))
    seconds = time.perf_counter() - started
    dropped = {json.loads(line)["line"] for line in rejected.read_text(encoding="utf-8").split("\n") if line}
    return [i + 1 not in dropped for i in range(len(rows))], seconds


def run_exact_dedup(rows: list[tuple[str, str, str]]) -> list[bool]:
    seen, kept = set(), []
    for hi, en, _ in rows:
        kept.append((hi, en) not in seen)
        seen.add((hi, en))
    return kept


def run_peer(code: list[str], source: Path) -> tuple[list[bool] | None, float, str]:
    """A peer's keep decisions from a subprocess printing {"kept": [...], "seconds": s}, or why not."""
    done = subprocess.run([*code, str(source)], capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        return None, 0.0, (done.stderr.strip().splitlines() or ["failed"])[-1][:300]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return answer["kept"], answer["seconds"], ""


def run_bicleaner(peers_python: str, source: Path, folder: Path) -> tuple[list[bool] | None, float, str]:
    """bicleaner-hardrules as shipped on the TSV; its output adds a 0/1 column per line."""
    tool = Path(peers_python).with_name("bicleaner-hardrules")
    if not tool.exists():
        return None, 0.0, "not installed (see the report's notes)"
    output = folder / "bicleaner.out"
    started = time.perf_counter()
    done = subprocess.run(
        [
            str(tool),
            str(source),
            str(output),
            "-s",
            "hi",
            "-t",
            "en",
            "--scol",
            "1",
            "--tcol",
            "2",
            "--annotated_output",
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        return None, 0.0, (done.stderr.strip().splitlines() or ["failed"])[-1][:300]
    lines = output.read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[2] == "1" for line in lines], seconds, ""


def table(rows: list[tuple[str, str, str]], decisions: dict[str, list[bool] | None]) -> pd.DataFrame:
    """Per class the share removed (noise) or kept (clean), then clean kept and kept precision."""
    classes = [c for c in (*CLEAN_CLASSES, *NOISE_CLASSES) if any(r[2] == c for r in rows)]
    out = {}
    for tool, kept in decisions.items():
        if kept is None:
            continue
        column = {}
        for cls in classes:
            mine = [k for k, r in zip(kept, rows, strict=True) if r[2] == cls]
            share = sum(mine) / len(mine) if cls in CLEAN_CLASSES else 1 - sum(mine) / len(mine)
            column[f"{cls} ({'kept' if cls in CLEAN_CLASSES else 'removed'}, n={len(mine)})"] = round(
                share, 3
            )
        clean = [k for k, r in zip(kept, rows, strict=True) if r[2] in CLEAN_CLASSES]
        good = sum(k and r[2] in CLEAN_CLASSES for k, r in zip(kept, rows, strict=True))
        column["clean pairs kept"] = round(sum(clean) / len(clean), 4)
        column["kept-corpus precision"] = round(good / max(sum(kept), 1), 4)
        out[tool] = column
    return pd.DataFrame(out)


def corruptions(pairs: list[tuple[str, str]], rng: random.Random) -> list[tuple[str, str, str, str]]:
    """(direction, source, translation, class): clean references and corrupted copies of them."""
    rows = []
    for hi, en in pairs:
        for direction, source, target in (("hi-en", hi, en), ("en-hi", en, hi)):
            rows.append((direction, source, target, "clean"))
            words = target.split()
            numbered = [i for i, w in enumerate(words) if any(c.isdigit() for c in w)]
            if numbered:
                i = rng.choice(numbered)
                rows.append((direction, source, " ".join(words[:i] + words[i + 1 :]), "drop_number"))
            if len(words) >= 6:
                keep = max(2, int(len(words) * rng.uniform(0.4, 0.7)))
                rows.append((direction, source, " ".join(words[:keep]).rstrip(",;:"), "cut"))
                start, size = rng.randrange(len(words) - 3), rng.randint(2, 4)
                phrase = words[start : start + size]
                repeated = words[: start + size] + phrase * rng.randint(1, 3) + words[start + size :]
                rows.append((direction, source, " ".join(repeated), "repeat"))
            rows.append((direction, source, source, "left_untranslated"))
    return rows


FLAG_OF = {
    "drop_number": "number_lost",
    "cut": "truncated",
    "repeat": "repeated",
    "left_untranslated": "untranslated",
}


def flag_table(rows: list[tuple[str, str, str, str]]) -> tuple[pd.DataFrame, float, float]:
    checkers = {d: TranslationChecker(*d.split("-")) for d in ("hi-en", "en-hi")}
    started = time.perf_counter()
    found = [set(checkers[d].check(s, t).flags) for d, s, t, _ in rows]
    seconds = time.perf_counter() - started
    out = []
    for cls, flag in FLAG_OF.items():
        hits = [flag in f for f, r in zip(found, rows, strict=True) if r[3] == cls]
        false = sum(flag in f for f, r in zip(found, rows, strict=True) if r[3] == "clean")
        # Precision against the clean references: a cut translation that also lost a number is
        # rightly flagged number_lost, so other corruptions do not count as false alarms.
        precision = sum(hits) / max(sum(hits) + false, 1)
        out.append(
            {
                "corruption": cls,
                "flag": flag,
                "n": len(hits),
                "recall": round(sum(hits) / len(hits), 4),
                "clean flagged": false,
                "precision vs clean": round(precision, 4),
            }
        )
    clean = [bool(f) for f, r in zip(found, rows, strict=True) if r[3] == "clean"]
    return pd.DataFrame(out), sum(clean) / len(clean), len(rows) / seconds


def warm_rate(rows: list[tuple[str, str, str]]) -> float:
    """Pairs/s of the judge alone, one core, once its caches (transliterations, lexicon keys) are warm."""
    from translate_kit.checks import Judge

    judge = Judge()
    for hi, en, _ in rows:
        judge.judge(hi, en)
    started = time.perf_counter()
    for hi, en, _ in rows:
        judge.judge(hi, en)
    return len(rows) / (time.perf_counter() - started)


def fit_lengths() -> None:
    for name, direction in zip(SETS, ("hi-en", "en-hi"), strict=True):
        hi = (DATA / f"{name}.hi").read_text(encoding="utf-8").splitlines()
        en = (DATA / f"{name}.en").read_text(encoding="utf-8").splitlines()
        tune = split_half(list(zip(hi, en, strict=True)), True)
        for unit in ("chars", "words"):
            print(direction, unit, fit_length_model(tune, unit))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("tune", "held-out"), default="held-out")
    parser.add_argument(
        "--limit", type=int, help="use only the first N clean pairs of the split (quick runs)"
    )
    parser.add_argument(
        "--peers-python", help="interpreter with opusfilter (and bicleaner-hardrules) installed"
    )
    parser.add_argument("--out", help="write the Markdown report here")
    parser.add_argument("--fit-lengths", action="store_true")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    if args.fit_lengths:
        return fit_lengths()
    if not DATA.is_dir():
        sys.exit(f"no data at {DATA}")
    pairs = load(args.split)[: args.limit]
    rng = random.Random(args.seed)
    rows = make_noisy(pairs, rng, tune=args.split == "tune")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "noisy.tsv"
        source.write_text("".join(f"{hi}\t{en}\n".replace("\r", " ") for hi, en, _ in rows), encoding="utf-8")
        kit, kit_seconds = run_translate_kit(rows, folder)
        decisions = {"translate-kit": kit, "exact dedup": run_exact_dedup(rows)}
        speeds = {"translate-kit": len(rows) / kit_seconds, "translate-kit judge, warm": warm_rate(rows)}
        notes = []
        if args.peers_python:
            opus, seconds, why = run_peer([args.peers_python, "-c", OPUSFILTER], source)
            decisions["OpusFilter (example filters)"] = opus
            if opus is not None:
                speeds["OpusFilter (example filters)"] = len(rows) / seconds
            else:
                notes.append(f"OpusFilter did not run: {why}")
            bicleaner, seconds, why = run_bicleaner(args.peers_python, source, folder)
            decisions["bicleaner-hardrules"] = bicleaner
            if bicleaner is not None:
                speeds["bicleaner-hardrules"] = len(rows) / seconds
            else:
                notes.append(f"bicleaner-hardrules did not run: {why}")
    results = table(rows, decisions)
    flags, clean_flagged, flag_rate = flag_table(corruptions(pairs, random.Random(args.seed)))
    counts = Counter(r[2] for r in rows)
    text = [
        f"## Cleaning, {args.split} split: {len(rows)} pairs "
        f"({sum(counts[c] for c in CLEAN_CLASSES)} clean)\n",
        results.to_markdown(),
        "",
        "Speed on these pairs (one process; translate-kit includes reading, learning the lexicon and "
        "writing): " + ", ".join(f"{tool} {rate:,.0f} pairs/s" for tool, rate in speeds.items()) + ".",
        "",
        *[f"- {note}" for note in notes],
        "",
        f"## Flags on corrupted references, {args.split} split\n",
        flags.to_markdown(index=False),
        "",
        f"Clean references flagged (any flag): {clean_flagged:.4f}; {flag_rate:,.0f} checks/s.",
        "",
    ]
    report = "\n".join(text)
    print(report)
    if args.out:
        Path(args.out).write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
