"""The evaluation library: presets, metrics, sentence table, significance, reports, test sets, COMET."""

from __future__ import annotations

import json
import re
import sys
import types
from pathlib import Path

import pytest
import sacrebleu
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_kit.errors import InputError, TranslateKitError
from translate_kit.evaluate import (
    MetricOptions,
    Scorer,
    compare_systems,
    parse_metric_names,
    report,
    sentence_scores,
    testsets,
)
from translate_kit.evaluate.presets import get_preset

REFERENCE_EN = [
    "Foreign Minister S. Jaishankar met Russian Foreign Minister Sergey Lavrov in Moscow on Tuesday.",
    "The two leaders discussed trade, energy and the situation in Ukraine.",
    "India will continue to buy oil from Russia, the minister said.",
    "Talks on a free trade agreement with the Eurasian Economic Union will resume next month.",
    "The meeting lasted for more than two hours.",
    "Both sides agreed to increase bilateral trade to 100 billion dollars by 2030.",
]
SYSTEM_EN = [
    "Foreign Minister S. Jaishankar met Russian Foreign Minister Sergei Lavrov in Moscow on Tuesday.",
    "Both leaders discussed trade, energy and the Ukraine situation.",
    "The minister said India will keep buying oil from Russia.",
    "Talks on free trade agreement with Eurasian Economic Union will restart next month.",
    "The meeting lasted more than two hours.",
    "The two sides agreed to raise bilateral trade to 100 billion dollars by 2030.",
]
# The same Hindi sentence with precomposed and with combining nukta, and with `|` for the danda.
HINDI_REF = ["विदेश मंत्री ने मॉस्को में रूसी विदेश मंत्री से मुला\u0958ात की।", "दोनों नेताओं ने व्यापार पर बात की।"]
HINDI_HYP = ["विदेश मंत्री ने मॉस्को में रूसी विदेश मंत्री से मुलाक\u093cात की|", "दोनों नेताओं ने व्यापार पर बात की।"]


def test_scores_equal_sacrebleu_api_and_signature_is_extended() -> None:
    scorer = Scorer(REFERENCE_EN, lang="en", metrics="bleu,chrf,chrf++,ter")
    scores = {s.key: s for s in scorer.corpus(SYSTEM_EN)}
    assert scores["bleu"].score == sacrebleu.corpus_bleu(SYSTEM_EN, [REFERENCE_EN]).score
    assert scores["chrf"].score == sacrebleu.corpus_chrf(SYSTEM_EN, [REFERENCE_EN]).score
    assert scores["chrf++"].score == sacrebleu.corpus_chrf(SYSTEM_EN, [REFERENCE_EN], word_order=2).score
    assert scores["ter"].score == sacrebleu.corpus_ter(SYSTEM_EN, [REFERENCE_EN]).score
    assert scores["chrf++"].name == "chrF2++" and not scores["ter"].higher_is_better
    bleu = scores["bleu"]
    assert bleu.signature.startswith(bleu.sacrebleu_signature + "|preset:none|textnorm:none|translate-kit:")
    assert "tok:13a" in bleu.sacrebleu_signature and bleu.mean is None


def test_confidence_interval_brackets_the_score_and_seed_is_in_signature() -> None:
    scorer = Scorer(REFERENCE_EN, lang="en", metrics="chrf++")
    (first,) = scorer.corpus(SYSTEM_EN, confidence=200, seed=7)
    (again,) = scorer.corpus(SYSTEM_EN, confidence=200, seed=7)
    (plain,) = scorer.corpus(SYSTEM_EN)
    low, high = first.interval
    assert low < first.score < high
    assert (first.mean, first.ci) == (again.mean, again.ci)
    assert "bs:200|seed:7|" in first.signature
    assert "bs:" not in plain.signature and plain.interval is None  # no resampling record left over


def test_nfc_preset_removes_nukta_form_difference() -> None:
    plain = Scorer(HINDI_REF, lang="hi", metrics="chrf").corpus(HINDI_HYP)[0]
    nfc = Scorer(HINDI_REF, lang="hi", metrics="chrf", preset="nfc").corpus(HINDI_HYP)[0]
    assert nfc.score > plain.score
    assert "|preset:nfc|textnorm:nfc|" in nfc.signature


