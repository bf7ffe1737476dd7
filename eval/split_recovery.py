"""How many sentences does `translate_kit.segment` recover from paragraphs built of known sentences?

The test sets hold one sentence a line. Consecutive lines are joined with a space into paragraphs of
3, 4, 5, 6, 3, 4, ... lines (a fixed cycle, so the measurement is deterministic); a line counts as
recovered when the splitter returns exactly its span. Some lines of the test sets hold two
sentences (a translator's choice: "... है। ... है।" for one English sentence); a correct splitter
cuts them, so the table also counts lines whose both edges are found ("edges": the line starts
and ends a predicted sentence and no predicted sentence crosses either edge). Lines that do not
end with an end mark (headlines, list items) cannot be told apart from the next sentence once
joined, so the rate is
also given over the paragraphs' "well-formed" lines: a line is well-formed when it and the line
before it in its paragraph both end with an end mark (optionally followed by closing quotes).

`--baseline` adds the same table for IndicNLP's own `sentence_split` (its sentences mapped back to
spans), measured in the same run.

    python eval/split_recovery.py [DATA_DIR] [--show-failures N] [--baseline]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import regex

from translate_kit.segment import sentence_spans

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FILES = (("newsdev2014.hi", "hin_Deva"), ("newsdev2014.en", "eng_Latn"),
         ("tico19-test.hi", "hin_Deva"), ("tico19-test.en", "eng_Latn"))
GROUP_SIZES = (3, 4, 5, 6)
_ENDS_WITH_MARK = regex.compile(r"[।॥.?!|…][\"'”’»)\]]*$")


@dataclass
class Recovery:
    file: str
    sentences: int
    recovered: int
    edges: int
    well_formed: int
    well_formed_recovered: int
    well_formed_edges: int
    failures: list[tuple[str, list[str]]]

    @property
    def rate(self) -> float:
        return self.recovered / self.sentences if self.sentences else 1.0

    @property
    def edge_rate(self) -> float:
        return self.edges / self.sentences if self.sentences else 1.0

    @property
    def well_formed_rate(self) -> float:
        return self.well_formed_recovered / self.well_formed if self.well_formed else 1.0

    @property
    def well_formed_edge_rate(self) -> float:
        return self.well_formed_edges / self.well_formed if self.well_formed else 1.0


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
    result = Recovery(path.name, 0, 0, 0, 0, 0, 0, [])
    for group in paragraphs(path.read_text(encoding="utf-8").split("\n")):
        text = " ".join(group)
        predicted = set(splitter(text, lang))
        starts, ends = {a for a, _ in predicted}, {b for _, b in predicted}
        start, previous_ends = 0, True
        for line in group:
            span = (start, start + len(line))
            ok = span in predicted
            edges = span[0] in starts and span[1] in ends
            well_formed = previous_ends and bool(_ENDS_WITH_MARK.search(line))
            result.sentences += 1
            result.recovered += ok
            result.edges += edges
            result.well_formed += well_formed
            result.well_formed_recovered += ok and well_formed
            result.well_formed_edges += edges and well_formed
            if not edges and well_formed:
                result.failures.append((line, [text[a:b] for a, b in sorted(predicted)]))
            previous_ends = bool(_ENDS_WITH_MARK.search(line))
            start = span[1] + 1
    return result


def recovery_table(
    data_dir: Path, splitter: Splitter = sentence_spans
) -> tuple[pd.DataFrame, list[Recovery]]:
    """Recovery per test-set file: a table for people, and the details (with failures)."""
    results = [measure(data_dir / "hi-en" / name, lang, splitter) for name, lang in FILES]
    table = pd.DataFrame(
        [{"file": r.file, "lines": r.sentences, "exact%": round(100 * r.rate, 2),
          "edges%": round(100 * r.edge_rate, 2), "well_formed": r.well_formed,
          "wf_exact%": round(100 * r.well_formed_rate, 2),
          "wf_edges%": round(100 * r.well_formed_edge_rate, 2)}
         for r in results]
    )
    return table, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show-failures", type=int, default=0, metavar="N",
                        help="print up to N well-formed lines whose edges were missed, per file")
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
    for result in results:
        for line, predicted in result.failures[: args.show_failures]:
            print(f"\n[{result.file}] missed: {line}")
            for sentence in predicted:
                print(f"    | {sentence}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
