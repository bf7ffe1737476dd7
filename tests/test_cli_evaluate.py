"""`translate-kit eval` and `translate-kit compare` through click's CliRunner."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import sacrebleu
from click.testing import CliRunner

from translate_kit.cli import cli

REFERENCE = [
    "Foreign Minister S. Jaishankar met Russian Foreign Minister Sergey Lavrov in Moscow on Tuesday.",
    "The two leaders discussed trade, energy and the situation in Ukraine.",
    "India will continue to buy oil from Russia, the minister said.",
    "Talks on a free trade agreement with the Eurasian Economic Union will resume next month.",
    "The meeting lasted for more than two hours.",
]
SYSTEM = [
    "Foreign Minister S. Jaishankar met Russian Foreign Minister Sergei Lavrov in Moscow on Tuesday.",
    "Both leaders discussed trade, energy and the Ukraine situation.",
    "The minister said India will keep buying oil from Russia.",
    "Talks on free trade agreement with Eurasian Economic Union will restart next month.",
    "The meeting lasted more than two hours.",
]
WORSE = [line.replace("the ", "").replace("Minister ", "") for line in SYSTEM]
SOURCE = [
    "विदेश मंत्री एस. जयशंकर ने मंगलवार को मॉस्को में रूसी विदेश मंत्री सर्गेई लावरोव से मुलाकात की।",
    "दोनों नेताओं ने व्यापार, ऊर्जा और यूक्रेन की स्थिति पर चर्चा की।",
    "मंत्री ने कहा कि भारत रूस से तेल खरीदना जारी रखेगा।",
    "यूरेशियन आर्थिक संघ के साथ मुक्त व्यापार समझौते पर बातचीत अगले महीने फिर शुरू होगी।",
    "बैठक दो घंटे से अधिक समय तक चली।",
]


def write(path: Path, lines: list[str], newline: str = "\n", prefix: bytes = b"") -> str:
    path.write_bytes(prefix + "".join(line + newline for line in lines).encode("utf-8"))
    return str(path)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def ok(*args: str):
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def fails(*args: str, match: str) -> str:
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and message.startswith("Error: "), message
    assert re.search(match, message), message
    return message


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    return {
        "ref": write(tmp_path / "ref.en", REFERENCE),
        "hyp": write(tmp_path / "hyp.en", SYSTEM),
        "worse": write(tmp_path / "worse.en", WORSE),
        "src": write(tmp_path / "src.hi", SOURCE),
    }


def test_eval_text_is_sacrebleu_lines(files: dict[str, str]) -> None:
    out = ok("eval", "--hyp", files["hyp"], "--ref", files["ref"], "-m", "bleu,chrf++,ter").stdout
    lines = out.splitlines()
    assert [line.split("|")[0] for line in lines] == ["BLEU", "chrF2++", "TER"]
    expected = sacrebleu.corpus_bleu(SYSTEM, [REFERENCE]).score
    assert lines[0].split(" = ")[1].startswith(f"{expected:.1f} ")
    assert all("|preset:none|textnorm:none|translate-kit:" in line for line in lines)


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("scores.json", lambda text: json.loads(text)["scores"][0]["name"] == "BLEU"),
        ("scores.csv", lambda text: text.startswith("metric,score,detail,signature")),
        ("scores.md", lambda text: text.startswith("| metric ")),
    ],
)
def test_eval_format_follows_output_suffix(files: dict[str, str], tmp_path: Path, name: str, check) -> None:
    output = tmp_path / name
    ok("eval", "--hyp", files["hyp"], "--ref", files["ref"], "-o", str(output))
    assert check(output.read_text(encoding="utf-8"))


def test_eval_json_records_inputs_and_confidence(files: dict[str, str]) -> None:
    out = ok(
        "eval",
        "--hyp",
        files["hyp"],
        "--ref",
        files["ref"],
        "--src",
        files["src"],
        "-f",
        "json",
        "--confidence",
        "--confidence-n",
        "200",
        "--seed",
        "3",
    ).stdout
    document = json.loads(out)
    assert document["hypothesis"] == files["hyp"] and document["source"] == files["src"]
    assert document["lines"] == 5 and document["lang"] == "eng_Latn"
    bleu = document["scores"][0]
    assert bleu["ci95_low"] <= bleu["mean"] <= bleu["ci95_high"]
    assert "bs:200|seed:3|" in bleu["signature"]


def test_seed_none_is_unseeded_and_a_seed_repeats(tmp_path: Path) -> None:
    hyp = write(tmp_path / "hyp.en", (SYSTEM + WORSE) * 4)  # 40 lines: many distinct resamples
    ref = write(tmp_path / "ref.en", REFERENCE * 8)

    def interval(seed: str) -> tuple[float, float, str]:
        out = ok("eval", "--hyp", hyp, "--ref", ref, "--confidence", "--confidence-n", "200",
                 "--seed", seed, "-f", "json").stdout
        bleu = json.loads(out)["scores"][0]
        return bleu["ci95_low"], bleu["ci95_high"], bleu["signature"]

    seeded = interval("3")
    assert interval("3") == seeded and "|seed:3|" in seeded[2]
    unseeded = [interval("none") for _ in range(3)]
    assert all("|seed:none|" in signature for _, _, signature in unseeded)
    assert len({(low, high) for low, high, _ in unseeded}) > 1  # each run draws its own resamples


def test_sentences_csv_worst_first_with_source(files: dict[str, str], tmp_path: Path) -> None:
    output = tmp_path / "sentences.csv"
    ok(
        "eval",
        "--hyp",
        files["worse"],
        "--ref",
        files["ref"],
        "--src",
        files["src"],
        "--sentences",
        "-m",
        "bleu,chrf++",
        "-o",
        str(output),
    )
    table = pd.read_csv(output)
    assert list(table.columns) == [
        "line",
        "source",
        "reference",
        "hypothesis",
        "ref_words",
        "hyp_words",
        "bleu",
        "chrf++",
    ]
    assert table["chrf++"].is_monotonic_increasing
    row = table.set_index("line").loc[2]
    assert row["source"] == SOURCE[1] and row["hypothesis"] == WORSE[1] and row["reference"] == REFERENCE[1]
    assert row["hyp_words"] == len(WORSE[1].split())


def test_compare_text_uses_sacrebleu_wording(files: dict[str, str]) -> None:
    out = ok(
        "compare",
        "--ref",
        files["ref"],
        files["hyp"],
        files["worse"],
        "--paired-bs",
        "--samples",
        "200",
        "-m",
        "chrf++",
    ).stdout
    assert f"Baseline: {files['hyp']}" in out
    assert "different from the baseline" in out and "does not say which system is better" in out
    assert "paired bootstrap resampling with 200 resamples (seed 12345)" in out


def test_compare_html_report_is_self_contained(files: dict[str, str], tmp_path: Path) -> None:
    output = tmp_path / "report.html"
    ok(
        "compare",
        "--ref",
        files["ref"],
        "--src",
        files["src"],
        files["hyp"],
        files["worse"],
        "--paired-ar",
        "--samples",
        "300",
        "--name",
        "baseline",
        "--name",
        "candidate",
        "-o",
        str(output),
    )
    page = output.read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "candidate" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)


def test_html_format_is_named_for_compare_and_refused_for_eval(files: dict[str, str]) -> None:
    systems = (files["hyp"], files["worse"])
    page = ok("compare", "--ref", files["ref"], *systems, "-f", "html", "--confidence-n", "0")
    assert page.stdout.lstrip().startswith("<!DOCTYPE html>") and "data:image/png;base64," in page.stdout
    fails("eval", "--hyp", files["hyp"], "--ref", files["ref"], "-f", "html", match="'html' is not available")


def test_signature_keys_are_unique_for_every_metric(files: dict[str, str]) -> None:
    lines = ok("eval", "--hyp", files["hyp"], "--ref", files["ref"], "-m", "bleu,chrf,chrf++,ter").stdout
    for line in lines.splitlines():
        keys = [field.split(":")[0] for field in line.split(" = ")[0].split("|")[1:]]
        assert len(keys) == len(set(keys)), line


def test_output_under_a_file_is_one_line(files: dict[str, str]) -> None:
    output = f"{files['ref']}/x.json"
    fails("eval", "--hyp", files["hyp"], "--ref", files["ref"], "-o", output, match=f"cannot write {output}")


def test_compare_names_must_match_systems(files: dict[str, str]) -> None:
    fails(
        "compare",
        "--ref",
        files["ref"],
        files["hyp"],
        files["worse"],
        "--name",
        "only-one",
        match="1 --name given for 2 systems",
    )


# --------------------------------------------------------------------------- bad input


def test_line_count_mismatch_names_both_files(files: dict[str, str], tmp_path: Path) -> None:
    short = write(tmp_path / "short.en", SYSTEM[:3])
    fails(
        "eval",
        "--hyp",
        short,
        "--ref",
        files["ref"],
        match=rf"{re.escape(short)} has 3 lines but "
        rf"{re.escape(files['ref'])} has 5",
    )


def test_compare_systems_of_different_lengths(files: dict[str, str], tmp_path: Path) -> None:
    short = write(tmp_path / "short.en", SYSTEM[:4])
    fails(
        "compare",
        "--ref",
        files["ref"],
        files["hyp"],
        short,
        match=rf"{re.escape(files['hyp'])} has 5 lines but {re.escape(short)} has 4",
    )


def test_empty_file_is_refused(files: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "empty.en"
    empty.write_bytes(b"")
    fails("eval", "--hyp", str(empty), "--ref", files["ref"], match=r"empty.en: file is empty")


def test_empty_reference_line_is_refused_with_its_line(files: dict[str, str], tmp_path: Path) -> None:
    holed = write(tmp_path / "holed.en", [*REFERENCE[:2], "  ", *REFERENCE[3:]])
    fails("eval", "--hyp", files["hyp"], "--ref", holed, match=r"holed.en:3: empty reference line")


def test_empty_hypothesis_lines_are_scored_and_reported(files: dict[str, str], tmp_path: Path) -> None:
    holed = write(tmp_path / "holed.en", [SYSTEM[0], "", *SYSTEM[2:]])
    result = ok("eval", "--hyp", holed, "--ref", files["ref"], "-m", "bleu", "-w", "4")
    assert "holed.en: 1 empty line (first: line 2), scored as empty output" in result.stderr
    expected = sacrebleu.corpus_bleu([SYSTEM[0], "", *SYSTEM[2:]], [REFERENCE]).score
    assert f" = {expected:.4f} " in result.stdout


def test_crlf_and_bom_score_like_clean_text(files: dict[str, str], tmp_path: Path) -> None:
    windows = write(tmp_path / "windows.en", SYSTEM, newline="\r\n", prefix=b"\xef\xbb\xbf")
    clean = ok("eval", "--hyp", files["hyp"], "--ref", files["ref"], "-m", "bleu,chrf,ter", "-w", "4").stdout
    assert (
        ok("eval", "--hyp", windows, "--ref", files["ref"], "-m", "bleu,chrf,ter", "-w", "4").stdout == clean
    )


def test_invalid_utf8_names_file_and_line(files: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.en"
    broken.write_bytes(b"good line\nbad \xff byte\n" + b"x\n" * 3)
    fails("eval", "--hyp", str(broken), "--ref", files["ref"], match=r"broken.en:2: invalid UTF-8 at byte 14")
    ok("eval", "--hyp", str(broken), "--ref", files["ref"], "--errors", "replace")


def test_unknown_metric_is_one_line(files: dict[str, str]) -> None:
    fails(
        "eval",
        "--hyp",
        files["hyp"],
        "--ref",
        files["ref"],
        "-m",
        "bleu,meteor",
        match="unknown metric 'meteor': use one of bleu, chrf, chrf\\+\\+, ter, comet",
    )


def test_comet_without_package_is_one_line(files: dict[str, str], monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "comet", None)
    fails(
        "eval",
        "--hyp",
        files["hyp"],
        "--ref",
        files["ref"],
        "--src",
        files["src"],
        "-m",
        "comet",
        match="optional COMET package",
    )


def test_flores_tokenizer_offline_is_one_line(files: dict[str, str], monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sacrebleu.utils, "SACREBLEU_DIR", str(tmp_path))
    fails(
        "eval",
        "--hyp",
        files["hyp"],
        "--ref",
        files["ref"],
        "--tokenize",
        "flores200",
        match="downloads at first use .* pass --spm-model PATH",
    )


def test_nothing_to_score(files: dict[str, str]) -> None:
    fails("eval", "--ref", files["ref"], match="nothing to score")
    fails("eval", "--hyp", files["hyp"], match="no reference")


# --------------------------------------------------------------------------- test sets and models


def test_named_test_set_from_data_dir(shared_data: Path, tmp_path: Path) -> None:
    reference = (shared_data / "hi-en" / "newsdev2014.en").read_text(encoding="utf-8").splitlines()
    hyp = write(tmp_path / "out.en", [line.replace(" the ", " a ") for line in reference])
    document = json.loads(
        ok(
            "eval", "--test-set", "newsdev2014", "--data-dir", str(shared_data), "--hyp", hyp, "-f", "json"
        ).stdout
    )
    assert document["test_set"]["lines"] == 520 and document["references"][0].endswith("newsdev2014.en")
    expected = sacrebleu.corpus_bleu([line.replace(" the ", " a ") for line in reference], [reference])
    assert document["scores"][0]["score"] == pytest.approx(expected.score, abs=0.005)


def test_missing_test_set_says_how_to_get_it(tmp_path: Path, files: dict[str, str]) -> None:
    fails(
        "eval",
        "--test-set",
        "wmt14",
        "--data-dir",
        str(tmp_path),
        "--hyp",
        files["hyp"],
        match=r"wmt14 not found .*sacrebleu -t wmt14 -l hi-en --echo src",
    )


def test_list_test_sets(shared_data: Path) -> None:
    out = ok("eval", "--list-test-sets", "--data-dir", str(shared_data)).stdout
    assert re.search(r"tico19-test\s+present\s+lines: 2100", out)
    assert re.search(r"flores200-devtest\s+missing", out)


def test_model_translates_then_scores(tiny_model_hi_en: Path, files: dict[str, str], tmp_path: Path) -> None:
    """A random-weight model: its scores mean nothing; the run, the saved output and the signature do."""
    saved = tmp_path / "out.en"
    result = ok(
        "eval",
        "--model",
        str(tiny_model_hi_en),
        "--src",
        files["src"],
        "--ref",
        files["ref"],
        "--beam-size",
        "1",
        "--save-hyp",
        str(saved),
        "-f",
        "json",
    )
    document = json.loads(result.stdout)
    assert document["model"]["fingerprint"] and document["hypothesis"] == str(saved)
    assert len(saved.read_text(encoding="utf-8").splitlines()) == 5
    assert document["scores"][0]["signature"].startswith("nrefs:1|case:mixed|eff:no|tok:13a|")
    assert "translated 5 lines" in result.stderr


def test_model_on_named_test_set(tiny_model_hi_en: Path, tmp_path: Path, monkeypatch) -> None:
    import hashlib

    data = tmp_path / "data"
    (data / "hi-en").mkdir(parents=True)
    hindi = "".join(line + "\n" for line in SOURCE).encode()
    (data / "hi-en" / "mini.hi").write_bytes(hindi)
    write(data / "hi-en" / "mini.en", REFERENCE)
    manifest = tmp_path / "testsets.json"
    manifest.write_text(
        json.dumps(
            {
                "sets": {
                    "mini": {
                        "title": "mini",
                        "origin": "https://example.org",
                        "get": "copy into DATA_DIR",
                        "lines": 5,
                        "files": {
                            "hin_Deva": {
                                "path": "hi-en/mini.hi",
                                "sha256": hashlib.sha256(hindi).hexdigest(),
                            },
                            "eng_Latn": {"path": "hi-en/mini.en", "sha256": None},
                        },
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("TRANSLATE_KIT_TESTSETS", str(manifest))
    monkeypatch.setenv("TRANSLATE_KIT_HOME", str(tmp_path / "home"))
    result = ok(
        "eval",
        "--test-set",
        "mini",
        "--data-dir",
        str(data),
        "--model",
        str(tiny_model_hi_en),
        "--beam-size",
        "1",
    )
    assert result.stdout.startswith("BLEU|nrefs:1|") and "chrF2++|nrefs:1|" in result.stdout
    assert "checksums recorded on first use" in result.stderr


def test_conflicting_options(files: dict[str, str], shared_data: Path) -> None:
    fails(
        "eval",
        "--hyp",
        files["hyp"],
        "--ref",
        files["ref"],
        "--sentences",
        "--confidence",
        match="--confidence applies to corpus scores",
    )
    fails(
        "eval",
        "--test-set",
        "newsdev2014",
        "--data-dir",
        str(shared_data),
        "--ref",
        files["ref"],
        "--hyp",
        files["hyp"],
        match="--test-set provides the references",
    )


def test_sentences_text_to_stdout(files: dict[str, str]) -> None:
    out = ok(
        "eval", "--hyp", files["worse"], "--ref", files["ref"], "--sentences", "-m", "chrf++,bleu"
    ).stdout
    header, worst = out.splitlines()[:2]
    assert header.split() == ["line", "reference", "hypothesis", "ref_words", "hyp_words", "chrf++", "bleu"]
    chrf = [
        sacrebleu.sentence_chrf(h, [r], word_order=2).score for h, r in zip(WORSE, REFERENCE, strict=True)
    ]
    assert worst.split()[0] == str(chrf.index(min(chrf)) + 1)
    assert worst.split()[-2] == f"{min(chrf):.1f}"
