"""`translate-kit models list|fetch|info` through click's CliRunner."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import ctranslate2
from click.testing import CliRunner
from model_archives import official_layout, pack

from translate_kit import models
from translate_kit.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, ["models", *args])


def test_list_shows_every_registry_model_and_installed_ones(tiny_model_hi_en, tiny_model_en_hi, home):
    result = run("list")
    assert result.exit_code == 0, result.output
    for name in models.REGISTRY:
        assert name in result.output
    assert "installed" in result.output.splitlines()[0]
    assert str(home / "models") in result.output

    shutil.copytree(tiny_model_hi_en, home / "models" / "indictrans2-indic-en-dist-200M")
    shutil.copytree(tiny_model_en_hi, home / "models" / "newsroom-en-hi")
    lines = {line.split()[0]: line for line in run("list").output.splitlines()[1:] if line.strip()}
    installed = lines["indictrans2-indic-en-dist-200M"]
    assert " yes " in installed and "KiB" in installed
    assert " no " in lines["indictrans2-en-indic-1B"]
    assert "custom" in lines["newsroom-en-hi"] and "eng_Latn -> hin_Deva" in lines["newsroom-en-hi"]


def test_list_marks_a_broken_installed_model(tiny_model_hi_en, home):
    broken = Path(shutil.copytree(tiny_model_hi_en, home / "models" / "indictrans2-indic-en-1B"))
    (broken / "config.json").unlink()
    result = run("list")
    assert result.exit_code == 0
    assert "broken: model folder" in result.output and "missing config.json" in result.output


def test_info_describes_a_model_folder(tiny_model_en_hi):
    result = run("info", str(tiny_model_en_hi))
    assert result.exit_code == 0, result.output
    facts = dict(line.split("  ", 1) for line in result.output.splitlines())
    facts = {key.strip(): value.strip() for key, value in facts.items()}
    assert facts["direction"] == "eng_Latn -> hin_Deva"
    assert facts["layers (encoder/decoder)"] == "2/2"
    assert (facts["d_model"], facts["ffn"], facts["heads"]) == ("64", "128", "4")
    assert facts["source vocabulary"].startswith("1000 ") and facts["target vocabulary"].startswith("1200 ")
    assert facts["weights"] == "int8"
    assert facts["compute types (cpu)"] == ", ".join(sorted(ctranslate2.get_supported_compute_types("cpu")))
    assert facts["fingerprint"] == models.validate_model_dir(tiny_model_en_hi).fingerprint()


def test_info_of_a_registry_model_that_is_not_installed():
    result = run("info", "indictrans2-indic-en-1B")
    assert result.exit_code == 0, result.output
    assert "hin_Deva -> eng_Latn" in result.output and "1024" in result.output
    assert "not published" in result.output
    assert "translate-kit models fetch indictrans2-indic-en-1B" in result.output


def test_info_of_a_broken_folder_is_one_error_line(tiny_model_hi_en, tmp_path):
    broken = Path(shutil.copytree(tiny_model_hi_en, tmp_path / "broken"))
    (broken / "vocab" / "model.SRC").unlink()
    result = run("info", str(broken))
    assert result.exit_code == 1
    assert result.output.startswith("Error: model folder ") and "missing model.SRC" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_fetch_url_with_name_installs_it(tiny_model_en_hi, tmp_path, home):
    root = official_layout(tiny_model_en_hi, tmp_path / "release" / "en-indic", with_meta=False)
    archive = pack(root, tmp_path / "en-indic.tar.gz")
    result = run("fetch", archive.as_uri(), "--name", "newsroom-en-hi", "--quiet")
    assert result.exit_code == 0, result.output
    target = home / "models" / "newsroom-en-hi"
    assert f"newsroom-en-hi: eng_Latn -> hin_Deva, installed in {target}" in result.output
    assert "newsroom-en-hi" in run("info", "newsroom-en-hi").output


def test_fetch_force_replaces_a_broken_install_from_the_command_line(tiny_model_en_hi, tmp_path, home):
    archive = pack(official_layout(tiny_model_en_hi, tmp_path / "en-indic"), tmp_path / "en-indic.zip")
    assert run("fetch", archive.as_uri(), "--name", "en-hi", "-q").exit_code == 0
    weights = home / "models" / "en-hi" / "ct2_int8_model" / "model.bin"
    original = weights.read_bytes()
    weights.write_bytes(b"")
    refused = run("fetch", archive.as_uri(), "--name", "en-hi", "-q")
    assert refused.exit_code == 1 and "--force" in refused.output and weights.read_bytes() == b""
    forced = run("fetch", archive.as_uri(), "--name", "en-hi", "-q", "--force")
    assert forced.exit_code == 0, forced.output
    assert weights.read_bytes() == original


def test_fetch_with_a_wrong_sha256_is_refused(tiny_model_en_hi, tmp_path, home):
    archive = pack(official_layout(tiny_model_en_hi, tmp_path / "en-indic"), tmp_path / "en-indic.zip")
    result = run("fetch", archive.as_uri(), "--name", "x", "--sha256", "0" * 64, "-q")
    assert result.exit_code == 1
    assert "sha256 mismatch" in result.output
    assert not (home / "models" / "x").exists()


def test_fetch_offline_prints_how_to_get_the_model(monkeypatch):
    import dataclasses

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}/en-indic.zip"
    name = "indictrans2-en-indic-dist-200M"
    entry = dataclasses.replace(models.REGISTRY[name], archives=(models.Archive(closed),))
    monkeypatch.setitem(models.REGISTRY, name, entry)
    result = run("fetch", name, "-q")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot download {name}, no connection")
    assert "on a connected machine" in result.output and "--model PATH" in result.output


def test_fetch_unknown_name():
    result = run("fetch", "marian-hi-en")
    assert result.exit_code == 1
    assert "unknown model 'marian-hi-en'" in result.output