def test_indictrans2_preset_normalises_and_tokenises_hindi_only() -> None:
    hindi = get_preset("indictrans2").for_lang("hin_Deva")
    prepared = hindi.apply(HINDI_HYP)
    assert prepared == hindi.apply(HINDI_REF)  # one nukta form, `|` -> danda
    assert prepared[0].endswith(" की ।")  # the danda split off as a token
    assert hindi.bleu_tokenize == "none"
    assert get_preset("indictrans2").for_lang("eng_Latn").apply(SYSTEM_EN) == SYSTEM_EN
    scores = Scorer(HINDI_REF, lang="hi", metrics="bleu", preset="indictrans2").corpus(HINDI_HYP)
    assert scores[0].score == pytest.approx(100.0)
    assert re.search(
        r"tok:none\|.*\|preset:indictrans2\|textnorm:indicnlp-[\d.]+\+trivial\|", scores[0].signature
    )


def test_preset_conflicting_tokenizer_is_refused() -> None:
    with pytest.raises(TranslateKitError, match="drop --tokenize 13a"):
        Scorer(HINDI_REF, lang="hi", preset="indictrans2", options=MetricOptions(tokenize="13a"))


@pytest.mark.parametrize("spec", ["bleu,meteor", "BLEU,chrf+++", ""])
def test_unknown_or_missing_metric_names_are_refused(spec: str) -> None:
    with pytest.raises(TranslateKitError, match="metric"):
        parse_metric_names(spec)


def test_metric_names_keep_order_and_drop_duplicates() -> None:
    assert parse_metric_names(" TER,bleu,ter ,chrf++") == ["ter", "bleu", "chrf++"]


def test_flores_tokenizer_without_model_says_how_to_get_one(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sacrebleu.utils, "SACREBLEU_DIR", str(tmp_path))
    with pytest.raises(TranslateKitError, match=r"flores200 tokeniser needs .*--spm-model PATH"):
        Scorer(REFERENCE_EN, lang="en", metrics="bleu", options=MetricOptions(tokenize="flores200"))


def test_flores_tokenizer_with_local_spm_model(tmp_path: Path) -> None:
    import sentencepiece

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(REFERENCE_EN * 5 + SYSTEM_EN * 5), encoding="utf-8")
    sentencepiece.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(tmp_path / "spm"), vocab_size=100, minloglevel=2
    )
    model = tmp_path / "spm.model"
    options = MetricOptions(tokenize="flores200", spm_model=str(model))
    (bleu,) = Scorer(REFERENCE_EN, lang="en", metrics="bleu", options=options).corpus(SYSTEM_EN)
    processor = sentencepiece.SentencePieceProcessor(model_file=str(model))

    def pieces(lines):
        return [" ".join(processor.encode(line, out_type=str)) for line in lines]

    expected = sacrebleu.corpus_bleu(pieces(SYSTEM_EN), [pieces(REFERENCE_EN)], tokenize="none")
    assert bleu.score == pytest.approx(expected.score)
    assert "tok:flores200" in bleu.signature
    with pytest.raises(TranslateKitError, match="only used by the SPM tokenisers"):
        Scorer(REFERENCE_EN, lang="en", metrics="bleu", options=MetricOptions(spm_model=str(model)))


def test_hypotheses_must_align_with_references() -> None:
    with pytest.raises(InputError, match="5 hypotheses for 6 reference lines"):
        Scorer(REFERENCE_EN, lang="en").corpus(SYSTEM_EN[:5])


def test_sentence_table_is_worst_first_with_all_columns() -> None:
    sources = [f"स्रोत वाक्य {i}" for i in range(len(REFERENCE_EN))]
    scorer = Scorer(REFERENCE_EN, lang="en", metrics="bleu,chrf++,ter", sources=sources)
    table = sentence_scores(scorer, SYSTEM_EN)
    assert list(table.columns) == [
        "line",
        "source",
        "reference",
        "hypothesis",
        "ref_words",
        "hyp_words",
        "bleu",
        "chrf++",
        "ter",
    ]
    assert list(table["chrf++"]) == sorted(table["chrf++"])
    first = table.iloc[-1]
    assert first["line"] == 1 and first["hypothesis"] == SYSTEM_EN[0]  # the closest line ends the table
    assert table.iloc[0]["source"] == sources[table.iloc[0]["line"] - 1]
    by_ter = sentence_scores(scorer, SYSTEM_EN, sort_by="ter")
    assert list(by_ter["ter"]) == sorted(by_ter["ter"], reverse=True)
    assert "eff:yes" in table.attrs["signatures"]["bleu"]
    expected = sacrebleu.sentence_chrf(SYSTEM_EN[2], [REFERENCE_EN[2]], word_order=2).score
    assert table.set_index("line").loc[3, "chrf++"] == pytest.approx(expected)


