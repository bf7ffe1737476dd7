"""Precision and recall of the per-sentence "needs translation" decision on real sentences.

The labelled set holds sentences as the document pipeline sees them (blocks of real Hindi
documentation cut into sentences, markup tokens removed) and sentences of real news, each with its
language: "hi" (Hindi, code-mixed technical Hindi with English terms included), "en" (English) or
"none" (a URL or a number: nothing to translate in either direction). Categories:

  code-mixed        Hindi documentation sentences with Latin-script words ("GitHub पर इसे ...")
  hindi-doc         Hindi documentation sentences in Devanagari only
  hindi-news-latin  TICO-19 Hindi sentences holding Latin-script names or acronyms
  hindi-news        TICO-19 Hindi sentences in Devanagari only
  english-in-hindi  English sentences inside the Hindi documentation (quotes, untranslated passages)
  english-news      TICO-19 English sentences
  url-number        URLs and numbers found in the Hindi documentation

How the labels were made: by where a sentence comes from (a TICO-19 side, a Hindi page), then
checked by reading: every documentation sentence whose share of Devanagari letters is below 50%
(where a script vote is unsure) was read and judged; those with Hindi words are Hindi (see
`MANUAL` for the ones judged otherwise). The held-out part is a quarter of the documents (and of
the TICO-19 lines), chosen by a hash of the name, and was never looked at while choosing the
English -> Hindi word-share threshold.

Sources: github/opensource.guide `_articles/hi/` and reactjs/hi.react.dev `src/content/`, both
CC-BY 4.0; TICO-19 test set (CC0) from ../shared/data. `build` writes the set (the project keeps
it as tests/data/language_decision.tsv, with that attribution); `evaluate` scores the decision of
translate_kit.languages against the old share-of-letters vote (a sentence is Hindi when 30% of its
letters are Devanagari), measured in the same run.

    python eval/language_decision.py build --docs DIR [--docs DIR ...] --shared ../shared/data -o SET.tsv
    python eval/language_decision.py evaluate [SET.tsv] [-o eval/results/language_decision.md]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
from pathlib import Path

import pandas as pd

from translate_kit.documents import read_document
from translate_kit.documents.model import TOKEN_PATTERN
from translate_kit.languages import ENGLISH, HINDI, detect_lang, devanagari_share, needs_translation
from translate_kit.segment import sentence_spans

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SET = ROOT / "tests" / "data" / "language_decision.tsv"
SIZES = {
    "code-mixed": 200,
    "hindi-doc": 60,
    "hindi-news-latin": 40,
    "hindi-news": 40,
    "english-in-hindi": 80,
    "english-news": 40,
    "url-number": 30,
}
LANG_OF = {
    "code-mixed": "hi",
    "hindi-doc": "hi",
    "hindi-news-latin": "hi",
    "hindi-news": "hi",
    "english-in-hindi": "en",
    "english-news": "en",
    "url-number": "none",
}
MANUAL: dict[str, str] = {}
"""Sentences whose language, judged by reading, differs from their category's (none found so far)."""
HEADER = """# Labelled sentences for the per-sentence language decision (eval/language_decision.py).
# Sources: github/opensource.guide _articles/hi/ (CC-BY 4.0, (c) GitHub and contributors) and
# reactjs/hi.react.dev src/content/ (CC-BY 4.0, (c) Meta Platforms and contributors), sentences
# cut from the pages; TICO-19 test set (CC0). Columns: split, category, lang, source, sentence.
"""
_LATIN = re.compile(r"[A-Za-z]")
_DEVANAGARI = re.compile(r"[\u0900-\u0963\u0966-\u097f]")
_URL_OR_NUMBER = re.compile(r"(?:https?://\S+|[\d.,:%/-]+)")


def _heldout(name: str) -> bool:
    return int(hashlib.sha1(name.encode("utf-8")).hexdigest(), 16) % 4 == 0


def doc_sentences(folders: list[Path]) -> list[tuple[str, str]]:
    """(sentence, source) of every unit of every Markdown/HTML page, as the pipeline cuts them."""
    seen: dict[str, str] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() not in (".md", ".html"):
                continue
            doc = read_document(path)
            for block in doc.translatable():
                for _key, text in block.units():
                    for start, end in sentence_spans(text, HINDI):
                        sentence = " ".join(TOKEN_PATTERN.sub(" ", text[start:end]).split())
                        if sentence:
                            seen.setdefault(sentence, f"{folder.name}/{path.name}")
    return list(seen.items())


def _doc_category(sentence: str) -> str | None:
    if _DEVANAGARI.search(sentence):
        return "code-mixed" if _LATIN.search(sentence) else "hindi-doc"
    if _URL_OR_NUMBER.fullmatch(sentence):
        return "url-number"
    words = re.findall(r"[A-Za-z]+", sentence)
    if len(words) >= 4 and re.search(r"[.?!:]$", sentence):
        return "english-in-hindi"
    return None  # names, code fragments, headings: no reliable label


