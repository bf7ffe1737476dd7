"""How many sentences does `translate_kit.segment` recover from paragraphs built of known sentences?

The test sets hold one sentence a line, mostly. Consecutive lines are joined with a space into
paragraphs of 3, 4, 5, 6, 3, 4, ... lines (a fixed cycle, so the measurement is deterministic); a
line counts as recovered ("exact") when the splitter returns exactly its span, and its "edges" are
found when it starts and ends a predicted sentence (a line holding two sentences, cut in two by a
correct splitter, keeps its edges).

Not every gold line is one sentence, so the exact rate is also given over the lines that are:
  - "multi" lines hold a sentence end inside: a danda or "॥" before the line's last characters,
    or "?", "!" or "." followed by whitespace and a capital Latin letter, a Devanagari letter or
    a digit, where a "." counts only after a digit, a space (tokenised "infections . Gilead"), a
    lowercase Latin word of two letters or more, or a word of five letters or more ("Malviya.");
    so "Dr. Smith", "Govt. order", "U.S. Army" and Hindi abbreviations ("डॉ. एस.") never count;
    a word glued to the next sentence counts too when it is lowercase or a capitalised word of four
    letters or more ("per day.Open source", "in early January.During");
  - "no_end" lines do not end with an end mark (headlines, list items, chat fragments): once
    joined they cannot be told apart from the next line.
"single" = all lines minus those two groups. A single-sentence line right after a "no_end" line
cannot be recovered either (its start is invisible); "clean" also drops those ("after_no_end").
Files are reported one by one and pooled per language (hi = both Hindi files, en = both English).

`--baseline` adds the same table for IndicNLP's own `sentence_split` (its sentences mapped back to
spans), measured in the same run.

    python eval/split_recovery.py [DATA_DIR] [--show-failures N] [--baseline]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd
import regex

from translate_kit.segment import sentence_spans

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FILES = (("newsdev2014.hi", "hin_Deva"), ("newsdev2014.en", "eng_Latn"),
         ("tico19-test.hi", "hin_Deva"), ("tico19-test.en", "eng_Latn"))
POOLS = (("hi", "hin_Deva"), ("en", "eng_Latn"))
GROUP_SIZES = (3, 4, 5, 6)
_CLOSERS = r"[\"'”’»)\]]*"
_ENDS_WITH_MARK = regex.compile(r"[।॥.?!|…]" + _CLOSERS + "$")
_INTERNAL_END = regex.compile(
    r"[।॥]" + _CLOSERS + r"\s+\S"
    r"|(?:[?!]|(?<=(?:\d|\s|(?<![\p{L}.])[a-z]{2,}|(?<![\p{L}.])\p{Lu}?[a-z]{4,}))\.)" + _CLOSERS
    + r"\s+[\"'“‘(]*[A-Z\p{Devanagari}0-9]"
    r"|(?<=(?<![\p{L}.])(?:[a-z]{2,}|\p{Lu}[a-z]{3,}))\.[A-Z][a-z]"
)


def line_kind(line: str) -> str:
    """"no_end", "multi" or "single": whether a gold line can be a single sentence at all."""
    if not _ENDS_WITH_MARK.search(line):
        return "no_end"
    return "multi" if _INTERNAL_END.search(line) else "single"


@dataclass
class Recovery:
    name: str
    lines: int = 0
    exact: int = 0
    edges: int = 0
    multi: int = 0
    no_end: int = 0
    single_exact: int = 0
    after_no_end: int = 0
    clean_exact: int = 0
    failures: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def single(self) -> int:
        return self.lines - self.multi - self.no_end

    @property
    def clean(self) -> int:
        return self.single - self.after_no_end

    def add(self, other: Recovery) -> None:
        for counter in fields(self):
            if counter.type == "int":
                setattr(self, counter.name, getattr(self, counter.name) + getattr(other, counter.name))

    def row(self) -> dict[str, object]:
        def pct(part: int, whole: int) -> float:
            return round(100 * part / whole, 2) if whole else 100.0

        return {"set": self.name, "lines": self.lines, "exact%": pct(self.exact, self.lines),
                "edges%": pct(self.edges, self.lines), "-multi": self.multi, "-no_end": self.no_end,
                "single": self.single, "single_exact%": pct(self.single_exact, self.single),
                "-after_no_end": self.after_no_end, "clean_exact%": pct(self.clean_exact, self.clean)}


def paragraphs(lines: list[str]) -> list[list[str]]:
    """Consecutive non-empty lines grouped 3, 4, 5, 6, 3, ... at a time."""
    lines = [" ".join(line.split()) for line in lines if line.strip()]
    groups, pos = [], 0
    for size in itertools.cycle(GROUP_SIZES):
        if pos >= len(lines):
            return groups
        groups.append(lines[pos:pos + size])
        pos += size
    return groups


Splitter = Callable[[str, str], list[tuple[int, int]]]


def indicnlp_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """IndicNLP's `sentence_split`, its (stripped) sentences found back in `text` in order."""
    from indicnlp.tokenize.sentence_tokenize import sentence_split

    spans, position = [], 0
    for sentence in sentence_split(text, "hi" if lang == "hin_Deva" else "en"):
        start = text.find(sentence, position)
        if start >= 0:
            spans.append((start, start + len(sentence)))
            position = start + len(sentence)
    return spans