def _systems() -> list[tuple[str, list[str]]]:
    worse = [line.replace("the ", "").replace("The ", "") for line in SYSTEM_EN]
    return [("baseline", SYSTEM_EN), ("copy", list(SYSTEM_EN)), ("worse", worse)]


@pytest.mark.parametrize("test", ["bs", "ar"])
def test_paired_tests_report_p_values_for_every_system_but_the_baseline(test: str) -> None:
    scorer = Scorer(REFERENCE_EN * 10, lang="en", metrics="bleu,chrf")
    systems = [(name, lines * 10) for name, lines in _systems()]
    comparison = compare_systems(scorer, systems, test=test, n_samples=200, confidence=100)
    baseline, copy, worse = comparison.systems
    assert baseline.is_baseline and not baseline.p_values
    assert copy.identical and not copy.different("bleu")  # sacrebleu's p is at its floor here
    assert copy.p_values["bleu"] == pytest.approx(1 / 201)
    assert worse.different("chrf") and worse.scores["chrf"].score < baseline.scores["chrf"].score
    assert all(s.interval for system in comparison.systems for s in system.scores.values())
    assert f"{'ar' if test == 'ar' else 'bs'}:200|seed:12345" in comparison.signatures["bleu"]


def test_compare_refuses_one_system_and_duplicate_names() -> None:
    scorer = Scorer(REFERENCE_EN, lang="en")
    with pytest.raises(TranslateKitError, match="at least two systems"):
        compare_systems(scorer, [("a", SYSTEM_EN)])
    with pytest.raises(TranslateKitError, match="a given twice"):
        compare_systems(scorer, [("a", SYSTEM_EN), ("a", SYSTEM_EN)])


@pytest.fixture(scope="module")
def comparison():
    scorer = Scorer(REFERENCE_EN * 5, lang="en", metrics="bleu,chrf++,ter")
    return compare_systems(scorer, [(n, s * 5) for n, s in _systems()], test="bs", n_samples=100)


def test_reports_in_every_format_use_sacrebleu_wording(comparison) -> None:
    text = report.render_comparison(comparison, "text")
    assert "different from the baseline" in text and "better" in text
    assert "significantly better" not in text
    assert "Baseline: baseline" in text and "chrF2++: nrefs:1|bs:100|seed:12345" in text
    document = json.loads(report.render_comparison(comparison, "json"))
    assert document["systems"][2]["different_from_baseline"]["chrf++"] is True
    assert document["systems"][0]["p_values"] == {}
    csv_lines = report.render_comparison(comparison, "csv").splitlines()
    assert csv_lines[0].startswith("system,baseline,BLEU,BLEU mean,BLEU ci95,BLEU p,chrF2++")
    assert len(csv_lines) == 4
    markdown = report.render_comparison(comparison, "markdown")
    assert markdown.startswith("| ") and "`nrefs:1|bs:100" in markdown
    with pytest.raises(TranslateKitError, match="unknown format"):
        report.render_comparison(comparison, "latex")


def test_html_report_is_self_contained_with_chart(comparison) -> None:
    page = report.html_report(comparison)
    assert page.startswith("<!DOCTYPE html>")
    assert re.search(r'<img [^>]*src="data:image/png;base64,iVBORw0KGgo', page)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
    assert "<script" not in page and "@import" not in page and "url(" not in page
    assert "different from the baseline" in page and "worse" in page


def test_evaluation_report_formats() -> None:
    scores = Scorer(REFERENCE_EN, lang="en", metrics="bleu,ter").corpus(SYSTEM_EN, confidence=100)
    text = report.render_evaluation(scores, "text", width=2)
    assert text.splitlines()[0].startswith("BLEU|nrefs:1|bs:100|seed:12345|") and "(μ = " in text
    document = json.loads(report.render_evaluation(scores, "json", meta={"lines": 6}))
    assert document["lines"] == 6 and document["scores"][1]["name"] == "TER"
    assert document["scores"][0]["ci95_low"] < document["scores"][0]["score"]
    assert report.render_evaluation(scores, "csv").startswith(
        "metric,score,mean,ci95,ci95_low,ci95_high,detail"
    )
    assert "| BLEU" in report.render_evaluation(scores, "markdown")


