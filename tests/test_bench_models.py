"""`bench --model A --model B ...` and `eval --model` with models of every family, one pipeline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from translate_kit.bench.synthetic_families import build_family_model
from translate_kit.cli import cli
from translate_kit.textio import read_lines

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def family_models(tmp_path_factory) -> dict[str, Path]:
    hindi, english = read_lines(DATA / "corpus.hi"), read_lines(DATA / "corpus.en")
    root = tmp_path_factory.mktemp("bench-families")
    return {shape: build_family_model(root / shape, shape, "indic-en", hindi, english)
            for shape in ("nllb-tiny", "opus-mt-tiny")}


@pytest.fixture
def test_set(tmp_path) -> tuple[Path, Path]:
    src, ref = tmp_path / "test.hi", tmp_path / "test.en"
    src.write_text("".join(f"{line}\n" for line in read_lines(DATA / "corpus.hi")[:6]), encoding="utf-8")
    ref.write_text("".join(f"{line}\n" for line in read_lines(DATA / "corpus.en")[:6]), encoding="utf-8")
    return src, ref


def _bench(*args: str):
    quick = ("--repeat", "1", "--warmup", "2", "--latency-sentences", "2")
    return CliRunner().invoke(cli, ["bench", *args, *quick])


def test_several_models_of_different_families_fill_one_table(tiny_model_hi_en, family_models, test_set,
                                                             tmp_path):
    src, ref = test_set
    out = tmp_path / "out"
    result = _bench("--model", str(tiny_model_hi_en), "--model", str(family_models["nllb-tiny"]),
                    "--model", str(family_models["opus-mt-tiny"]), "--src", str(src), "--ref", str(ref),
                    "--grid", "beam=1,2", "--pin-length", "6", "-o", str(out))
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "results.csv")
    assert list(table["family"]) == ["indictrans2"] * 2 + ["nllb"] * 2 + ["marian"] * 2
    assert list(table["beam"]) == [1, 2] * 3 and (table["status"] == "ok").all()
    # Pinned lengths: every model decodes the same number of tokens (NLLB's forced language token aside).
    assert table["target_tokens"].nunique() == 1 and table["target_tokens"].iloc[0] == 6 * 6
    assert (table["model_mb"] > 0).all() and table["model_mb"].nunique() == 3
    report = (out / "results.md").read_text(encoding="utf-8")
    assert report.startswith("# translate-kit bench: synthetic-indic-en-tiny vs nllb-tiny vs opus-mt-tiny")
    assert "| model" in report and "(nllb)" in report and "(marian)" in report
    assert (out / "pareto.png").read_bytes().startswith(b"\x89PNG")
    assert not (out / "significance.md").exists()  # random weights: quality is not measured
    env = json.loads((out / "environment.json").read_text(encoding="utf-8"))
    assert [m["name"] for m in env["models"]] == ["synthetic-indic-en-tiny", "nllb-tiny", "opus-mt-tiny"]


def test_real_models_with_references_get_scores_and_paired_significance(tiny_model_hi_en, family_models,
                                                                         test_set, tmp_path):
    """Models marked as real (not synthetic) are scored; significance.md tests each against the first."""
    src, ref = test_set
    real = {}
    for name, path in (("it2", tiny_model_hi_en), ("nllb", family_models["nllb-tiny"])):
        real[name] = tmp_path / name
        shutil.copytree(path, real[name])
        meta = json.loads((real[name] / "translate_kit.json").read_text(encoding="utf-8"))
        meta["synthetic"] = False
        (real[name] / "translate_kit.json").write_text(json.dumps(meta), encoding="utf-8")
    out = tmp_path / "out"
    result = _bench("--model", str(real["it2"]), "--model", str(real["nllb"]), "--src", str(src),
                    "--ref", str(ref), "-o", str(out))
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "results.csv")
    assert table["chrf++"].notna().all() and table["bleu"].notna().all()
    significance = (out / "significance.md").read_text(encoding="utf-8")
    assert "paired bootstrap" in significance and "it2" in significance and "nllb" in significance


def test_a_one_way_model_of_the_other_direction_is_refused_in_one_line(tiny_model_hi_en, tiny_model_en_hi,
                                                                       test_set, tmp_path):
    src, _ = test_set
    result = _bench("--model", str(tiny_model_hi_en), "--model", str(tiny_model_en_hi), "--src", str(src),
                    "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and "translates eng_Latn -> hin_Deva" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("shape", ["nllb-tiny", "opus-mt-tiny"])
def test_eval_model_translates_and_scores_with_every_family(family_models, test_set, shape):
    src, ref = test_set
    result = CliRunner().invoke(cli, ["eval", "--model", str(family_models[shape]), "--src", str(src),
                                      "--ref", str(ref), "--beam-size", "1", "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["model"]["family"] == shape.split("-")[0].replace("opus", "marian")
    assert document["scores"][0]["signature"].startswith("nrefs:1|")
