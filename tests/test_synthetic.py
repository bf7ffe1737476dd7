"""The random-weight model builder writes folders that behave like converted IndicTrans2 models."""

from __future__ import annotations

import json
from pathlib import Path

import ctranslate2
import numpy as np
import pytest
import sentencepiece as spm

from translate_kit.bench.synthetic import (
    MAX_POSITIONS,
    SHAPES,
    build_vocabulary,
    sinusoidal_positions,
    spm_pieces,
    train_sentencepiece,
)


def test_tiny_model_has_the_official_layout(tiny_model_hi_en):
    names = {p.relative_to(tiny_model_hi_en).as_posix() for p in tiny_model_hi_en.rglob("*") if p.is_file()}
    assert names == {"model.bin", "config.json", "source_vocabulary.json", "target_vocabulary.json",
                     "vocab/model.SRC", "vocab/model.TGT", "translate_kit.json"}
    meta = json.loads((tiny_model_hi_en / "translate_kit.json").read_text())
    assert (meta["src"], meta["tgt"]) == ("hin_Deva", "eng_Latn")
    assert (meta["synthetic"], meta["shape"]) == (True, "tiny")


def test_config_follows_fairseq_conventions(tiny_model_hi_en):
    config = json.loads((tiny_model_hi_en / "config.json").read_text())
    assert config["add_source_eos"] is True
    assert config["decoder_start_token"] == "</s>"
    assert config["eos_token"] == "</s>"


@pytest.mark.parametrize("direction", ["hi_en", "en_hi"])
def test_vocabularies_have_fairseq_order_and_exact_size(direction, request):
    folder = request.getfixturevalue(f"tiny_model_{direction}")
    source = json.loads((folder / "source_vocabulary.json").read_text())
    target = json.loads((folder / "target_vocabulary.json").read_text())
    expected = SHAPES["tiny"].vocab_sizes["indic-en" if direction == "hi_en" else "en-indic"]
    assert (len(source), len(target)) == expected
    assert source[:4] == target[:4] == ["<s>", "<blank>", "</s>", "<unk>"]
    assert {"hin_Deva", "eng_Latn"} <= set(source)
    assert len(set(source)) == len(source) and len(set(target)) == len(target)
    # Every SentencePiece piece is a vocabulary token, so no real text maps to <unk>.
    pieces = spm_pieces((folder / "vocab" / "model.SRC").read_bytes())
    assert set(pieces) <= set(source)


def test_source_spm_matches_the_source_script(tiny_model_hi_en):
    processor = spm.SentencePieceProcessor(model_file=str(tiny_model_hi_en / "vocab" / "model.SRC"))
    pieces = processor.encode("राज्य सरकार ने किसानों के लिए राहत पैकेज की घोषणा की।", out_type=str)
    assert "".join(pieces).replace("▁", " ").strip() == "राज्य सरकार ने किसानों के लिए राहत पैकेज की घोषणा की।"
    assert processor.unk_id() not in processor.encode("राज्य सरकार")


def test_model_translates_and_respects_the_256_position_limit(tiny_model_hi_en):
    translator = ctranslate2.Translator(str(tiny_model_hi_en), device="cpu", compute_type="int8")
    tokens = ["hin_Deva", "eng_Latn", "▁राज्य", "▁सरकार"]
    result = translator.translate_batch([tokens], beam_size=2, max_decoding_length=12, return_scores=True)
    assert 1 <= len(result[0].hypotheses[0]) <= 12
    assert np.isfinite(result[0].scores[0])
    # 255 source tokens + the </s> the model appends fill the 256 positions; one more does not fit.
    translator.translate_batch([tokens[:2] + ["▁राज्य"] * 253], max_decoding_length=2, max_input_length=0)
    with pytest.raises(RuntimeError, match="position"):
        translator.translate_batch([tokens[:2] + ["▁राज्य"] * 254], max_decoding_length=2, max_input_length=0)


def test_build_vocabulary_pads_and_rejects_overflow():
    vocab = build_vocabulary(["▁a", "b", "madeupword0000"], 10, ("hin_Deva",))
    assert vocab[:7] == ["<s>", "<blank>", "</s>", "<unk>", "hin_Deva", "▁a", "b"]
    assert len(vocab) == len(set(vocab)) == 10
    with pytest.raises(ValueError, match="do not fit"):
        build_vocabulary(["x", "y"], 5)