@given(
    st.lists(
        st.text(alphabet="abc दकि।.", min_size=1, max_size=30).map(str.strip).filter(bool),
        min_size=1,
        max_size=8,
    )
)
@settings(max_examples=40, deadline=None)
def test_identical_output_scores_perfectly(lines: list[str]) -> None:
    for preset in ("none", "nfc", "indictrans2"):
        scores = {
            s.key: s.score for s in Scorer(lines, lang="hi", metrics="chrf,ter", preset=preset).corpus(lines)
        }
        assert scores["chrf"] == pytest.approx(100.0) and scores["ter"] == 0.0


@given(st.text(alphabet="कखगक़ज़\u093c\u200d\u200c |।ािी.", max_size=40))
@settings(max_examples=60, deadline=None)
def test_indictrans2_preparation_is_idempotent(line: str) -> None:
    hindi = get_preset("indictrans2").for_lang("hin_Deva")
    once = hindi.apply([line])
    assert hindi.apply(once) == once


# --------------------------------------------------------------------------- test sets


def _manifest(tmp_path: Path, hi: bytes, en: bytes, sha_hi: str | None, lines: int | None) -> dict:
    import hashlib

    (tmp_path / "hi-en").mkdir(exist_ok=True)
    (tmp_path / "hi-en" / "tiny.hi").write_bytes(hi)
    (tmp_path / "hi-en" / "tiny.en").write_bytes(en)
    spec = {
        "title": "tiny",
        "origin": "https://example.org/tiny",
        "get": "copy tiny.* into DATA_DIR/hi-en/",
        "lines": lines,
        "files": {
            "hi": {"path": "hi-en/tiny.hi", "sha256": sha_hi},
            "en": {"path": "hi-en/tiny.en", "sha256": hashlib.sha256(en).hexdigest()},
        },
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"sets": {"tiny": spec}}), encoding="utf-8")
    return testsets.load_manifest(path)


def test_repository_manifest_lists_the_standard_sets() -> None:
    sets = testsets.load_manifest()
    assert {"flores200-devtest", "wmt14", "tico19-test", "ntrex128", "in22-gen", "newsdev2014"} <= set(sets)
    for spec in sets.values():
        assert spec.origin.startswith("https://") and "DATA_DIR" in spec.get
        for side in spec.files.values():
            assert side.sha256 is None or re.fullmatch(r"[0-9a-f]{64}", side.sha256)


def test_shared_test_sets_verify(shared_data: Path) -> None:
    located = testsets.locate("tico19-test", "hi", shared_data)
    assert located.lines == 2100 and located.source.name == "tico19-test.hi" and located.tgt == "eng_Latn"
    reverse = testsets.locate("newsdev2014", "en", shared_data)
    assert reverse.source.name == "newsdev2014.en" and reverse.lines == 520 and not reverse.first_use


def test_missing_test_set_says_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(TranslateKitError, match=r"flores200-devtest not found .*flores200_dataset.tar.gz"):
        testsets.locate("flores200-devtest", "hi", tmp_path)
    with pytest.raises(TranslateKitError, match="unknown test set 'flores'"):
        testsets.locate("flores", "hi", tmp_path)


def test_checksum_mismatch_is_refused(tmp_path: Path) -> None:
    sets = _manifest(tmp_path, "नमस्ते\n".encode(), b"hello\n", "0" * 64, 1)
    with pytest.raises(InputError, match=r"tiny.hi: sha256 .* differs from the manifest"):
        testsets.locate("tiny", "hi", tmp_path, sets)


