"""The per-sentence language decision and language codes."""

from __future__ import annotations

import pytest

from translate_kit.languages import needs_translation

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
