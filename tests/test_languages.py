"""The per-sentence language decision and language codes."""

from __future__ import annotations

import pytest

from translate_kit.languages import (
    ENGLISH,
    HINDI,
    detect_lang,
    detect_source,
    needs_translation,
    normalize_lang,
    other,
)

CODE_MIXED_HINDI = [
    "इस फ़ीचर को GitHub पर security advisory कहा जाता है।",
    "हमने अपने प्रोजेक्ट के लिए CI pipeline बदल दी है।",
    "@username ने यह pull request खोला।",
    "React आपके UI को components में बांटता है।",
    "`useState` Hook एक state variable लौटाता है।",
]
COPIED_IN_HINDI_TEXT = [
    "The quick brown fox jumps over the lazy dog.",
    "https://github.com/github/opensource.guide",
    "2024-05-01",
    "Apache 2.0",
    "— @benbalter",
    "।",
]


@pytest.mark.parametrize("sentence", CODE_MIXED_HINDI)
def test_any_devanagari_letter_makes_a_sentence_hindi(sentence):
    assert needs_translation(sentence, "hin_Deva", "eng_Latn")
    assert not needs_translation(sentence, "eng_Latn", "hin_Deva")  # already Hindi: copied


@pytest.mark.parametrize("text", COPIED_IN_HINDI_TEXT)
def test_text_without_devanagari_letters_is_copied_in_hindi_to_english(text):
    assert not needs_translation(text, "hin_Deva", "eng_Latn")


def test_english_to_hindi():
    assert needs_translation("The festival of दिवाली is celebrated in autumn.", "eng_Latn", "hin_Deva")
    assert needs_translation("GitHub calls this a security advisory.", "eng_Latn", "hin_Deva")
    assert not needs_translation("42 %", "eng_Latn", "hin_Deva")
    assert not needs_translation("भारत", "eng_Latn", "hin_Deva")


def test_urls_are_no_words():
    assert not needs_translation("https://hi.wikipedia.org/wiki/भारत", "hin_Deva", "eng_Latn")
    assert not needs_translation("https://react.dev/errors/149", "eng_Latn", "hin_Deva")
    assert needs_translation("देखें https://react.dev/errors/149", "hin_Deva", "eng_Latn")


def test_labelled_set_recall_and_no_false_copies():
    """The committed labelled set (eval/language_decision.py): every Hindi sentence is translated
    in hi->en, nothing else is; in en->hi every English sentence is translated."""
    from project_scripts import load_script

    module = load_script("eval/language_decision.py")
    table = module.evaluate(module.read_set(module.DEFAULT_SET))
    current = table[(table["rule"] == "per-sentence script rule") & (table["split"] == "all")]
    by_direction = current.set_index("direction")
    assert len(module.read_set(module.DEFAULT_SET)) >= 400
    assert by_direction.loc["hi->en", "recall %"] >= 99.5
    assert by_direction.loc["hi->en", "false copies"] == 0
    assert by_direction.loc["en->hi", "recall %"] >= 99.5


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("मॉस्को में जयशंकर ने लावरोव से मुलाकात की।", HINDI),
        ("BRICS सम्मेलन में भारत और रूस", HINDI),
        ("Jaishankar met Lavrov in Moscow.", ENGLISH),
        ("2024-11-28", HINDI),
    ],
)
def test_detect_lang(text, lang):
    assert detect_lang(text) == lang


def test_language_codes():
    assert normalize_lang("hi") == HINDI and normalize_lang("eng_Latn") == ENGLISH
    assert other(HINDI) == ENGLISH
    with pytest.raises(ValueError, match="unsupported language"):
        normalize_lang("tam_Taml")


def test_detect_source_reads_the_script_of_the_first_texts():
    assert detect_source(["The ministers met.", "मॉस्को में बैठक हुई और दोनों पक्षों ने बात की।"]) == HINDI
    assert detect_source(["The ministers met in Moscow.", "Trade was discussed."]) == ENGLISH
    assert detect_source(["The ministers met in Moscow. " * 1000, "मॉस्को में बैठक हुई।"]) == ENGLISH
    assert detect_source([]) == HINDI  # nothing to read: the default
