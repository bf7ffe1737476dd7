"""Options of `align` and `corpus build` that change which pairs come out, each shown to act:
the same inputs with and without the option, and the difference the option must make."""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
from click.testing import CliRunner
from test_align_cli import EN_PRESPLIT, HI_PRESPLIT, records

from translate_kit.align.article import parse_presplit
from translate_kit.api import AlignOptions
from translate_kit.cli import cli

# A Hindi line written in Latin letters, a one-word answer against a long English sentence, and
# lines whose words a small lexicon knows.
HI = """# किसानों के लिए नई योजना
सरकार ने सोमवार को किसानों के लिए 6000 रुपये की सहायता योजना शुरू की।
Sarkar ne nayi yojana ki ghoshna ki.
हाँ।
कृषि मंत्री नरेंद्र तोमर ने दिल्ली में इसकी घोषणा की।
"""
EN = """# New scheme for farmers
On Monday the government launched an assistance scheme of 6000 rupees for farmers.
The government announced a new scheme.
Yes, the minister then went on to describe the whole scheme in great detail to reporters.
Agriculture Minister Narendra Tomar announced it in Delhi.
"""
LEXICON = "योजना\tscheme\nसरकार\tgovernment\n"


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def _files(tmp_path, hi: str = HI, en: str = EN) -> tuple[str, str]:
    (tmp_path / "a.hi").write_text(hi, encoding="utf-8")
    (tmp_path / "a.en").write_text(en, encoding="utf-8")
    return str(tmp_path / "a.hi"), str(tmp_path / "a.en")


def _scores(output: str) -> dict[tuple, float]:
    return {(tuple(r["hi"]), tuple(r["en"])): r["score"] for r in records(output)}


# --------------------------------------------------------------------------- align


def test_align_min_score_leaves_out_exactly_the_beads_below_it(tmp_path):
    hi, en = _files(tmp_path)
    every = records(run("align", hi, en, "--presplit", "--no-freedict").stdout)
    kept = records(run("align", hi, en, "--presplit", "--no-freedict", "--min-score", "0.2").stdout)
    assert kept == [r for r in every if r["score"] >= 0.2]
    assert 0 < len(kept) < len(every)


def test_align_lexicon_raises_the_scores_of_pairs_it_knows_words_of(tmp_path):
    hi, en = _files(tmp_path)
    (tmp_path / "lex.tsv").write_text(LEXICON, encoding="utf-8")
    plain = run("align", hi, en, "--presplit", "--no-freedict", "--beads", "1-1")
    lexical = run("align", hi, en, "--presplit", "--no-freedict", "--beads", "1-1", "--lexicon",
                  str(tmp_path / "lex.tsv"))
    assert "evidence: length, anchors, lexicon" in lexical.stderr
    before, after = _scores(plain.stdout), _scores(lexical.stdout)
    assert after[((1,), (1,))] > before[((1,), (1,))]  # सरकार/government, योजना/scheme
    assert after[((2,), (2,))] == before[((2,), (2,))]  # no lexicon word on either side: unchanged


def test_align_beads_restricts_the_bead_types(tmp_path):
    hi, en = _files(tmp_path)
    merged = records(run("align", hi, en, "--presplit", "--no-freedict").stdout)
    assert {r["type"] for r in merged} - {"1-1", "1-0", "0-1"}  # the default merges some sentences
    one_to_one = records(run("align", hi, en, "--presplit", "--no-freedict", "--beads", "1-1").stdout)
    assert {r["type"] for r in one_to_one} <= {"1-1", "1-0", "0-1"}
    assert sorted(i for r in one_to_one for i in r["hi"]) == list(range(5))  # every sentence, once


def test_align_reads_hindi_from_standard_input(tmp_path):
    hi, en = _files(tmp_path, HI_PRESPLIT, EN_PRESPLIT)
    from_file = run("align", hi, en, "--presplit", "--no-freedict")
    from_stdin = run("align", "-", en, "--presplit", "--no-freedict", stdin=HI_PRESPLIT)
    assert from_stdin.exit_code == 0, from_stdin.output
    assert from_stdin.stdout == from_file.stdout and len(records(from_stdin.stdout)) == 5


