"""IndicTrans2 pre/post-processing: exact outputs on real-looking news, placeholders, bad input, CLI."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translate_kit.cli import cli
from translate_kit.errors import TranslateKitError
from translate_kit.indictrans import (
    Prepared,
    Restored,
    check_hindi_normalizer,
    postprocess,
    postprocess_batch,
    preprocess,
    preprocess_batch,
)

HI, EN = "hin_Deva", "eng_Latn"
PLACEHOLDER = re.compile(r"<\s*ID(\d+)\s*>")


def numbers_in_order(text: str) -> list[int]:
    """Placeholder numbers in order of first appearance."""
    return list(dict.fromkeys(int(n) for n in PLACEHOLDER.findall(text)))


# --- preprocessing: exact outputs -----------------------------------------------------------


def test_hindi_sentence_is_normalised_tokenised_and_tagged():
    prepared = preprocess("मॉस्को में जयशंकर ने लावरोव से मुलाकात की।", HI, EN)
    assert prepared.src == HI and prepared.tgt == EN
    assert prepared.text == "मॉस्को में जयशंकर ने लावरोव से मुलाकात की ।"
    assert prepared.tagged == "hin_Deva eng_Latn मॉस्को में जयशंकर ने लावरोव से मुलाकात की ।"
    assert prepared.placeholders == ()


def test_english_sentence_uses_moses_without_escaping():
    prepared = preprocess('The minister said "it\'s 5 % done" (officially).', EN, HI)
    assert prepared.tagged == "eng_Latn hin_Deva The minister said \" it 's 5 % done \" ( officially ) ."


def test_devanagari_digits_become_ascii_and_dates_become_placeholders():
    prepared = preprocess("१५ अगस्त २०२४ को ७८वां स्वतंत्रता दिवस मनाया गया।", HI, EN)
    assert prepared.text == "15 अगस्त 2024 को 78वां स्वतंत्रता दिवस मनाया गया ।"
    prepared = preprocess("बैठक 12.03.2024 को होगी।", HI, EN)
    assert prepared.text == "बैठक < ID1 > को होगी ।"
    assert prepared.placeholders == (("<ID1>", "12.03.2024"),)


def test_precomposed_nukta_is_decomposed_not_mangled():
    # ज़रूरी सड़क with precomposed nukta letters (U+095B, U+095C)
    prepared = preprocess("\u095b\u0930\u0942\u0930\u0940 \u0938\u095c\u0915", HI, EN)
    assert prepared.text == "\u091c\u093c\u0930\u0942\u0930\u0940 \u0938\u0921\u093c\u0915"
    assert "\\" not in prepared.text


def test_the_buggy_indicnlp_fork_is_refused():
    class ForkNormalizer:  # what indic-nlp-library-itt 0.1.1 returns for "ड़:"
        def normalize(self, text):
            return "\u0921\\u093C:"

    with pytest.raises(TranslateKitError, match="indic-nlp-library"):
        check_hindi_normalizer(ForkNormalizer())


def test_colon_after_devanagari_becomes_visarga_but_times_are_kept():
    assert preprocess("आगरा: सुबह 9:50 बजे", HI, EN).text == "आगराः सुबह 9:50 बजे"


def test_curly_quotes_dashes_and_no_break_spaces_are_normalised():
    prepared = preprocess("“Modi” – said 5\u00a000 ‘people’ ?", EN, HI)
    assert prepared.text == "\" Modi \" - said 5.00 ' people ' ?"


def test_entities_become_placeholders_numbered_in_order_of_appearance():
    sentence = ("Write to press@mea.gov.in or see https://mea.gov.in/briefings.htm on 12/05/2024; "
                "@DrSJaishankar posted 12.5% #IndiaRussia")
    prepared = preprocess(sentence, EN, HI)
    assert [value for _, value in prepared.placeholders] == [
        "press@mea.gov.in", "https://mea.gov.in/briefings.htm", "12/05/2024", "@DrSJaishankar", "12.5%",
        "#IndiaRussia",
    ]
    assert [name for name, _ in prepared.placeholders] == [f"<ID{i}>" for i in range(1, 7)]
    assert numbers_in_order(prepared.text) == [1, 2, 3, 4, 5, 6]
    assert preprocess(sentence, EN, HI) == prepared  # deterministic, unlike the reference's set order


def test_short_numbers_and_short_domains_stay_text():
    prepared = preprocess("कीमत 1.5 लाख रुपये और 3:0 से जीत, a.b पर", HI, EN)
    assert prepared.placeholders == ()


def test_a_number_inside_a_longer_one_is_not_replaced_first():
    prepared = preprocess("1 मिनट बाद 99.99% से 99.999% जीवाणु नष्ट होते हैं।", HI, EN)
    assert prepared.text == "1 मिनट बाद < ID1 > % से < ID2 > % जीवाणु नष्ट होते हैं ।"
    assert prepared.placeholders == (("<ID1>", "99.99"), ("<ID2>", "99.999"))


def test_number_opening_a_hindi_line_is_kept_whole():
    assert preprocess("8,866 मामलों में से 47 गंभीर थे।", HI, EN).text == "8,866 मामलों में से 47 गंभीर थे ।"


def test_repeated_entity_shares_one_placeholder():
    prepared = preprocess("Call 011-2301-2318 now; 011-2301-2318 is open", EN, HI)
    assert prepared.placeholders == (("<ID1>", "011-2301-2318"),)
    assert prepared.text.count("< ID1 >") == 2


def test_glossary_terms_travel_as_placeholders():
    glossary = {"जयशंकर": "Jaishankar", "लावरोव": "Lavrov"}
    prepared = preprocess("जयशंकर ने लावरोव से 15.08.2024 को मुलाकात की।", HI, EN, glossary=glossary)
    assert prepared.text == "< ID1 > ने < ID2 > से < ID3 > को मुलाकात की ।"
    assert [value for _, value in prepared.placeholders] == ["Jaishankar", "Lavrov", "15.08.2024"]
    restored = postprocess("< ID1 > met < ID2 > on < ID3 > .", prepared)
    assert restored == Restored("Jaishankar met Lavrov on 15.08.2024.", ())


def test_glossary_prefers_the_longest_term():
    glossary = {"Delhi": "दिल्ली", "New Delhi": "नई दिल्ली"}
    prepared = preprocess("New Delhi is not Old Delhi.", EN, HI, glossary=glossary)
    assert prepared.placeholders == (("<ID1>", "नई दिल्ली"), ("<ID2>", "दिल्ली"))


def test_glossary_matches_whole_words_only():
    prepared = preprocess("Indiana is not India.", EN, HI, glossary={"India": "भारत"})
    assert prepared.placeholders == (("<ID1>", "भारत"),)
    assert prepared.text.startswith("Indiana is not < ID1 >")


def test_text_that_looks_like_a_placeholder_is_protected():
    prepared = preprocess("Template field <ID1> and 12/05/2024", EN, HI)
    assert prepared.placeholders == (("<ID1>", "<ID1>"), ("<ID2>", "12/05/2024"))
    assert postprocess(prepared.text, prepared).text == "Template field <ID1> and 12/05/2024"


# --- bad input -------------------------------------------------------------------------------


def test_empty_and_blank_sentences():
    assert preprocess("", HI, EN).tagged == "hin_Deva eng_Latn "
    assert preprocess("   \t ", EN, HI).text == ""


def test_control_characters_are_dropped_and_whitespace_collapsed():
    prepared = preprocess("नमस्ते\x00 दुनिया\x07\tसे\x0b\x0cबात\u200bकरें\x7f", HI, EN)
    assert prepared.text == "नमस्ते दुनिया से बात करें"


def test_latin_only_line_inside_hindi_text_goes_through_the_hindi_path():
    prepared = preprocess("Hello, World! Visit example.com", HI, EN)
    assert prepared.tagged == "hin_Deva eng_Latn Hello , World ! Visit < ID1 >"


def test_very_long_line_is_processed_whole():
    line = "भारत और रूस ने 15.08.2024 को व्यापार बढ़ाने पर सहमति जताई। " * 900  # ~50,000 characters
    assert len(line) > 49_000
    prepared = preprocess(line, HI, EN)
    assert prepared.text.count("< ID1 >") == 900 and len(prepared.placeholders) == 1
    assert prepared.text.count("।") == 900


def test_unknown_or_identical_languages_are_rejected():
    with pytest.raises(ValueError, match="unsupported language"):
        preprocess("hola", "spa_Latn", EN)
    with pytest.raises(ValueError, match="both"):
        preprocess("hello", EN, "en")


# --- postprocessing --------------------------------------------------------------------------


@pytest.mark.parametrize("mangled", ["< ID1 >", "<ID1>", "[ID1]", "[ ID1 ]", "[ID 1]", "<id1>", "<ID1]",
                                     "ID1", "आईडी 1", "< आईडी1 >", "आई. डी. 1"])
def test_mangled_placeholders_are_restored(mangled):
    prepared = preprocess("कीमतें 12.5% बढ़ीं।", HI, EN)
    assert prepared.placeholders == (("<ID1>", "12.5%"),)
    restored = postprocess(f"Prices rose by {mangled} .", prepared)
    assert restored == Restored("Prices rose by 12.5%.", ())


def test_bare_id_does_not_eat_a_longer_number():
    placeholders = tuple((f"<ID{i}>", f"v{i}") for i in range(1, 13))
    prepared = Prepared(EN, HI, " ".join(f"< ID{i} >" for i in range(1, 13)), placeholders)
    restored = postprocess("ID12 ID1 " + " ".join(f"<ID{i}>" for i in range(2, 12)), prepared)
    assert restored.text.split() == ["v12", "v1"] + [f"v{i}" for i in range(2, 12)]


def test_a_restored_value_is_never_replaced_again():
    prepared = preprocess("[ID2]<ID1>", HI, EN)
    assert prepared.placeholders == (("<ID1>", "[ID2]"), ("<ID2>", "<ID1>"))
    assert postprocess(prepared.text, prepared).text == "[ID2] <ID1>"


def test_dropped_placeholder_is_reported_unless_its_value_was_copied():
    prepared = preprocess("Sales rose 12.5% to Rs 1,200 crore on 01/04/2024", EN, HI)
    restored = postprocess("बिक्री < ID1 > बढ़कर 1,200 करोड़ रुपये हो गई", prepared)
    assert restored.dropped == ("01/04/2024",)
    copied = postprocess("बिक्री < ID1 > बढ़कर 1,200 करोड़ रुपये हो गई 01/04/2024", prepared)
    assert copied.dropped == ()


def test_hindi_output_is_detokenised_with_indicnlp():
    prepared = preprocess("He left at 10:30 a.m.", EN, HI)
    restored = postprocess("वह < ID1 > बजे चले गए ( सुबह ) ।", prepared)
    assert restored.text == "वह 10:30 बजे चले गए (सुबह)।"


def test_batches_keep_order_and_check_lengths():
    prepared = preprocess_batch(["पहला 11.11.2011 वाक्य।", "दूसरा वाक्य।"], HI, EN)
    restored = postprocess_batch(["first < ID1 > sentence .", "second sentence ."], prepared)
    assert [r.text for r in restored] == ["first 11.11.2011 sentence.", "second sentence."]
    with pytest.raises(ValueError):
        postprocess_batch(["one"], prepared)


# --- properties ------------------------------------------------------------------------------

WORDS = st.sampled_from(["भारत", "ने", "रूस", "के", "साथ", "समझौता", "किया", "India", "signed", "the", "deal",
                         "कहा", "।", ",", "?", "(", ")", '"'])
ENTITIES = st.one_of(
    st.builds("{}.{:02d}.{}".format, st.integers(1, 28), st.integers(1, 12), st.integers(1990, 2030)),
    st.builds("{}%".format, st.integers(10, 999)),
    st.builds("{}-{}".format, st.integers(10, 999), st.integers(10, 999)),
    st.builds("https://www.{}.in/{}".format, st.sampled_from(["mea", "pib", "rbi"]), st.integers(1, 99)),
    st.builds("{}@{}.com".format, st.sampled_from(["press", "info.desk"]), st.sampled_from(["mea", "gov"])),
    st.builds("@{}".format, st.sampled_from(["DrSJaishankar", "PMOIndia"])),
    st.builds("#{}".format, st.sampled_from(["G20", "भारत"])),
)
SENTENCES = st.lists(st.one_of(WORDS, ENTITIES), min_size=0, max_size=25).map(" ".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SENTENCES, st.sampled_from([(HI, EN), (EN, HI)]))
def test_round_trip_restores_every_placeholder_in_order(sentence, pair):
    prepared = preprocess(sentence, *pair)
    assert numbers_in_order(prepared.text) == list(range(1, len(prepared.placeholders) + 1))
    restored = postprocess(prepared.text, prepared)
    assert restored.dropped == ()
    assert not PLACEHOLDER.search(restored.text)
    for _, value in prepared.placeholders:
        assert value in restored.text


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200), st.sampled_from([(HI, EN), (EN, HI)]))
def test_any_text_prepares_and_round_trips_without_losing_placeholders(text, pair):
    prepared = preprocess(text, *pair)
    assert "\n" not in prepared.tagged
    assert postprocess(prepared.text, prepared).dropped == ()


# --- CLI -------------------------------------------------------------------------------------


def test_cli_prints_one_tagged_line_per_input_line():
    text = "मॉस्को में 15.08.2024 को बैठक हुई।\n\nHello there\n"
    result = CliRunner().invoke(cli, ["preprocess", "--src", "hi", "--tgt", "en", "-"], input=text)
    assert result.exit_code == 0, result.output
    assert result.output.split("\n")[:-1] == [
        "hin_Deva eng_Latn मॉस्को में < ID1 > को बैठक हुई ।",
        "hin_Deva eng_Latn ",
        "hin_Deva eng_Latn Hello there",
    ]


def test_cli_target_defaults_to_the_other_language_and_shows_placeholders(tmp_path):
    source = tmp_path / "in.en"
    source.write_text("Jaishankar met Lavrov on 15.08.2024\n", encoding="utf-8")
    glossary = tmp_path / "terms.tsv"
    glossary.write_text("# term\ttarget\nJaishankar\tजयशंकर\nLavrov\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["preprocess", "--src", "en", "--glossary", str(glossary),
                                      "--placeholders", str(source)])
    assert result.exit_code == 0, result.output
    assert result.output == ("eng_Latn hin_Deva < ID1 > met < ID2 > on < ID3 >\t"
                             "<ID1>=जयशंकर <ID2>=Lavrov <ID3>=15.08.2024\n")


def test_cli_reports_bad_input_in_one_line(tmp_path):
    bad = tmp_path / "bad.hi"
    bad.write_bytes("ठीक है\n".encode() + b"\xff\xfe broken\n")
    result = CliRunner().invoke(cli, ["preprocess", "--src", "hi", str(bad)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {bad}:2: invalid UTF-8 at byte 17 (use --errors replace to " \
                                    "substitute U+FFFD)"
    replaced = CliRunner().invoke(cli, ["preprocess", "--src", "hi", "--errors", "replace", str(bad)])
    assert replaced.exit_code == 0 and len(replaced.output.splitlines()) == 2
    unknown = CliRunner().invoke(cli, ["preprocess", "--src", "fr", "-"], input="x\n")
    assert unknown.exit_code == 2 and "unsupported language" in unknown.output
    same = CliRunner().invoke(cli, ["preprocess", "--src", "hi", "--tgt", "hin_Deva", "-"], input="x\n")
    assert same.exit_code == 2 and "must differ" in same.output


def test_cli_empty_input_prints_nothing_and_bad_glossary_names_its_line(tmp_path):
    empty = CliRunner().invoke(cli, ["preprocess", "--src", "en", "-"], input="")
    assert empty.exit_code == 0 and empty.output == ""
    glossary = tmp_path / "terms.tsv"
    glossary.write_text("Surya\tसूर्या\n\tखाली\n", encoding="utf-8")
    args = ["preprocess", "--src", "en", "--glossary", str(glossary), "-"]
    bad = CliRunner().invoke(cli, args, input="x\n")
    assert bad.exit_code == 1 and bad.output.startswith(f"Error: {glossary}:2: ")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\n\r\x00", blacklist_categories=("Cs",)),
                        max_size=40), max_size=12))
def test_cli_never_loses_a_line(lines):
    """Any UTF-8 text without NUL bytes (which mark binary files and are refused) keeps its line count."""
    text = "".join(line + "\n" for line in lines)
    result = CliRunner().invoke(cli, ["preprocess", "--src", "hi", "-"], input=text.encode("utf-8"))
    assert result.exit_code == 0, result.output
    out = result.output.split("\n")
    assert out[-1] == "" and len(out) - 1 == len(lines)
    assert all(line.startswith("hin_Deva eng_Latn ") for line in out[:-1])
