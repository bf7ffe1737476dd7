"""Scores, signatures and p-values equal the real `sacrebleu` command line on real Hindi-English data."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from translate_kit import __version__
from translate_kit.cli import cli

SUFFIX = f"|preset:none|textnorm:none|translate-kit:{__version__}"


def perturb(lines: list[str], every: int, offset: int = 0) -> list[str]:
    """A plausible system output: on every `every`-th line drop one word and swap two others."""
    out = []
    for number, line in enumerate(lines):
        words = line.split()
        if (number + offset) % every == 0 and len(words) > 3:
            del words[(number * 7) % len(words)]
            words[0], words[1] = words[1], words[0]
        out.append(" ".join(words))
    return out


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def sacrebleu_cli(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "sacrebleu", *args, "--no-color"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "SACREBLEU_SEED": "12345", "HOME": str(Path.home())},
    )
    return result.stdout


def ours(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def score_lines(text: str) -> list[str]:
    """Score lines without our signature extension and sacrebleu's alignment padding."""
    return [line.strip().replace(SUFFIX, "") for line in text.splitlines() if " = " in line]


@pytest.fixture(scope="module")
def english(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    reference = (shared_data / "hi-en" / "newsdev2014.en").read_text(encoding="utf-8").splitlines()
    folder = tmp_path_factory.mktemp("parity")
    return {
        "ref": shared_data / "hi-en" / "newsdev2014.en",
        "hyp": write(folder / "hyp.en", perturb(reference, 3)),
        "ref200": write(folder / "ref200.en", reference[:200]),
        "ref2": write(folder / "ref2.en", perturb(reference[:200], 2, 1)),
        "hyp200": write(folder / "hyp200.en", perturb(reference[:200], 3)),
    }


def test_bleu_chrf_ter_lines_equal_the_cli(english: dict[str, Path]) -> None:
    width = "4"  # equal to 4 decimals; the CLI's default of 1 is checked below
    hyp, ref = str(english["hyp"]), str(english["ref"])
    expected = sacrebleu_cli(ref, "-i", hyp, "-m", "bleu", "chrf", "ter", "-f", "text", "-w", width)
    got = ours("eval", "--hyp", hyp, "--ref", ref, "-m", "bleu,chrf,ter", "-w", width)
    assert score_lines(got) == score_lines(expected)
    assert len(score_lines(got)) == 3
    assert all(line.count(SUFFIX) == 1 for line in got.splitlines())


@pytest.mark.parametrize("width", [[], ["-w", "4"]])
def test_chrf_plus_plus_equals_cli_word_order_2(english: dict[str, Path], width: list[str]) -> None:
    hyp, ref = str(english["hyp"]), str(english["ref"])
    expected = sacrebleu_cli(ref, "-i", hyp, "-m", "chrf", "--chrf-word-order", "2", "-f", "text", *width)
    got = ours("eval", "--hyp", hyp, "--ref", ref, "-m", "chrf++", *width)
    assert score_lines(got) == score_lines(expected)
    assert score_lines(got)[0].startswith("chrF2++|nrefs:1|")


def test_multi_reference_equals_cli(english: dict[str, Path]) -> None:
    hyp, ref, ref2 = str(english["hyp200"]), str(english["ref200"]), str(english["ref2"])
    expected = sacrebleu_cli(ref, ref2, "-i", hyp, "-m", "bleu", "chrf", "ter", "-f", "text", "-w", "4")
    got = ours("eval", "--hyp", hyp, "--ref", ref, "--ref", ref2, "-m", "bleu,chrf,ter", "-w", "4")
    assert score_lines(got) == score_lines(expected)
    assert all("nrefs:2" in line for line in score_lines(got))


def test_json_scores_and_signatures_equal_cli(english: dict[str, Path]) -> None:
    hyp, ref = str(english["hyp"]), str(english["ref"])
    expected = json.loads(sacrebleu_cli(ref, "-i", hyp, "-m", "bleu", "chrf", "-w", "4"))
    got = json.loads(ours("eval", "--hyp", hyp, "--ref", ref, "-m", "bleu,chrf", "-f", "json"))["scores"]
    for theirs, mine in zip(expected, got, strict=True):
        assert theirs["name"] == mine["name"]
        assert theirs["score"] == round(mine["score"], 4)
        assert theirs["signature"] == mine["sacrebleu_signature"]
        assert mine["signature"] == mine["sacrebleu_signature"] + SUFFIX


def test_bootstrap_confidence_equals_cli(english: dict[str, Path]) -> None:
    hyp, ref = str(english["hyp"]), str(english["ref"])
    expected = sacrebleu_cli(ref, "-i", hyp, "-m", "bleu", "chrf", "-f", "text", "-w", "3", "--confidence")
    got = ours("eval", "--hyp", hyp, "--ref", ref, "-m", "bleu,chrf", "-w", "3", "--confidence")
    assert score_lines(got) == score_lines(expected)
    assert "μ = " in got and "bs:1000|seed:12345" in got


def test_indictrans2_preset_equals_cli_on_indicnlp_tokenised_files(shared_data: Path, tmp_path: Path) -> None:
    """IndicTrans2's recipe for Hindi: IndicNLP normalise + trivial tokenise, then --tokenize none."""
    from indicnlp.normalize.indic_normalize import IndicNormalizerFactory
    from indicnlp.tokenize.indic_tokenize import trivial_tokenize

    normaliser = IndicNormalizerFactory().get_normalizer("hi")
    hindi = (shared_data / "hi-en" / "newsdev2014.hi").read_text(encoding="utf-8").splitlines()[:200]
    ref = write(tmp_path / "ref.hi", hindi)
    hyp = write(tmp_path / "hyp.hi", [line.replace("।", "|") for line in perturb(hindi, 3)])
    ref_tok = write(tmp_path / "ref.tok", tokenise(normaliser, trivial_tokenize, hindi))
    hyp_tok = write(
        tmp_path / "hyp.tok", tokenise(normaliser, trivial_tokenize, hyp.read_text("utf-8").splitlines())
    )
    expected = sacrebleu_cli(
        str(ref_tok),
        "-i",
        str(hyp_tok),
        "--tokenize",
        "none",
        "-m",
        "bleu",
        "chrf",
        "--chrf-word-order",
        "2",
        "-f",
        "text",
        "-w",
        "4",
    )
    got = ours(
        "eval", "--hyp", str(hyp), "--ref", str(ref), "--lang", "hi", "--preset", "indictrans2", "-w", "4"
    )
    suffix = re.compile(r"\|preset:indictrans2\|textnorm:indicnlp-[^|]+\+trivial\|translate-kit:[^ ]+")
    assert [suffix.sub("", line.strip()) for line in got.splitlines()] == [
        line.strip() for line in expected.splitlines() if " = " in line
    ]
    plain = ours("eval", "--hyp", str(hyp), "--ref", str(ref), "--lang", "hi", "-m", "bleu", "-w", "4")
    assert float(plain.split(" = ")[1].split()[0]) < float(got.split(" = ")[1].split()[0])


def tokenise(normaliser, trivial_tokenize, lines: list[str]) -> list[str]:
    return [" ".join(trivial_tokenize(normaliser.normalize(line.strip()), "hi")) for line in lines]


def cli_p_values(text: str) -> list[str]:
    return re.findall(r"\(p = ([0-9.]+)\)", text)


@pytest.fixture(scope="module")
def close_systems(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Three systems on 150 real lines, close enough that the p-values are not all at their floor."""
    reference = (shared_data / "hi-en" / "newsdev2014.en").read_text(encoding="utf-8").splitlines()[:150]
    folder = tmp_path_factory.mktemp("paired")
    return {
        "ref": str(write(folder / "ref.en", reference)),
        "base": str(write(folder / "base.en", perturb(reference, 4))),
        "close": str(write(folder / "close.en", perturb(reference, 4, 1))),
        "worse": str(write(folder / "worse.en", perturb(reference, 2, 1))),
    }


@pytest.mark.parametrize(
    ("ours_flag", "cli_flags"),
    [
        (["--paired-bs"], ["--paired-bs"]),
        (
            ["--paired-ar", "--samples", "2000", "--confidence-n", "0"],
            ["--paired-ar", "--paired-ar-n", "2000"],
        ),
    ],
)
def test_paired_p_values_equal_cli(
    close_systems: dict[str, str], ours_flag: list[str], cli_flags: list[str]
) -> None:
    s = close_systems
    expected = sacrebleu_cli(
        s["ref"],
        "-i",
        s["base"],
        s["close"],
        s["worse"],
        "-m",
        "bleu",
        "chrf",
        "-f",
        "text",
        "-w",
        "4",
        *cli_flags,
    )
    report = json.loads(
        ours(
            "compare",
            "--ref",
            s["ref"],
            s["base"],
            s["close"],
            s["worse"],
            "-m",
            "bleu,chrf",
            "-f",
            "json",
            *ours_flag,
        )
    )
    got = [f"{system['p_values'][key]:.4f}" for system in report["systems"][1:] for key in ("bleu", "chrf")]
    assert got == cli_p_values(expected)
    assert any(0.05 < float(p) < 1.0 for p in got), got  # a close pair the test cannot tell apart
    assert any(float(p) < 0.05 for p in got), got
    signatures = re.findall(r" - (?:BLEU|chrF2)\s+(\S+)", expected)
    assert [report["signatures"][key] for key in ("bleu", "chrf")] == [sig + SUFFIX for sig in signatures]
