"""translate_kit.api, the calls every front door makes, with the tiny random-weight models (output is
noise: these tests check what comes back, progress, cancellation, resuming and option errors)."""

from __future__ import annotations

import pytest

from translate_kit import api
from translate_kit.errors import Cancelled, OptionError
from translate_kit.languages import ENGLISH, HINDI
from translate_kit.translate import MANIFEST_NAME

ARTICLE = "मॉस्को में जयशंकर ने लावरोव से मुलाकात की। दोनों नेताओं ने व्यापार पर चर्चा की।\n\nद्विपक्षीय संबंध\n"
MARKDOWN = "# जयशंकर की **मॉस्को** यात्रा\n\nविदेश मंत्री ने [बयान](https://mea.gov.in/x) जारी किया।\n"


def options(model, tmp_path, **extra) -> api.TranslateOptions:
    return api.TranslateOptions(model=str(model), beam_size=1, threads=1,
                                memory=str(tmp_path / "memory.sqlite3"), **extra)


def test_translate_texts_keeps_each_format_and_reports_progress(tiny_model_hi_en, tmp_path):
    seen: list[tuple[int, int]] = []
    result = api.translate_texts([MARKDOWN, "# नई दिल्ली\n"], options(tiny_model_hi_en, tmp_path), "markdown",
                                 progress=lambda done, total: seen.append((done, total)))
    assert (result.src, result.tgt) == (HINDI, ENGLISH)
    first, second = result.results
    assert first.text.startswith("# ") and first.text.count("**") == 2
    assert "](https://mea.gov.in/x)" in first.text
    assert second.text.startswith("# ") and second.text.endswith("\n")
    assert [s.source for s in first.sentences][0].startswith("जयशंकर की")
    total = result.stats.sentences  # headings, paragraph, and the inner text of the bold and the link
    assert total == 5 and result.stats.translated == 5
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_translation_is_loaded_once_and_reused_with_its_memory(tiny_model_hi_en, tmp_path):
    with api.Translation(options(tiny_model_hi_en, tmp_path)) as translation:
        first = translation.translate_texts([ARTICLE])
        again = translation.translate_texts([ARTICLE])
    assert first.results[0].text == again.results[0].text
    assert (first.stats.translated, again.stats.translated, again.stats.cached) == (3, 0, 3)
    assert again.results[0].text.count("\n") == ARTICLE.count("\n")


def test_bilingual_output_and_text_already_in_the_target_language(tiny_model_hi_en, tmp_path):
    settings = options(tiny_model_hi_en, tmp_path, bilingual=True)
    result = api.translate_texts(["Already English.\n", ARTICLE], settings)
    english, hindi = result.results
    assert english.text.count("\n") == 1 and '"translated": false' in english.text
    assert hindi.text.count("\n") == 2 and '"translated": true' in hindi.text


def test_cancelling_a_folder_run_keeps_finished_outputs_and_a_rerun_resumes(tiny_model_hi_en, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.txt").write_text(f"{name}: " + ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    settings = options(tiny_model_hi_en, tmp_path, window_sentences=1)
    with pytest.raises(Cancelled):  # cancelled once the first document is written
        api.translate_documents(str(folder), str(out), settings, cancel=(out / "a.txt").exists)
    written = sorted(p.name for p in out.iterdir() if p.name != MANIFEST_NAME and not p.name.startswith("."))
    assert written == ["a.txt"]
    result = api.translate_documents(str(folder), str(out), settings)
    assert (result.stats.documents_skipped, result.stats.documents) == (1, 2)
    assert sorted(p.name for p in out.glob("*.txt")) == ["a.txt", "b.txt", "c.txt"]


def test_nothing_to_translate_loads_no_model(tmp_path):
    source = tmp_path / "blank.txt"
    source.write_text("\n\n  \n", encoding="utf-8")
    written: list[str] = []
    result = api.translate_documents(str(source), None, api.TranslateOptions(model=str(tmp_path / "none")),
                                     stdout=written.append)
    assert "".join(written) == "\n\n  \n" and (result.src, result.tgt) == (None, None)


def test_options_that_do_not_fit_the_input_are_an_option_error(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    with pytest.raises(OptionError, match="--field applies to JSONL input"):
        api.translate_documents(str(source), None, api.TranslateOptions(fields=("title",)))
    with pytest.raises(OptionError, match="--column applies to TSV/CSV input"):
        api.translate_documents(str(source), None, api.TranslateOptions(columns=("text",)))


def test_evaluate_and_compare_take_paths_and_options_and_report_through_notify(tmp_path, tiny_model_hi_en):
    ref = tmp_path / "ref.en"
    ref.write_text("The minister met Lavrov in Moscow.\nTrade was discussed.\n", encoding="utf-8")
    good = tmp_path / "good.en"
    good.write_text("The minister met Lavrov in Moscow.\nTrade was discussed.\n", encoding="utf-8")
    poor = tmp_path / "poor.en"
    poor.write_text("A minister saw him.\n\n", encoding="utf-8")
    notes: list[str] = []
    result = api.evaluate(str(poor), [str(ref)], api.EvalOptions(metrics="bleu,chrf"), notify=notes.append)
    assert [s.name for s in result.scores] == ["BLEU", "chrF2"] and result.meta["lines"] == 2
    assert notes == [f"warning: {poor}: 1 empty line (first: line 2), scored as empty output"]
    perfect = api.evaluate(str(good), [str(ref)], api.EvalOptions(metrics="chrf"))
    assert perfect.scores[0].score == pytest.approx(100.0)
    comparison = api.compare([str(poor), str(good)], [str(ref)], api.EvalOptions(metrics="chrf"),
                             names=["poor", "good"])
    assert [s.name for s in comparison.systems] == ["poor", "good"]
    with pytest.raises(OptionError, match="drop --hyp"):
        api.evaluate(str(poor), [str(ref)], translate=api.TranslateFirst(model=str(tiny_model_hi_en)))


def test_align_documents_gives_the_records_of_each_pair_and_an_error_for_an_unreadable_one(tmp_path):
    hindi = tmp_path / "a.hi.txt"
    hindi.write_text("मॉस्को में बैठक\nजयशंकर ने 12 मार्च को लावरोव से मुलाकात की। व्यापार पर चर्चा हुई।\n",
                     encoding="utf-8")
    english = tmp_path / "a.en.txt"
    english.write_text("Meeting in Moscow\nJaishankar met Lavrov on 12 March. Trade was discussed.\n",
                       encoding="utf-8")
    binary = tmp_path / "b.hi.txt"
    binary.write_bytes(b"\x00\x01\x02")
    pairs, evidence = api.align_documents([(str(hindi), str(english)), (str(binary), str(english))],
                                          api.AlignOptions(freedict=False, level="both"))
    good, bad = pairs
    assert (good.hi_sentences, good.en_sentences) == (3, 3) and not good.error
    beads = [r for r in good.records if r.get("level") == "sentence"]
    assert sorted(i for r in beads for i in r["hi"]) == [0, 1, 2]  # every sentence in one bead
    assert any(r.get("level") == "block" for r in good.records)
    assert bad.error and "binary" in bad.error and bad.records == []
    assert evidence
    with pytest.raises(OptionError):
        api.align_documents([(str(hindi), str(english))], api.AlignOptions(beads="3-7"))
