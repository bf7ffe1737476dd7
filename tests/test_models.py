"""Model folders: layouts, exact errors for missing or corrupt files, direction, fingerprint, resolution."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_archives import official_layout
from project_scripts import load_script

from translate_kit import models
from translate_kit.errors import InputError, ModelError
from translate_kit.languages import ENGLISH, HINDI


@pytest.fixture
def plain(tiny_model_hi_en, tmp_path) -> Path:
    """A writable copy of the tiny hin_Deva -> eng_Latn model (a plain CT2 folder with vocab/)."""
    return Path(shutil.copytree(tiny_model_hi_en, tmp_path / "plain"))


def without_meta(folder: Path) -> Path:
    (folder / models.META_FILE).unlink()
    return folder


# ----------------------------------------------------------------------------- cache and registry

def test_cache_home_honours_translate_kit_home(home):
    assert models.cache_home() == home
    assert models.models_dir() == home / "models"


def test_cache_home_defaults_to_the_user_cache_dir(monkeypatch):
    import platformdirs

    monkeypatch.delenv(models.HOME_ENV)
    assert models.cache_home() == Path(platformdirs.user_cache_dir("translate-kit"))


def test_registry_has_both_directions_and_sizes_with_the_published_shapes():
    assert set(models.REGISTRY) == {
        "indictrans2-indic-en-dist-200M", "indictrans2-en-indic-dist-200M",
        "indictrans2-indic-en-1B", "indictrans2-en-indic-1B",
        "nllb-200-distilled-600M", "nllb-200-distilled-1.3B", "opus-mt-hi-en", "opus-mt-en-hi",
    }
    dist = models.REGISTRY["indictrans2-indic-en-dist-200M"]
    assert (dist.src, dist.tgt, dist.direction) == (HINDI, ENGLISH, "indic-en")
    assert (dist.shape.layers, dist.shape.d_model, dist.shape.heads) == (18, 512, 8)
    assert (dist.shape.source_vocab, dist.shape.target_vocab) == (122706, 32296)
    base = models.REGISTRY["indictrans2-en-indic-1B"]
    assert (base.src, base.tgt, base.shape.d_model, base.shape.ffn) == (ENGLISH, HINDI, 1024, 8192)
    for entry in (e for e in models.REGISTRY.values() if e.family == "indictrans2"):
        primary, mirror = entry.archives
        assert primary.url.startswith("https://huggingface.co/datasets/ai4bharat/BPCC/resolve/main/additional/")
        assert primary.url.endswith(".tar.gz") and mirror.url.endswith(".zip")
        assert entry.direction in primary.url and entry.direction in mirror.url


def test_default_model_follows_the_source_language():
    assert models.default_model_name("hin_Deva", "eng_Latn") == "indictrans2-indic-en-dist-200M"
    assert models.default_model_name("en", "hi") == "indictrans2-en-indic-dist-200M"
    with pytest.raises(InputError, match="both hin_Deva"):
        models.default_model_name("hi", "hin_Deva")
    with pytest.raises(InputError, match="unsupported language"):
        models.default_model_name("fr", "en")


# ----------------------------------------------------------------------------- layouts

def test_plain_ct2_folder_is_accepted(plain):
    model = models.validate_model_dir(plain)
    assert model.path == plain
    assert model.spm_src == plain / "vocab" / "model.SRC"
    assert model.spm_tgt == plain / "vocab" / "model.TGT"
    assert (model.src, model.tgt) == (HINDI, ENGLISH)
    assert model.config["decoder_start_token"] == "</s>"
    assert (model.source_vocab_size, model.target_vocab_size) == (1200, 1000)


def test_plain_folder_with_spm_files_beside_model_bin_and_txt_vocabularies(plain):
    for name in ("model.SRC", "model.TGT"):
        shutil.move(plain / "vocab" / name, plain / name)
    (plain / "vocab").rmdir()
    for side in ("source", "target"):
        tokens = json.loads((plain / f"{side}_vocabulary.json").read_text(encoding="utf-8"))
        (plain / f"{side}_vocabulary.txt").write_text("\n".join(tokens) + "\n", encoding="utf-8")
        (plain / f"{side}_vocabulary.json").unlink()
    model = models.validate_model_dir(plain)
    assert model.spm_src == plain / "model.SRC"
    assert model.source_vocabulary == plain / "source_vocabulary.txt"
    assert (model.source_vocab_size, model.target_vocab_size) == (1200, 1000)


def test_official_layout_root_or_ct2_folder(tiny_model_hi_en, tmp_path):
    root = official_layout(tiny_model_hi_en, tmp_path / "indic-en", with_meta=False)
    for given_path in (root, root / "ct2_int8_model"):
        model = models.validate_model_dir(given_path)
        assert model.path == root / "ct2_int8_model"
        assert model.spm_src == root / "ct2_int8_model" / "vocab" / "model.SRC"
        assert model.name == "indic-en"
        assert (model.src, model.tgt) == (HINDI, ENGLISH)


def test_archive_top_folder_one_level_up_is_accepted(tiny_model_hi_en, tmp_path):
    official_layout(tiny_model_hi_en, tmp_path / "unpacked" / "indic-en")
    model = models.validate_model_dir(tmp_path / "unpacked")
    assert model.root == tmp_path / "unpacked" / "indic-en"
    assert model.name == "indic-en"


def test_spm_files_fall_back_to_the_sibling_fairseq_vocab(tiny_model_hi_en, tmp_path):
    root = official_layout(tiny_model_hi_en, tmp_path / "indic-en", spm_in_fairseq=True)
    assert not (root / "ct2_int8_model" / "vocab").exists()
    model = models.validate_model_dir(root)
    assert model.spm_src == root / "fairseq_model" / "vocab" / "model.SRC"
    assert model.spm_tgt == root / "fairseq_model" / "vocab" / "model.TGT"


def test_int8_folder_is_preferred_over_fp16(tiny_model_hi_en, tmp_path):
    root = official_layout(tiny_model_hi_en, tmp_path / "indic-en")
    shutil.copytree(root / "ct2_int8_model", root / "ct2_fp16_model")
    assert models.validate_model_dir(root).path.name == "ct2_int8_model"


# ----------------------------------------------------------------------------- bad folders

@pytest.mark.parametrize("missing, named", [
    ("model.bin", "model.bin"),
    ("config.json", "config.json"),
    ("source_vocabulary.json", "source_vocabulary.json (or .txt)"),
    ("target_vocabulary.json", "target_vocabulary.json (or .txt)"),
    ("vocab/model.SRC", "model.SRC"),
    ("vocab/model.TGT", "model.TGT"),
])
def test_a_missing_file_is_named_in_one_line(plain, missing, named):
    (plain / missing).unlink()
    with pytest.raises(ModelError) as caught:
        models.validate_model_dir(plain)
    message = str(caught.value)
    assert f"is incomplete: missing {named}" in message and str(plain) in message
    assert "\n" not in message
    if missing.startswith("vocab/"):
        assert "fairseq_model/vocab" in message  # says where it looked


def test_every_missing_file_is_listed_at_once(plain):
    (plain / "config.json").unlink()
    (plain / "vocab" / "model.TGT").unlink()
    with pytest.raises(ModelError, match="missing config.json, model.TGT"):
        models.validate_model_dir(plain)


def test_folder_without_any_model_and_missing_folder(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("समाचार", encoding="utf-8")
    with pytest.raises(ModelError, match="no CTranslate2 model in .*notes: expected model.bin"):
        models.validate_model_dir(tmp_path / "notes")
    with pytest.raises(ModelError, match="model folder not found"):
        models.validate_model_dir(tmp_path / "absent")
    with pytest.raises(ModelError, match="is a file"):
        models.validate_model_dir(tmp_path / "notes" / "readme.txt")


def test_truncated_model_bin_is_reported_with_offset_and_ctranslate2_agrees(plain):
    import ctranslate2

    data = (plain / "model.bin").read_bytes()
    (plain / "model.bin").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match=r"model.bin is truncated or corrupt: the weights of .* offset \d+"):
        models.validate_model_dir(plain)
    with pytest.raises(RuntimeError):  # what the engine would otherwise meet at load time
        ctranslate2.Translator(str(plain), device="cpu")


def test_an_html_page_saved_as_model_bin_is_not_a_model(plain):
    (plain / "model.bin").write_bytes(b"<!DOCTYPE html><html><body>Access denied</body></html>")
    with pytest.raises(ModelError, match="is not a CTranslate2 model"):
        models.validate_model_dir(plain)


def test_corrupt_sentencepiece_model_is_named(plain):
    (plain / "vocab" / "model.TGT").write_bytes(b"not a sentencepiece model")
    with pytest.raises(ModelError, match=r"model.TGT is not a SentencePiece model"):
        models.validate_model_dir(plain)


def test_invalid_config_json_is_named(plain):
    (plain / "config.json").write_text("{ broken", encoding="utf-8")
    with pytest.raises(ModelError, match=r"config.json: not valid JSON"):
        models.validate_model_dir(plain)


def test_vocabulary_from_another_model_is_refused(plain):
    tokens = json.loads((plain / "target_vocabulary.json").read_text(encoding="utf-8"))
    extra = [f"extra{i}" for i in range(500)]
    (plain / "target_vocabulary.json").write_text(json.dumps(tokens + extra), encoding="utf-8")
    with pytest.raises(ModelError, match="has 1500 tokens but model.bin has 1000 embeddings"):
        models.validate_model_dir(plain)
    (plain / "target_vocabulary.json").write_text(json.dumps(tokens[:600]), encoding="utf-8")
    with pytest.raises(ModelError, match="has 600 tokens but model.bin has 1000 embeddings"):
        models.validate_model_dir(plain)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fraction=st.floats(min_value=0.0, max_value=0.9999))
def test_any_truncation_of_model_bin_gives_a_model_error(plain, tmp_path, fraction):
    data = (plain / "model.bin").read_bytes()
    cut = tmp_path / "cut.bin"
    cut.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(ModelError):
        models.read_model_bin(cut)


def test_model_bin_header_gives_the_shape(plain):
    header = models.read_model_bin(plain / "model.bin")
    assert header.spec == "TransformerSpec"
    assert (header.layers("encoder"), header.layers("decoder")) == (2, 2)
    assert (header.d_model, header.ffn, header.heads) == (64, 128, 4)
    assert (header.source_vocab, header.target_vocab) == (1200, 1000)
    assert header.weight_dtype == "int8"


# ----------------------------------------------------------------------------- direction

def test_direction_from_translate_kit_json(tiny_model_en_hi):
    model = models.validate_model_dir(tiny_model_en_hi)
    assert (model.src, model.tgt) == (ENGLISH, HINDI)
    assert model.direction_from.endswith(models.META_FILE)


def test_direction_from_the_name_beats_vocabulary_sizes(plain, tmp_path):
    folder = without_meta(plain).rename(tmp_path / "my-en-indic-copy")  # sizes would say indic-en
    model = models.validate_model_dir(folder)
    assert (model.src, model.tgt, model.direction_from) == (ENGLISH, HINDI, "name 'my-en-indic-copy'")
    model = models.validate_model_dir(folder, name="indictrans2-indic-en-dist-200M")
    assert (model.src, model.tgt) == (HINDI, ENGLISH)


@pytest.mark.parametrize("fixture, direction", [("tiny_model_hi_en", (HINDI, ENGLISH)),
                                                ("tiny_model_en_hi", (ENGLISH, HINDI))])
def test_direction_from_vocabulary_sizes(fixture, direction, request, tmp_path):
    folder = without_meta(Path(shutil.copytree(request.getfixturevalue(fixture), tmp_path / "model")))
    model = models.validate_model_dir(folder)
    assert (model.src, model.tgt) == direction
    assert model.direction_from.startswith("vocabulary sizes")


def test_bad_translate_kit_json_is_named(plain):
    (plain / models.META_FILE).write_text(json.dumps({"src": "hin_Deva"}), encoding="utf-8")
    with pytest.raises(ModelError, match=r"translate_kit.json: needs \"src\" and \"tgt\""):
        models.validate_model_dir(plain)


# ----------------------------------------------------------------------------- fingerprint

def test_fingerprint_is_content_based(plain, tmp_path):
    first = models.validate_model_dir(plain).fingerprint()
    assert len(first) == 16 and first == models.validate_model_dir(plain).fingerprint()
    copy = Path(shutil.copytree(plain, tmp_path / "elsewhere"))
    assert models.validate_model_dir(copy).fingerprint() == first
    tokens = json.loads((copy / "target_vocabulary.json").read_text(encoding="utf-8"))
    tokens[-1] = "changed"
    (copy / "target_vocabulary.json").write_text(json.dumps(tokens), encoding="utf-8")
    assert models.validate_model_dir(copy).fingerprint() != first


def test_fingerprint_hashes_a_large_model_bin_once(plain, monkeypatch):
    monkeypatch.setattr(models.store, "HASH_CACHE_MIN_BYTES", 0)
    hashed: list[str] = []
    real_hash = models.store.file_sha256
    monkeypatch.setattr(
        models.store, "file_sha256", lambda path: hashed.append(Path(path).name) or real_hash(path)
    )
    model = models.validate_model_dir(plain)
    first = model.fingerprint()
    assert hashed.count("model.bin") == 1
    assert model.fingerprint() == first
    assert hashed.count("model.bin") == 1  # remembered, keyed by size and mtime
    data = bytearray((plain / "model.bin").read_bytes())
    data[-1] ^= 0xFF  # same size, new content and mtime
    (plain / "model.bin").write_bytes(bytes(data))
    assert model.fingerprint() != first
    assert hashed.count("model.bin") == 2


# ----------------------------------------------------------------------------- resolution

def install(model: Path, name: str) -> Path:
    return Path(shutil.copytree(model, models.installed_path(name)))


def test_resolve_explicit_path_and_direction_check(plain):
    assert models.resolve_model(str(plain), "hi", "en").path == plain
    with pytest.raises(ModelError, match=r"translates hin_Deva -> eng_Latn, but eng_Latn -> hin_Deva"):
        models.resolve_model(plain, "en", "hi")
    with pytest.raises(ModelError, match="model folder not found"):
        models.resolve_model("./no/such/model", "hi", "en")


def test_resolve_default_model_by_direction_from_the_cache(tiny_model_hi_en, tiny_model_en_hi):
    install(tiny_model_hi_en, "indictrans2-indic-en-dist-200M")
    install(tiny_model_en_hi, "indictrans2-en-indic-dist-200M")
    hindi = models.resolve_model(None, "hin_Deva", "eng_Latn")
    assert hindi.name == "indictrans2-indic-en-dist-200M" and hindi.src == HINDI
    english = models.resolve_model(None, "eng_Latn")
    assert english.name == "indictrans2-en-indic-dist-200M" and english.tgt == HINDI


def test_broken_installed_registry_model_suggests_fetching_it_again(tiny_model_hi_en):
    broken = install(tiny_model_hi_en, "indictrans2-indic-en-dist-200M")
    (broken / "target_vocabulary.json").unlink()
    hint = r"missing target_vocabulary.json .*models fetch indictrans2-indic-en-dist-200M --force"
    with pytest.raises(ModelError, match=hint):
        models.resolve_model(None, "hi", "en")


def test_resolve_without_download_says_how_to_get_the_model():
    with pytest.raises(ModelError, match="translate-kit models fetch indictrans2-indic-en-dist-200M"):
        models.resolve_model(None, "hi", "en", download=False)


def test_resolve_honours_translate_kit_model(plain, monkeypatch):
    monkeypatch.setenv(models.MODEL_ENV, str(plain))
    assert models.resolve_model(None, "hi", "en").path == plain
    with pytest.raises(ModelError, match=r"\(\$TRANSLATE_KIT_MODEL\) translates"):
        models.resolve_model(None, "en", "hi")


def test_resolve_installed_custom_name_and_unknown_name(tiny_model_en_hi):
    install(tiny_model_en_hi, "newsroom-en-hi")
    assert models.resolve_model("newsroom-en-hi", "en", "hi").name == "newsroom-en-hi"
    with pytest.raises(ModelError, match="unknown model 'nllb-200'"):
        models.resolve_model("nllb-200", "en", "hi")


def test_resolve_needs_a_model_or_a_language():
    with pytest.raises(ModelError, match="no model given"):
        models.resolve_model()


# ----------------------------------------------------------------------------- fairseq conversion script

@pytest.fixture
def convert_script():
    return load_script("scripts/convert_fairseq.py")


@pytest.fixture
def fairseq_dir(tiny_model_hi_en, tmp_path) -> tuple[Path, Path]:
    """A stand-in IndicTrans2 fairseq_model/ folder and model_configs/ folder."""
    folder = tmp_path / "indic-en" / "fairseq_model"
    (folder / "model").mkdir(parents=True)
    (folder / "model" / "checkpoint_best.pt").write_bytes(b"checkpoint")
    (folder / "final_bin").mkdir()
    for side in ("SRC", "TGT"):
        (folder / "final_bin" / f"dict.{side}.txt").write_text("▁की 120\n▁the 95\n", encoding="utf-8")
    shutil.copytree(tiny_model_hi_en / "vocab", folder / "vocab")
    user_dir = tmp_path / "IndicTrans2" / "model_configs"
    user_dir.mkdir(parents=True)
    return folder, user_dir


def test_convert_dry_run_prints_the_converter_command(convert_script, fairseq_dir, tmp_path, capsys):
    folder, user_dir = fairseq_dir
    out = tmp_path / "converted"
    assert convert_script.main(["--fairseq-dir", str(folder), "--user-dir", str(user_dir),
                                "-o", str(out), "--dry-run"]) == 0
    command = capsys.readouterr().out.splitlines()[0].split()
    assert command == [
        "ct2-fairseq-converter", "--model_path", str(folder / "model" / "checkpoint_best.pt"),
        "--data_dir", str(folder / "final_bin"), "--user_dir", str(user_dir),
        "--source_lang", "SRC", "--target_lang", "TGT",
        "--output_dir", str(out / "ct2_int8_model"), "--quantization", "int8",
    ]
    assert not out.exists()


def test_convert_lists_every_missing_input(convert_script, tmp_path, capsys):
    args = ["--fairseq-dir", str(tmp_path / "nowhere"), "--user-dir", str(tmp_path / "nope")]
    code = convert_script.main([*args, "-o", str(tmp_path / "out"), "--dry-run"])
    errors = capsys.readouterr().err
    assert code == 1
    for label in ("checkpoint", "source dictionary", "target dictionary", "source SentencePiece",
                  "target SentencePiece", "--user-dir"):
        assert f"Error: {label} not found" in errors


def test_convert_assembles_the_official_layout(convert_script, fairseq_dir, tiny_model_hi_en, tmp_path,
                                               monkeypatch, capsys):
    folder, user_dir = fairseq_dir
    calls = []

    def fake_converter(command, check):
        """Writes what ct2-fairseq-converter writes: the CT2 files without SentencePiece models."""
        calls.append(command)
        output = Path(command[command.index("--output_dir") + 1])
        output.mkdir()
        for name in ("model.bin", "config.json", "source_vocabulary.json", "target_vocabulary.json"):
            shutil.copy(tiny_model_hi_en / name, output / name)

    monkeypatch.setattr(convert_script, "missing_tools", lambda: [])
    monkeypatch.setattr(convert_script.subprocess, "run", fake_converter)
    out = tmp_path / "my-model"
    assert convert_script.main(["--fairseq-dir", str(folder), "--user-dir", str(user_dir), "-o", str(out),
                                "--direction", "indic-en"]) == 0
    assert len(calls) == 1 and "--quantization" in calls[0]
    model = models.validate_model_dir(out)
    assert model.path == out / "ct2_int8_model"
    assert model.spm_src.read_bytes() == (folder / "vocab" / "model.SRC").read_bytes()
    assert (model.src, model.tgt, model.direction_from) == (HINDI, ENGLISH, str(out / models.META_FILE))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left
