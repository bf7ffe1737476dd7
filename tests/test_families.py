"""Model families: recognition from the folder, each family's model input and output, entity checks,
and end-to-end translation (text and Markdown) through the same engine and pipeline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_kit.bench.synthetic_families import build_family_model
from translate_kit.cli import cli
from translate_kit.documents import parse_document, write_document
from translate_kit.engine import FAST, DecodeOptions, Translator
from translate_kit.errors import ModelError
from translate_kit.families import M2M100, NLLB, IndicTrans2, Marian, recognise
from translate_kit.families.entities import check_expected, find_entities
from translate_kit.models import resolve_model, validate_model_dir
from translate_kit.textio import read_lines
from translate_kit.translate import DocumentTranslator

DATA = Path(__file__).resolve().parent / "data"
HINDI = "सरकार ने 2024 में 1,200 नए स्कूल खोले, विवरण www.example.gov.in पर है।"
MARKDOWN = "# चुनाव परिणाम\n\nआयोग ने 15 मई को नतीजे घोषित किए।\n\n- पहला बिंदु\n- दूसरा बिंदु\n"


def _build(root: Path, shape: str, direction: str = "indic-en") -> Path:
    hindi, english = read_lines(DATA / "corpus.hi"), read_lines(DATA / "corpus.en")
    source, target = (hindi, english) if direction == "indic-en" else (english, hindi)
    return build_family_model(root / f"{shape}-{direction}", shape, direction, source, target)


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    """Tiny NLLB-200, M2M-100 and OPUS-MT folders in their converters' layouts (random weights)."""
    root = tmp_path_factory.mktemp("families")
    nllb = _build(root, "nllb-tiny")
    m2m = root / "m2m100-tiny"
    shutil.copytree(nllb, m2m)
    vocab = json.loads((m2m / "shared_vocabulary.json").read_text(encoding="utf-8"))
    codes = {"hin_Deva": "__hi__", "eng_Latn": "__en__"}
    renamed = json.dumps([codes.get(token, token) for token in vocab])
    (m2m / "shared_vocabulary.json").write_text(renamed, encoding="utf-8")
    meta = json.loads((m2m / "translate_kit.json").read_text(encoding="utf-8"))
    (m2m / "translate_kit.json").write_text(json.dumps({**meta, "family": "m2m100"}), encoding="utf-8")
    return {"nllb": nllb, "m2m100": m2m, "marian": _build(root, "opus-mt-tiny"),
            "marian-en-hi": _build(root, "opus-mt-tiny", "en-indic")}


def test_each_folder_is_recognised_as_its_family(models, tiny_model_hi_en):
    assert recognise(tiny_model_hi_en).family is IndicTrans2
    assert recognise(models["nllb"]).family is NLLB
    assert recognise(models["m2m100"]).family is M2M100
    assert recognise(models["marian"]).family is Marian
    assert validate_model_dir(models["nllb"]).family == "nllb"
    assert validate_model_dir(tiny_model_hi_en).family == "indictrans2"


def test_an_unrecognised_folder_is_one_line_naming_what_is_missing(models, tmp_path):
    folder = tmp_path / "mystery"
    folder.mkdir()
    for name in ("model.bin", "config.json", "shared_vocabulary.json"):
        shutil.copy2(models["nllb"] / name, folder / name)
    (folder / "source.spm").write_bytes((models["marian"] / "source.spm").read_bytes())
    with pytest.raises(ModelError) as error:
        validate_model_dir(folder)
    message = str(error.value)
    assert "\n" not in message and "cannot tell the model family" in message
    assert "source.spm + target.spm (OPUS-MT)" in message and "sentencepiece.bpe.model" in message