def test_sinusoidal_positions_match_fairseq_offsets():
    table = sinusoidal_positions(MAX_POSITIONS, 8)
    assert table.shape == (MAX_POSITIONS, 8)
    # Row 0 is fairseq position 2 (padding_idx 1 + 1): sin(2 * freq_0) with freq_0 = 1.
    assert table[0, 0] == pytest.approx(np.sin(2.0))
    assert table[0, 4] == pytest.approx(np.cos(2.0))


def test_train_sentencepiece_rejects_empty_corpus():
    with pytest.raises(ValueError, match="empty"):
        train_sentencepiece(["", "  "], 100)


def test_ensure_synthetic_model_builds_once_under_the_home(tmp_path, monkeypatch):
    from translate_kit.bench.synthetic import ensure_synthetic_model

    monkeypatch.setenv("TRANSLATE_KIT_HOME", str(tmp_path))
    data = Path(__file__).resolve().parent / "data"
    first = ensure_synthetic_model("tiny", "indic-en", data)
    assert first == tmp_path / "synthetic" / "indic-en-tiny"
    built = (first / "model.bin").stat().st_mtime_ns
    assert ensure_synthetic_model("tiny", "indic-en", data) == first
    assert (first / "model.bin").stat().st_mtime_ns == built


@pytest.mark.parametrize("variant", ["dist-200M", "1B"])
@pytest.mark.parametrize("direction", ["indic-en", "en-indic"])
def test_synthetic_shapes_are_the_registrys_published_shapes(variant, direction):
    """The benchmarks' random-weight stand-ins must have the real models' dimensions, or their
    speed and memory say nothing about the real ones."""
    from translate_kit.models import REGISTRY

    published = REGISTRY[f"indictrans2-{direction}-{variant}"].shape
    shape = SHAPES[variant]
    assert (shape.encoder_layers, shape.decoder_layers, shape.d_model, shape.ffn, shape.heads) == (
        published.layers, published.layers, published.d_model, published.ffn, published.heads)
    assert shape.vocab_sizes[direction] == (published.source_vocab, published.target_vocab)
    assert shape.layernorm_embedding is (variant == "dist-200M")  # DESIGN.md: only dist-200M has it


def test_built_model_bin_has_exactly_the_requested_shape(tiny_model_hi_en):
    """What build_synthetic_model writes follows its Shape (read back from model.bin's header), so a
    dist-200M build has the registry's dimensions (test above) without building 200M weights here."""
    from translate_kit.models.header import read_model_bin

    info = read_model_bin(tiny_model_hi_en / "model.bin")
    tiny = SHAPES["tiny"]
    assert (info.layers("encoder"), info.layers("decoder")) == (tiny.encoder_layers, tiny.decoder_layers)
    assert (info.d_model, info.ffn, info.heads) == (tiny.d_model, tiny.ffn, tiny.heads)
    assert (info.source_vocab, info.target_vocab) == tiny.vocab_sizes["indic-en"]
    assert info.weight_dtype == "int8"


def test_build_synthetic_model_script_writes_a_valid_model(tmp_path, capsys):
    from project_scripts import load_script

    from translate_kit.models import validate_model_dir
    from translate_kit.models.header import read_model_bin

    script = load_script("scripts/build_synthetic_model.py")
    data = Path(__file__).resolve().parent / "data"
    out = tmp_path / "synthetic-en-indic-tiny"
    argv = ["--shape", "tiny", "--direction", "en-indic", "--data", str(data), "-o", str(out)]
    assert script.main(argv) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out} (tiny, en-indic, model.bin ")
    model = validate_model_dir(out)
    assert (model.src, model.tgt) == ("eng_Latn", "hin_Deva")
    info = read_model_bin(out / "model.bin")
    assert (info.source_vocab, info.target_vocab) == SHAPES["tiny"].vocab_sizes["en-indic"]
    empty = tmp_path / "no-data"
    empty.mkdir()
    with pytest.raises(SystemExit) as stopped:
        script.main(["--shape", "tiny", "--data", str(empty), "-o", str(tmp_path / "x")])
    assert stopped.value.code == 2 and "no *.hi / *.en training lines found" in capsys.readouterr().err