def test_no_blocks_aligns_sentences_without_the_block_level():
    hi, en = parse_presplit(HI_PRESPLIT.splitlines()), parse_presplit(EN_PRESPLIT.splitlines())
    options = AlignOptions(freedict=False, beads="1-1,1-2,2-1", learn=False)
    with_blocks = options.aligner()
    without = replace(options, blocks=False).aligner()
    assert with_blocks.use_blocks and not without.use_blocks
    assert with_blocks.align(hi, en).flattened is False  # blocks paired first, sentences inside them
    assert without.align(hi, en).flattened is True


# --------------------------------------------------------------------------- corpus build


def _build(tmp_path, *extra: str, name: str = "out"):
    hi, en = _files(tmp_path)
    (tmp_path / "pairs.tsv").write_text(f"{hi}\t{en}\tstory\n", encoding="utf-8")
    out = tmp_path / name
    result = run("corpus", "build", str(tmp_path / "pairs.tsv"), "-o", str(out), "--presplit",
                 "--no-freedict", "--min-score", "0", *extra)
    assert result.exit_code == 0, result.output
    report = pd.read_csv(out / "report.csv").iloc[0]
    pairs = [json.loads(line) for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    return report, pairs, result


def test_corpus_script_check_and_no_script_check(tmp_path):
    report, pairs, _ = _build(tmp_path, "--beads", "1-1")
    assert report["removed: script"] == 1 and [2] not in [p["hi"] for p in pairs]
    report, pairs, _ = _build(tmp_path, "--beads", "1-1", "--no-script-check", name="kept")
    assert "removed: script" not in report and report["pairs"] == len(pairs)
    [latin] = [p for p in pairs if p["hi"] == [2]]
    assert latin["hi_text"] == "Sarkar ne nayi yojana ki ghoshna ki."


def test_corpus_max_length_ratio(tmp_path):
    report, pairs, _ = _build(tmp_path)
    assert "removed: length ratio" not in report  # default 3.0
    report, pairs, _ = _build(tmp_path, "--max-length-ratio", "1.1", name="strict")
    assert report["removed: length ratio"] >= 1
    for pair in pairs:
        shorter, longer = sorted((len(pair["hi_text"]), len(pair["en_text"])))
        assert longer <= 1.1 * shorter


def test_corpus_all_beads_keeps_merges_the_default_leaves_out(tmp_path):
    report, pairs, _ = _build(tmp_path, "--beads", "2-2")
    assert report["removed: bead type"] == 2 and pairs == []
    report, pairs, _ = _build(tmp_path, "--beads", "2-2", "--all-beads", name="all")
    assert "removed: bead type" not in report
    assert [(p["hi"], p["en"]) for p in pairs] == [([1, 2], [1, 2])]
    # The other merge pairs "हाँ।" and a sentence with a long English answer and a sentence: the
    # pair judge (translate_kit.checks), which every bead passes too, finds it too long for a translation.
    assert report["removed: length ratio"] == 1


def test_corpus_lexicon_and_model_add_their_evidence(tmp_path, tiny_model_hi_en):
    (tmp_path / "lex.tsv").write_text(LEXICON, encoding="utf-8")
    _, plain, _ = _build(tmp_path, "--beads", "1-1")
    lexicon = str(tmp_path / "lex.tsv")
    _, lexical, result = _build(tmp_path, "--beads", "1-1", "--lexicon", lexicon, name="lex")
    assert "lexicon" in result.stderr
    score = {tuple(p["hi"]): p["score"] for p in plain}
    assert {tuple(p["hi"]): p["score"] for p in lexical}[(1,)] > score[(1,)]
    _, translated, result = _build(tmp_path, "--beads", "1-1", "--model", str(tiny_model_hi_en), name="mt")
    assert "mt" in result.stderr.split("evidence:")[-1]
    assert {tuple(p["hi"]): p["score"] for p in translated} != score