def measure(path: Path, lang: str, splitter: Splitter = sentence_spans) -> Recovery:
    result = Recovery(path.name)
    for group in paragraphs(path.read_text(encoding="utf-8").split("\n")):
        text = " ".join(group)
        predicted = set(splitter(text, lang))
        starts, ends = {a for a, _ in predicted}, {b for _, b in predicted}
        start, previous = 0, "single"
        for line in group:
            span = (start, start + len(line))
            kind = line_kind(line)
            ok = span in predicted
            result.lines += 1
            result.exact += ok
            result.edges += span[0] in starts and span[1] in ends
            result.multi += kind == "multi"
            result.no_end += kind == "no_end"
            if kind == "single":
                result.single_exact += ok
                if previous == "no_end":
                    result.after_no_end += 1
                else:
                    result.clean_exact += ok
                    if not ok:
                        result.failures.append((line, [text[a:b] for a, b in sorted(predicted)]))
            previous, start = kind, span[1] + 1
    return result


def recovery_table(
    data_dir: Path, splitter: Splitter = sentence_spans
) -> tuple[pd.DataFrame, list[Recovery]]:
    """Recovery per test-set file and pooled per language: a table for people, and the details."""
    results = [measure(data_dir / "hi-en" / name, lang, splitter) for name, lang in FILES]
    for pool, lang in POOLS:
        pooled = Recovery(pool)
        for result, (_, file_lang) in zip(results[:len(FILES)], FILES, strict=True):
            if file_lang == lang:
                pooled.add(result)
        results.append(pooled)
    return pd.DataFrame([r.row() for r in results]), results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show-failures", type=int, default=0, metavar="N",
                        help="print up to N missed clean single-sentence lines per file")
    parser.add_argument("--baseline", action="store_true", help="also measure IndicNLP's sentence_split")
    args = parser.parse_args(argv)
    if not (args.data_dir / "hi-en").is_dir():
        print(f"no test sets under {args.data_dir}/hi-en", file=sys.stderr)
        return 1
    table, results = recovery_table(args.data_dir)
    print("translate_kit.segment")
    print(table.to_string(index=False))
    if args.baseline:
        print("\nindicnlp sentence_split (baseline)")
        print(recovery_table(args.data_dir, indicnlp_spans)[0].to_string(index=False))
    for result in results[:len(FILES)]:
        for line, predicted in result.failures[: args.show_failures]:
            print(f"\n[{result.name}] missed: {line}")
            for sentence in predicted:
                print(f"    | {sentence}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
