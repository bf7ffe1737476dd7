"""Options of `translate-kit eval` and `compare` that change numbers, each checked against sacrebleu
itself (the scores must be exactly what sacrebleu gives for the same settings)."""

from __future__ import annotations

import io
import json
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
import sacrebleu
from sacrebleu.metrics import CHRF
from test_cli_evaluate import REFERENCE, SYSTEM, WORSE, ok, write

# Nukta letters written as letter + combining nukta (what NFC gives: they are composition exclusions)
HINDI_REF = [unicodedata.normalize("NFC", line) for line in
             ["भारत और रूस ने व्यापार पर चर्चा की।", "उन्होंने ज़मीन के क़ानून पर बात की।", "बैठक दो घंटे चली।"]]
# The same text with precomposed nukta letters (U+095B ज़, U+0958 क़), as much scraped Hindi is written.
HINDI_PRECOMPOSED = [line.replace("\u091c\u093c", "\u095b").replace("\u0915\u093c", "\u0958")
                     for line in HINDI_REF]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    return {name: write(tmp_path / f"{name}.en", lines)
            for name, lines in (("ref", REFERENCE), ("hyp", SYSTEM), ("worse", WORSE))}


def _json_scores(*args: str) -> dict[str, float]:
    document = json.loads(ok("eval", *args, "-f", "json").stdout)
    return {score["name"]: score["score"] for score in document["scores"]}


def test_lowercase_makes_bleu_and_chrf_case_insensitive(tmp_path: Path) -> None:
    hyp = write(tmp_path / "hyp.en", [line.upper() for line in SYSTEM])
    ref = write(tmp_path / "ref.en", REFERENCE)
    cased = _json_scores("--hyp", hyp, "--ref", ref, "-m", "bleu,chrf")
    folded = _json_scores("--hyp", hyp, "--ref", ref, "-m", "bleu,chrf", "--lowercase")
    upper = [line.upper() for line in SYSTEM]
    assert folded["BLEU"] == pytest.approx(sacrebleu.corpus_bleu(upper, [REFERENCE], lowercase=True).score)
    assert folded["chrF2"] == pytest.approx(CHRF(lowercase=True).corpus_score(upper, [REFERENCE]).score)
    assert cased["BLEU"] == pytest.approx(sacrebleu.corpus_bleu(upper, [REFERENCE]).score)
    assert folded["BLEU"] > 40 > cased["BLEU"]


@pytest.mark.parametrize("tokenize", ["char", "intl", "none"])
def test_tokenize_is_sacrebleus_tokenizer(files: dict[str, str], tokenize: str) -> None:
    scores = _json_scores("--hyp", files["hyp"], "--ref", files["ref"], "-m", "bleu", "--tokenize", tokenize)
    expected = sacrebleu.corpus_bleu(SYSTEM, [REFERENCE], tokenize=tokenize).score
    assert scores["BLEU"] == pytest.approx(expected)


def test_preset_nfc_scores_precomposed_nukta_as_the_same_letters(tmp_path: Path) -> None:
    hyp = write(tmp_path / "hyp.hi", HINDI_PRECOMPOSED)
    ref = write(tmp_path / "ref.hi", HINDI_REF)
    assert HINDI_PRECOMPOSED != HINDI_REF
    plain = _json_scores("--hyp", hyp, "--ref", ref, "--tgt-lang", "hi", "-m", "chrf", "--preset", "none")
    nfc = _json_scores("--hyp", hyp, "--ref", ref, "--tgt-lang", "hi", "-m", "chrf", "--preset", "nfc")
    assert nfc["chrF2"] == pytest.approx(100.0)
    assert plain["chrF2"] == pytest.approx(sacrebleu.corpus_chrf(HINDI_PRECOMPOSED, [HINDI_REF]).score)
    assert plain["chrF2"] < 90


def test_sort_by_orders_sentences_worst_first_by_that_metric(files: dict[str, str], tmp_path: Path) -> None:
    output = tmp_path / "sentences.csv"
    ok("eval", "--hyp", files["worse"], "--ref", files["ref"], "--sentences", "-m", "bleu,ter",
       "--sort-by", "ter", "-o", str(output))
    table = pd.read_csv(output)
    ter = [sacrebleu.sentence_ter(h, [r]).score for h, r in zip(WORSE, REFERENCE, strict=True)]
    worst_first = sorted(range(len(ter)), key=lambda i: -ter[i])  # TER: higher is worse
    assert list(table["line"]) == [i + 1 for i in worst_first]
    assert list(table["ter"]) == pytest.approx([ter[i] for i in worst_first], abs=0.05)


@pytest.mark.parametrize("fmt", ["csv", "markdown"])
def test_compare_tables_hold_each_systems_sacrebleu_score(files: dict[str, str], fmt: str) -> None:
    out = ok("compare", files["hyp"], files["worse"], "--ref", files["ref"], "-m", "bleu,chrf",
             "--name", "good", "--name", "worse", "--paired-bs", "--samples", "100", "--seed", "1",
             "-f", fmt, "-w", "2").stdout
    if fmt == "csv":
        table = pd.read_csv(io.StringIO(out))
    else:
        lines = [line for line in out.splitlines() if line.startswith("|")]
        cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
        table = pd.DataFrame(cells[2:], columns=cells[0])
    table = table.set_index(table.columns[0])
    assert list(table.index) == ["good", "worse"]
    bleu = [column for column in table.columns if column.lower().startswith("bleu")][0]
    expected = [sacrebleu.corpus_bleu(s, [REFERENCE]).score for s in (SYSTEM, WORSE)]
    assert [float(str(v).split()[0]) for v in table[bleu]] == pytest.approx(expected, abs=0.006)
