"""The pair judge, its Hindi traps, dedup keys and translation flags (translate_kit.checks)."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_kit.checks import Judge
from translate_kit.checks.dedup import Deduper, near_key
from translate_kit.checks.flags import TranslationChecker
from translate_kit.checks.signals import Side, repetition, terminal

CLEAN = [
    ("सरकार ने सोमवार को 15 अगस्त 2023 को किसानों के लिए नई योजना शुरू की।",
     "On Monday, 15 August 2023, the government launched a new scheme for farmers."),
    ("सरकार ने सोमवार को १५ अगस्त २०२३ को किसानों के लिए नई योजना शुरू की।",
     "On Monday, 15 August 2023, the government launched a new scheme for farmers."),
    ("महंगाई दर १२.५% रही।", "Inflation was 12.5%."),
    ("उसे 1,00,000 रुपये का इनाम मिला।", "He received a reward of 100,000 rupees."),
    ("GitHub पर इसे private vulnerability reporting कहा जाता है।",
     "On GitHub this is called private vulnerability reporting."),
]


@pytest.fixture(scope="module")
def judge() -> Judge:
    return Judge()


@pytest.mark.parametrize("hi,en", CLEAN)
def test_clean_pairs_and_hindi_traps_are_kept(judge, hi, en):
    verdict = judge.judge(hi, en)
    assert verdict.kept(), verdict


@pytest.mark.parametrize(
    "hi,en,reason",
    [
        ("The cat sat on the mat.", "The cat sat on the mat.", "identical"),
        ("होम » समाचार » राष्ट्रीय", "Home » News » National", "boilerplate"),
        ("© 2023 सर्वाधिकार सुरक्षित।", "© 2023 All rights reserved.", "boilerplate"),
        ("सरकार ने योजना शुरू की।", "<p>The government launched the scheme.</p>", "html"),
        ("सरकार ने योजना शुरू की।".encode().decode("latin-1"), "The government launched it.", "encoding"),
        ("उसे 5 लाख रुपये मिले और 3 दिन बाद।", "He got 700,000 rupees and 4 days later.", "numbers"),
        ("सरकारने शेतकऱ्यांसाठी नवीन योजना जाहीर केली आहे.", "The government has announced a new scheme.",
         "language"),
        ("सरकार ने सोमवार को किसानों के लिए 6000 रुपये की सहायता योजना शुरू की।", "On Monday.", "length ratio"),
    ],
)
def test_noise_is_rejected_with_its_reason(judge, hi, en, reason):
    verdict = judge.judge(hi, en)
    assert not verdict.kept() and reason in verdict.reasons, verdict


def test_keep_reasons_are_reported_but_not_counted():
    from translate_kit.checks import JudgeSettings

    lenient = Judge(settings=JudgeSettings(keep_reasons=frozenset({"html"})))
    verdict = lenient.judge("सरकार ने योजना शुरू की।", "<b>The government launched the scheme.</b>")
    assert verdict.kept() and "html" in verdict.reasons


def test_lakh_grouping_devanagari_digits_and_percent_are_the_same_numbers():
    hi, en = Side.of("१२.५% और 1,00,000 और 5 लाख"), Side.of("12.5% and 100,000 and 500,000")
    from translate_kit.checks.signals import unmatched_numbers

    assert unmatched_numbers(hi, en) == [] and unmatched_numbers(en, hi) == []


def test_the_danda_is_a_full_stop_and_vowel_signs_stay_in_words():
    assert terminal("यह है।") == terminal("It is.") == "." and terminal("क्या?") == "?"
    assert Side.of("सरकार ने सोमवार").tokens == ("सरकार", "ने", "सोमवार")
    assert repetition(["the", "scheme", "the", "scheme", "the", "scheme", "began"])[0] == 3


def test_near_key_merges_nukta_joiners_danda_and_spacing_but_not_vowel_signs():
    precomposed = "ज़िले में बाढ़ आई।"
    combining = unicodedata.normalize("NFD", precomposed)
    assert near_key(precomposed) == near_key(combining) == near_key("ज़िले  में\u200d बाढ़ आई.")
    assert near_key("सरकार ने सोमवार") != near_key("सरकर न समवर")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["सरकार ने", "सरकार ने।", "ज़िला", "ज़िला"]),
                          st.sampled_from(["The government", "the government.", "A district"])), max_size=12))
def test_dedup_is_idempotent(pairs):
    def dedup(items):
        seen = Deduper()
        return [p for p in items if not seen.seen(*p)]

    once = dedup(pairs)
    assert dedup(once) == once


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60))
def test_the_judge_scores_any_text_in_0_1(hi, en):
    verdict = Judge(evidence=None).judge(hi, en)
    assert 0.0 <= verdict.score <= 1.0


def test_translation_flags():
    checker = TranslationChecker("hi", "en")
    source = "सरकार ने सोमवार को 15 अगस्त 2023 को किसानों के लिए नई योजना शुरू की।"
    good = "On Monday, 15 August 2023, the government launched a new scheme for farmers."
    assert checker.check(source, good).flags == ()
    assert "number_lost" in checker.check(source, good.replace("15 ", "")).flags
    assert "truncated" in checker.check(source, "On Monday, 15 August 2023, the").flags
    looped = "On Monday, 15 August 2023, the government launched a new new new new scheme scheme for farmers."
    assert "repeated" in checker.check(source, looped).flags
    assert checker.check(source, source).flags == ("untranslated",)
    assert checker.check(source, good).confidence > checker.check(source, source).confidence


def test_flags_reach_bilingual_output_and_on_flag(tiny_model_hi_en):
    from copy_model import copy_translator

    from translate_kit.documents import parse_document
    from translate_kit.translate import DocumentTranslator, FlaggedTranslationError, bilingual_jsonl

    engine = copy_translator(tiny_model_hi_en)  # copies its input: every translation is untranslated
    doc = parse_document("सरकार ने योजना शुरू की.\n", "a.txt", "text")
    translator = DocumentTranslator(engine, on_flag="keep-source")
    [done] = translator.translate([translator.plan(doc)])
    [record] = [json.loads(line) for line in bilingual_jsonl(done).splitlines()]
    assert record["sentences"][0]["flags"] == ["untranslated"]
    assert translator.stats.flagged == 1 and translator.stats.flagged_sentences[0]["line"] == 1
    failing = DocumentTranslator(engine, on_flag="fail")
    with pytest.raises(FlaggedTranslationError):
        list(failing.translate([failing.plan(doc)]))