def build(doc_folders: list[Path], shared: Path) -> pd.DataFrame:
    pools: dict[str, list[tuple[str, str]]] = {name: [] for name in SIZES}
    for sentence, source in doc_sentences(doc_folders):
        category = _doc_category(sentence)
        if category:
            pools[category].append((sentence, source))
    for side, lang in (("hi", HINDI), ("en", ENGLISH)):
        path = shared / "hi-en" / f"tico19-test.{side}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            if lang == HINDI:
                category = "hindi-news-latin" if _LATIN.search(line) else "hindi-news"
            else:
                category = "english-news"
            pools[category].append((line, f"tico19-test.{side}:{number}"))
    rng = random.Random(13)
    rows = []
    for category, size in SIZES.items():
        pool = sorted(set(pools[category]))
        # every sentence where a script vote is unsure is in the set; the rest is sampled
        unsure = [p for p in pool if 0 < devanagari_share(p[0]) < 0.5]
        rest = [p for p in pool if p not in set(unsure)]
        chosen = unsure + rng.sample(rest, max(0, min(len(rest), size - len(unsure))))
        for sentence, source in chosen:
            name = source.rsplit(":", 1)[0] if source.startswith("tico19") else source
            key = source if source.startswith("tico19") else name
            split = "heldout" if _heldout(key) else "dev"
            lang = MANUAL.get(sentence, LANG_OF[category])
            rows.append((split, category, lang, source, sentence))
    return pd.DataFrame(rows, columns=["split", "category", "lang", "source", "sentence"])


def read_set(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", comment="#", quoting=3, dtype=str, keep_default_na=False)


def write_set(frame: pd.DataFrame, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(HEADER)
        frame.to_csv(handle, sep="\t", index=False, quoting=3)


def old_vote(sentence: str, src: str, tgt: str) -> bool:
    """The decision before: letters present and a 30% Devanagari share vote says not the target."""
    return any(c.isalpha() for c in sentence) and detect_lang(sentence, default=src) != tgt


RULES = {"per-sentence script rule": needs_translation, "old 30% letter vote": old_vote}
DIRECTIONS = {"hi->en": (HINDI, ENGLISH, "hi"), "en->hi": (ENGLISH, HINDI, "en")}


def evaluate(frame: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for direction, (src, tgt, gold_lang) in DIRECTIONS.items():
        for split in ("dev", "heldout", "all"):
            part = frame if split == "all" else frame[frame["split"] == split]
            gold = part["lang"] == gold_lang
            for rule_name, rule in RULES.items():
                predicted = part["sentence"].map(lambda s, r=rule, a=src, b=tgt: r(s, a, b))
                tp = int((gold & predicted).sum())
                fp = int((~gold & predicted).sum())
                fn = int((gold & ~predicted).sum())
                pure = gold & ~part["sentence"].str.contains("[A-Za-z]", regex=True)
                rows.append(
                    {
                        "direction": direction,
                        "split": split,
                        "rule": rule_name,
                        "sentences": len(part),
                        "need translation": int(gold.sum()),
                        "precision %": round(100 * tp / (tp + fp), 2) if tp + fp else float("nan"),
                        "recall %": round(100 * tp / (tp + fn), 2) if tp + fn else float("nan"),
                        "false copies": fn,
                        "false copies, no Latin letter": int((pure & ~predicted).sum()),
                        "needless translations": fp,
                    }
                )
    return pd.DataFrame(rows)


def misses(frame: pd.DataFrame) -> pd.DataFrame:
    """Sentences the current rule decides wrongly, in either direction."""
    rows = []
    for direction, (src, tgt, gold_lang) in DIRECTIONS.items():
        for row in frame.itertuples():
            if needs_translation(row.sentence, src, tgt) != (row.lang == gold_lang):
                rows.append(
                    {"direction": direction, "split": row.split, "lang": row.lang, "sentence": row.sentence}
                )
    return pd.DataFrame(rows, columns=["direction", "split", "lang", "sentence"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build")
    make.add_argument("--docs", type=Path, action="append", required=True)
    make.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    make.add_argument("-o", "--output", type=Path, default=DEFAULT_SET)
    score = commands.add_parser("evaluate")
    score.add_argument("set", type=Path, nargs="?", default=DEFAULT_SET)
    score.add_argument("-o", "--output", type=Path)
    args = parser.parse_args(argv)
    if args.command == "build":
        frame = build(args.docs, args.shared)
        write_set(frame, args.output)
        print(frame.groupby(["category", "split"]).size().unstack(fill_value=0).to_string())
        return 0
    frame = read_set(args.set)
    table = evaluate(frame)
    wrong = misses(frame)
    counts = frame.groupby(["category", "split"]).size().unstack(fill_value=0)
    shown = args.set.relative_to(ROOT) if args.set.is_relative_to(ROOT) else args.set
    report = (
        "# Per-sentence language decision\n\n"
        f"Command: `python eval/language_decision.py evaluate {shown}`\n\n"
        f"Labelled set: {len(frame)} sentences\n\n{counts.to_markdown()}\n\n"
        "Needs translation: precision and recall (gold: the sentence is in the source language)\n\n"
        f"{table.to_markdown(index=False)}\n\n"
        f"Sentences the per-sentence rule gets wrong: {len(wrong)}\n\n"
        + (wrong.to_markdown(index=False) if len(wrong) else "")
        + "\n"
    )
    print(report)
    if args.output:
        args.output.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