def test_files_of_two_families_need_translate_kit_json_to_say_which(models, tmp_path):
    folder = tmp_path / "both"
    shutil.copytree(models["nllb"], folder)
    for name in ("source.spm", "target.spm"):
        shutil.copy2(models["marian"] / name, folder / name)
    meta = json.loads((folder / "translate_kit.json").read_text(encoding="utf-8"))
    del meta["family"]
    (folder / "translate_kit.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match=r"several model families \(nllb, marian\)"):
        recognise(folder, meta)
    assert recognise(folder, {**meta, "family": "nllb"}).family is NLLB
    (folder / "sentencepiece.bpe.model").unlink()
    with pytest.raises(ModelError, match="says family nllb but .* lacks sentencepiece.bpe.model"):
        recognise(folder, {**meta, "family": "nllb"})


def test_nllb_input_is_language_token_pieces_and_eos_with_a_target_prefix(models):
    family = recognise(models["nllb"]).load()
    prepared = family.prepare(HINDI, "hin_Deva", "eng_Latn")
    [tokens] = family.encode(prepared, 256)
    assert tokens[0] == "hin_Deva" and tokens[-1] == "</s>"
    assert tokens[1:-1] == family.codec.source.encode(prepared.text, out_type=str)
    assert family.target_prefix(prepared) == ["eng_Latn"]
    assert prepared.placeholders == () and prepared.expected == ("2024", "1,200", "www.example.gov.in")
    m2m = recognise(models["m2m100"]).load()
    prepared = m2m.prepare("The court met.", "eng_Latn", "hin_Deva")
    assert m2m.encode(prepared, 256)[0][0] == "__en__" and m2m.target_prefix(prepared) == ["__hi__"]


def test_marian_input_has_no_language_tokens_and_eos_only_when_the_model_does_not_add_it(models):
    family = recognise(models["marian"]).load()
    prepared = family.prepare(HINDI, "hin_Deva", "eng_Latn")
    [tokens] = family.encode(prepared, 256)
    assert tokens == [*family.codec.source.encode(prepared.text, out_type=str), "</s>"]
    assert family.target_prefix(prepared) is None
    family.files.config["add_source_eos"] = True  # as ct2-marian-converter writes it
    assert family.encode(prepared, 256)[0][-1] != "</s>"


def test_long_sentences_are_cut_to_fit_with_the_family_tokens(models):
    family = recognise(models["nllb"]).load()
    prepared = family.prepare(", ".join([HINDI.rstrip("।")] * 30) + "।", "hin_Deva", "eng_Latn")
    chunks = family.encode(prepared, 64)
    assert len(chunks) > 1 and all(len(c) <= 64 and c[0] == "hin_Deva" and c[-1] == "</s>" for c in chunks)
    pieces = family.codec.source.encode(prepared.text, out_type=str)
    assert [p for c in chunks for p in c[1:-1]] == pieces


def test_marian_direction_comes_from_the_name_or_the_scripts_of_its_sentencepiece_models(models, tmp_path):
    cases = (("marian", "first", ("hin_Deva", "eng_Latn")),
             ("marian-en-hi", "second", ("eng_Latn", "hin_Deva")))
    for key, name, expected in cases:
        folder = tmp_path / name
        shutil.copytree(models[key], folder)
        (folder / "translate_kit.json").unlink()
        model = validate_model_dir(folder)
        assert (model.src, model.tgt) == expected and "Devanagari pieces" in model.direction_from
    named = tmp_path / "opus-mt-en-hi"
    shutil.copytree(models["marian"], named)
    (named / "translate_kit.json").unlink()
    model = validate_model_dir(named)
    assert (model.src, model.direction_from) == ("eng_Latn", "name 'opus-mt-en-hi'")


def test_multilingual_models_take_the_direction_asked_for_one_way_models_refuse(models):
    model = resolve_model(str(models["nllb"]), src="en")
    assert (model.src, model.tgt, model.direction_from) == ("eng_Latn", "hin_Deva", "asked for")
    with pytest.raises(ModelError, match="translates hin_Deva -> eng_Latn"):
        resolve_model(str(models["marian"]), src="en")


@pytest.mark.parametrize("family", ["nllb", "m2m100", "marian"])
def test_each_family_translates_text_end_to_end(models, family):
    translator = Translator.load(models[family], threads=1)
    assert translator.family.name == family
    results = translator.translate([HINDI, "दूसरा वाक्य यहाँ है।"], DecodeOptions(beam_size=2))
    assert [r.source for r in results] == [HINDI, "दूसरा वाक्य यहाँ है।"]
    assert all(r.text.strip() for r in results)
    assert "hin_Deva" not in results[0].text and "eng_Latn" not in results[0].text
    # Random weights lose the entities: each is reported, as a dropped IndicTrans2 placeholder is.
    assert set(results[0].dropped) <= {"2024", "1,200", "www.example.gov.in"}
    for value in ("2024", "1,200", "www.example.gov.in"):
        assert value in results[0].text or value in results[0].dropped
    doc = parse_document("पहली पंक्ति।\n\n  दूसरी पंक्ति।", "plain.txt", "text")
    documents = DocumentTranslator(translator, FAST)
    [translated] = documents.translate([documents.plan(doc)])
    text = write_document(doc, translated.rendered)
    assert text.count("\n") == 2 and text.split("\n")[2].startswith("  ")


@pytest.mark.parametrize("family", ["nllb", "m2m100", "marian"])
def test_each_family_translates_markdown_through_the_cli(models, family, tmp_path):
    source = tmp_path / "news.md"
    source.write_text(MARKDOWN, encoding="utf-8")
    target = tmp_path / "news.en.md"
    result = CliRunner().invoke(cli, ["translate", str(source), "-o", str(target), "--model",
                                      str(models[family]), "--beam", "1", "--threads", "1"])
    assert result.exit_code == 0, result.output
    out = target.read_text(encoding="utf-8").split("\n")
    assert out[0].startswith("# ") and out[1] == "" and out[4].startswith("- ") and out[5].startswith("- ")


def test_nllb_decodes_english_to_hindi_with_the_hindi_prefix(models):
    translator = Translator.load(models["nllb"], src="en", tgt="hi", threads=1)
    [result] = translator.translate(["The court met on 15 May."], FAST)
    assert result.text and "hin_Deva" not in result.text


def test_the_family_is_part_of_the_memory_key(models, tiny_model_hi_en):
    from translate_kit.memory import context_key

    nllb = context_key("f", "hin_Deva", "eng_Latn", FAST, "nllb")
    assert nllb != context_key("f", "hin_Deva", "eng_Latn", FAST, "indictrans2")


def test_models_info_shows_the_family(models):
    result = CliRunner().invoke(cli, ["models", "info", str(models["marian"])])
    assert result.exit_code == 0, result.output
    assert "OPUS-MT (Marian) (marian)" in result.output and "checked after decoding" in result.output


def test_glossary_terms_are_written_into_the_source_and_checked(models):
    family = recognise(models["nllb"]).load()
    prepared = family.prepare("रिपोर्ट जयशंकर ने दी।", "hin_Deva", "eng_Latn", {"जयशंकर": "Jaishankar"})
    assert "Jaishankar" in prepared.text and prepared.expected == ("Jaishankar",)
    assert family.restore("The report was given.", prepared).dropped == ("Jaishankar",)
    assert family.restore("Jaishankar gave the report.", prepared).dropped == ()


RESTORED = "In 2024, 1,200 schools; see www.example.gov.in"


@pytest.mark.parametrize(("output", "restored", "dropped"), [
    (RESTORED, RESTORED, ()),
    ("In २०२४, 1200 schools; see www. example. gov. in", RESTORED, ()),
    ("Schools opened; see www.example.gov.in", "Schools opened; see www.example.gov.in", ("2024", "1,200")),
])
def test_entities_are_kept_restored_or_reported(output, restored, dropped):
    expected = find_entities(HINDI)
    assert expected == ["2024", "1,200", "www.example.gov.in"]
    assert check_expected(output, expected) == (restored, dropped)


def test_urls_keep_their_digits_and_lose_trailing_punctuation():
    assert find_entities("देखें https://pib.gov.in/a?id=2041, या mail@pib.gov.in.") == [
        "https://pib.gov.in/a?id=2041", "mail@pib.gov.in"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["12", "3.5", "1,200", "www.a.in", "x@y.in", "शब्द", "word", "२०", " "]),
                max_size=8),
       st.lists(st.sampled_from(["12", "1200", "3,5", "www. a. in", "word", "२०", "20", " "]), max_size=8))
def test_every_expected_value_is_in_the_output_or_reported(source_parts, output_parts):
    expected = find_entities(" ".join(source_parts))
    text, dropped = check_expected(" ".join(output_parts), expected)
    for value in expected:
        assert value in text or value in dropped
    assert set(dropped) <= set(expected)
