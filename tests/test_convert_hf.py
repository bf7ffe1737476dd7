"""Hub checkpoints into CTranslate2 folders: scripts/convert_hf.py and `models fetch` for NLLB-200 /
OPUS-MT, with a stand-in converter (the real one needs transformers, torch and the weights)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from project_scripts import load_script

from translate_kit.bench.synthetic_families import build_family_model
from translate_kit.cli import cli
from translate_kit.download import OfflineError
from translate_kit.models import REGISTRY, convert, validate_model_dir
from translate_kit.textio import read_lines

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> Path:
    """What ct2-transformers-converter writes for an OPUS-MT checkpoint, SentencePiece files included."""
    hindi, english = read_lines(DATA / "corpus.hi"), read_lines(DATA / "corpus.en")
    folder = tmp_path_factory.mktemp("ct2") / "opus"
    return build_family_model(folder, "opus-mt-tiny", "indic-en", hindi, english)


@pytest.fixture
def checkpoint(converted, tmp_path) -> Path:
    """A stand-in Transformers OPUS-MT checkpoint folder (the weights file is a placeholder)."""
    folder = tmp_path / "opus-mt-hi-en-checkpoint"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "marian", "d_model": 64}), encoding="utf-8")
    for name in ("vocab.json", "tokenizer_config.json"):
        (folder / name).write_text("{}", encoding="utf-8")
    (folder / "pytorch_model.bin").write_bytes(b"weights")
    for name in ("source.spm", "target.spm"):
        shutil.copy2(converted / name, folder / name)
    return folder


def fake_converter(converted: Path, calls: list):
    def run(command, check):
        """Writes what the CTranslate2 converter writes, honouring --copy_files."""
        calls.append(command)
        output = Path(command[command.index("--output_dir") + 1])
        output.mkdir()
        for name in ("model.bin", "config.json", "shared_vocabulary.json"):
            shutil.copy2(converted / name, output / name)
        if "--copy_files" in command:
            model = Path(command[command.index("--model") + 1])
            for name in command[command.index("--copy_files") + 1:]:
                shutil.copy2(model / name, output / name)
    return run


@pytest.fixture
def script():
    return load_script("scripts/convert_hf.py")


def test_dry_run_prints_the_transformers_converter_command(script, checkpoint, tmp_path, capsys):
    out = tmp_path / "opus-mt-hi-en"
    assert script.main([str(checkpoint), "-o", str(out), "--dry-run"]) == 0
    assert capsys.readouterr().out.split() == [
        "ct2-transformers-converter", "--model", str(checkpoint), "--output_dir", str(out),
        "--quantization", "int8", "--copy_files", "source.spm", "target.spm",
    ]
    assert not out.exists()


def test_dry_run_of_a_registry_name_lists_the_files_to_download(script, tmp_path, capsys):
    assert script.main(["nllb-200-distilled-600M", "-o", str(tmp_path / "nllb"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    hub = "https://huggingface.co/facebook/nllb-200-distilled-600M/resolve/main/"
    assert f"{hub}pytorch_model.bin" in out and f"{hub}sentencepiece.bpe.model" in out
    assert "--quantization int8 --copy_files sentencepiece.bpe.model" in out


def test_missing_checkpoint_files_are_all_listed(script, checkpoint, capsys):
    for name in ("source.spm", "pytorch_model.bin"):
        (checkpoint / name).unlink()
    assert script.main([str(checkpoint), "--dry-run"]) == 1
    errors = capsys.readouterr().err
    assert "Error: source.spm not found" in errors and "Error: no weights in" in errors


def test_a_marian_release_uses_ct2_marian_converter_and_copies_the_sentencepiece_models(checkpoint, tmp_path):
    release = tmp_path / "release"
    release.mkdir()
    decoder = "models:\n  - opus.npz\nvocabs:\n  - opus.spm.yml\n  - opus.spm.yml\n"
    (release / "decoder.yml").write_text(decoder, encoding="utf-8")
    command, copy = convert.converter_command(release, tmp_path / "out", "int8")
    assert command[:3] == ["ct2-marian-converter", "--model_path", str(release / "opus.npz")]
    assert command[command.index("--vocab_paths") + 1:command.index("--output_dir")] == [
        str(release / "opus.spm.yml")] * 2
    assert copy == ("source.spm", "target.spm")


def test_conversion_writes_a_validated_folder_and_leaves_no_staging(script, checkpoint, converted, tmp_path,
                                                                     monkeypatch, capsys):
    calls: list = []
    monkeypatch.setattr(script, "missing_tools", lambda folder, family: [])
    monkeypatch.setattr(script.subprocess, "run", fake_converter(converted, calls))
    out = tmp_path / "models" / "opus-mt-hi-en"
    assert script.main([str(checkpoint), "-o", str(out)]) == 0, capsys.readouterr().err
    assert len(calls) == 1 and calls[0][0] == "ct2-transformers-converter"
    model = validate_model_dir(out)
    assert (model.family, model.src, model.tgt) == ("marian", "hin_Deva", "eng_Latn")
    meta = json.loads((out / "translate_kit.json").read_text(encoding="utf-8"))
    assert meta["family"] == "marian" and meta["quantization"] == "int8"
    assert [p.name for p in out.parent.iterdir()] == ["opus-mt-hi-en"]


def test_models_fetch_downloads_and_converts_a_hub_checkpoint(checkpoint, converted, monkeypatch):
    fetched = []

    def fake_download(url, part, **kwargs):
        name = url.rsplit("/", 1)[1]
        fetched.append(name)
        if not (checkpoint / name).is_file():
            raise convert.HTTPStatusError(f"HTTP 404 for {url}")
        shutil.copy2(checkpoint / name, part)
        return part

    monkeypatch.setattr(convert, "download", fake_download)
    monkeypatch.setattr(convert.subprocess, "run", fake_converter(converted, []))
    result = CliRunner().invoke(cli, ["models", "fetch", "opus-mt-hi-en", "-q"])
    assert result.exit_code == 0, result.output
    assert "opus-mt-hi-en: hin_Deva -> eng_Latn" in result.output
    assert "pytorch_model.bin" in fetched and "generation_config.json" in fetched  # optional, absent: skipped
    info = CliRunner().invoke(cli, ["models", "info", "opus-mt-hi-en"])
    assert "marian" in info.output and "huggingface.co/Helsinki-NLP/opus-mt-hi-en" in info.output


def test_models_fetch_offline_is_one_line_saying_how_to_get_the_model(monkeypatch):
    def offline(url, part, **kwargs):
        raise OfflineError(f"cannot reach {url}")

    monkeypatch.setattr(convert, "download", offline)
    result = CliRunner().invoke(cli, ["models", "fetch", "nllb-200-distilled-600M", "-q"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "no connection" in result.output
    assert "scripts/convert_hf.py" in result.output


def test_registry_entries_state_shapes_and_publish_no_made_up_checksums():
    nllb, opus = REGISTRY["nllb-200-distilled-600M"], REGISTRY["opus-mt-hi-en"]
    assert (nllb.shape.layers, nllb.shape.d_model, nllb.shape.ffn, nllb.shape.heads) == (12, 1024, 4096, 16)
    assert nllb.shape.source_vocab == 256_206 and nllb.hub_repo == "facebook/nllb-200-distilled-600M"
    assert (opus.shape.layers, opus.shape.d_model, opus.family) == (6, 512, "marian")
    assert all(entry.checkpoint_size is None for entry in REGISTRY.values() if entry.hub_repo)
    result = CliRunner().invoke(cli, ["models", "list"])
    assert "nllb-200-distilled-1.3B" in result.output and "opus-mt-en-hi" in result.output