def test_unknown_checksum_is_recorded_on_first_use_then_enforced(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TRANSLATE_KIT_HOME", str(tmp_path / "home"))
    sets = _manifest(tmp_path, "नमस्ते\nधन्यवाद\n".encode(), b"hello\nthanks\n", None, None)
    first = testsets.locate("tiny", "hi", tmp_path, sets)
    assert first.first_use and first.lines == 2
    assert not testsets.locate("tiny", "en", tmp_path, sets).first_use
    (tmp_path / "hi-en" / "tiny.hi").write_bytes("नमस्ते\nशुक्रिया\n".encode())
    with pytest.raises(InputError, match="differs from the first use"):
        testsets.locate("tiny", "hi", tmp_path, sets)


def test_line_counts_are_checked(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TRANSLATE_KIT_HOME", str(tmp_path / "home"))
    sets = _manifest(tmp_path, "नमस्ते\n".encode(), b"hello\nthanks\n", None, None)
    with pytest.raises(InputError, match="tiny.hi has 1 lines but .*tiny.en has 2"):
        testsets.locate("tiny", "hi", tmp_path, sets)


# --------------------------------------------------------------------------- COMET


def test_comet_missing_is_one_clear_message(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "comet", None)  # import comet -> ImportError
    with pytest.raises(
        TranslateKitError, match=r"optional COMET package: pip install 'translate-kit\[comet\]'"
    ):
        Scorer(REFERENCE_EN, lang="en", metrics="comet", sources=REFERENCE_EN)


def test_comet_needs_sources() -> None:
    with pytest.raises(TranslateKitError, match="COMET needs the source sentences"):
        Scorer(REFERENCE_EN, lang="en", metrics="bleu,comet")


def test_comet_offline_model_is_one_clear_message(monkeypatch) -> None:
    def download_model(name):
        raise ConnectionError("no network")

    fake = types.SimpleNamespace(download_model=download_model, load_from_checkpoint=lambda path: None)
    monkeypatch.setitem(sys.modules, "comet", fake)
    with pytest.raises(
        TranslateKitError, match=r"Unbabel/wmt22-comet-da' is not available \(ConnectionError\)"
    ):
        Scorer(REFERENCE_EN, lang="en", metrics="comet", sources=REFERENCE_EN)


@pytest.fixture
def fake_comet(monkeypatch, tmp_path: Path) -> dict:
    """A stand-in for the `comet` package (unbabel-comet: not installed here, and its checkpoints
    cannot be downloaded) with a local checkpoint. Its model scores each segment by how much of the
    reference's length the hypothesis has, so the expected scores follow from the data the scorer
    hands over; `seen` records what predict() was given."""
    seen: dict = {"model": str(tmp_path / "wmt22")}

    class Model:
        def predict(self, data, batch_size, gpus, progress_bar):
            seen["data"] = data
            scores = [min(1.0, len(item["mt"]) / len(item["ref"])) for item in data]
            return types.SimpleNamespace(scores=scores, system_score=sum(scores) / len(scores))

    checkpoint = tmp_path / "wmt22" / "checkpoints" / "model.ckpt"
    checkpoint.parent.mkdir(parents=True)
    checkpoint.write_bytes(b"weights")
    fake = types.SimpleNamespace(
        load_from_checkpoint=lambda path: Model() if path == str(checkpoint) else None
    )
    monkeypatch.setitem(sys.modules, "comet", fake)
    return seen


LENGTH_RATIOS = [min(1.0, len(h) / len(r)) for h, r in zip(SYSTEM_EN, REFERENCE_EN, strict=True)]


def test_comet_metric_hands_source_mt_reference_to_the_comet_api_and_reports_its_scores(
    fake_comet: dict,
) -> None:
    """The COMET metric loads the local checkpoint through the `comet` package's API, gives it
    (source, hypothesis, reference) triples in line order, and reports its system and sentence scores."""
    sources = [f"वाक्य {i}" for i in range(len(REFERENCE_EN))]
    scorer = Scorer(
        REFERENCE_EN, lang="en", metrics="chrf,comet", sources=sources, comet_model=fake_comet["model"]
    )
    chrf, comet = scorer.corpus(SYSTEM_EN)
    assert comet.name == "COMET" and comet.score == pytest.approx(sum(LENGTH_RATIOS) / len(LENGTH_RATIOS))
    assert fake_comet["data"] == [
        {"src": s, "mt": h, "ref": r} for s, h, r in zip(sources, SYSTEM_EN, REFERENCE_EN, strict=True)
    ]
    assert comet.signature.startswith(f"model:{fake_comet['model']}|nrefs:1|comet:")
    table = sentence_scores(scorer, SYSTEM_EN, sort_by="comet")
    worst_first = sorted(range(len(LENGTH_RATIOS)), key=LENGTH_RATIOS.__getitem__)
    assert list(table["line"]) == [i + 1 for i in worst_first] != [1, 2, 3, 4, 5, 6]


def test_compare_reports_comet_without_a_p_value(fake_comet: dict) -> None:
    scorer = Scorer(
        REFERENCE_EN, lang="en", metrics="chrf,comet", sources=REFERENCE_EN, comet_model=fake_comet["model"]
    )
    comparison = compare_systems(scorer, _systems(), test="bs", n_samples=50)
    assert comparison.metric_keys == ["chrf", "comet"]
    assert set(comparison.systems[2].p_values) == {"chrf"}
    worse = _systems()[2][1]
    ratios = [min(1.0, len(h) / len(r)) for h, r in zip(worse, REFERENCE_EN, strict=True)]
    assert comparison.systems[2].scores["comet"].score == pytest.approx(sum(ratios) / len(ratios))
    assert "COMET: model:" in report.render_comparison(comparison, "text")
