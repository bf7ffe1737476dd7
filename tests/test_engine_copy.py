"""The engine with a model that copies its input (tests/copy_model.py): exact translations.

A copy model's translation is the source after IndicTrans2 pre- and post-processing, so these tests
know every output: what the model keeps comes back in place, long sentences are cut and rejoined
without a lost or doubled piece, and the repetition guard stops a model that never ends.
"""

from __future__ import annotations

import pytest
from copy_model import CopyTranslator, LoopingTranslator, copy_translator, patched_ctranslate2, sentence_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translate_kit.documents import parse_document, write_document
from translate_kit.engine import FAST, LENGTH_BUCKET, MAX_SOURCE_PIECES, DecodeOptions, Translator
from translate_kit.translate import DocumentTranslator

# Hindi sentences ending in "." or "?": the English detokeniser undoes the Hindi tokeniser exactly.
HINDI = [
    "मॉस्को में विदेश मंत्री एस. जयशंकर ने रूसी विदेश मंत्री से मुलाकात की.",
    "विवरण www.example.com पर उपलब्ध है.",
    "दिल्ली में 25 जनवरी 2024 को 3.5 लाख लोग आए, 12/05/2024 तक 99.5% काम पूरा हुआ.",
    "क्या यह सच है?",
]


@pytest.fixture(scope="module")
def copy_hi_en(tiny_model_hi_en) -> Translator:
    return copy_translator(tiny_model_hi_en)


@pytest.fixture(scope="module")
def copy_en_hi(tiny_model_en_hi) -> Translator:
    return copy_translator(tiny_model_en_hi)


def _calls(translator: Translator) -> list[dict]:
    stand_in = translator.ct2
    assert isinstance(stand_in, CopyTranslator)
    return stand_in.calls


def test_copy_model_translation_is_the_source(copy_hi_en, copy_en_hi):
    assert [r.text for r in copy_hi_en.translate(HINDI, FAST)] == HINDI
    english = ["The minister met Lavrov in Moscow on 12/05/2024.", "Is it true? Yes, it is!",
               "India and China signed 3 deals (worth $2.5 billion) at www.example.com today."]
    assert [r.text for r in copy_en_hi.translate(english)] == english


def test_placeholders_the_model_keeps_come_back_in_place(copy_hi_en):
    [prepared] = copy_hi_en.prepare([HINDI[2]])
    values = [value for _, value in prepared.placeholders]
    assert values == ["12/05/2024", "99.5%"]  # numbers travel as <ID1>, <ID2>
    [result] = copy_hi_en.translate([HINDI[2]], FAST)
    assert result.text == HINDI[2] and result.dropped == ()
    doc = parse_document(HINDI[1] + "\n", "plain.txt", "text")
    translator = DocumentTranslator(copy_hi_en, FAST)
    [plain] = translator.translate([translator.plan(doc)])
    assert write_document(doc, plain.rendered) == HINDI[1] + "\n" and plain.dropped == []


def test_glossary_terms_reach_the_output_as_given_and_never_the_model(copy_hi_en):
    glossary = {"लावरोव": "Lavrov", "सूर्या": "Surya"}
    source = "लावरोव ने सूर्या से कहा."
    [result] = copy_hi_en.translate([source], FAST, glossary=glossary)
    assert result.text == "Lavrov ने Surya से कहा." and result.dropped == ()
    [call] = _calls(copy_hi_en)[-1:]
    decoded = "".join(call["source"][0][2:])
    assert "लाव" not in decoded and "सूर्" not in decoded  # the model saw placeholders only


def test_long_sentence_is_cut_into_chunks_and_rejoined_exactly(tiny_model_hi_en):
    clause = "राज्य सरकार ने किसानों के लिए राहत पैकेज की घोषणा की"
    sentence = ", ".join([clause] * 40) + "."
    translator = copy_translator(tiny_model_hi_en)
    pieces = translator.codec.source.encode(translator.prepare([sentence])[0].text, out_type=str)
    assert len(pieces) > 2 * MAX_SOURCE_PIECES
    [result] = translator.translate([sentence], FAST)
    assert result.text == sentence
    chunks = [source[2:] for call in _calls(translator) for source in sentence_rows(call)]
    # 40 clauses of 28 pieces (comma included): nine clauses fill a chunk of 252 <= 253 pieces.
    assert len(pieces) == 40 * 28
    assert [(len(chunk), chunk[-1]) for chunk in chunks] == [(252, ",")] * 4 + [(112, ".")]
    assert [p for chunk in chunks for p in chunk] == pieces


def test_repetition_guard_stops_a_looping_model_at_the_decode_cap(tiny_model_hi_en):
    translator = copy_translator(tiny_model_hi_en, LoopingTranslator)
    sentence = "भारत और रूस ने व्यापार पर बात की."
    [result] = translator.translate([sentence])  # the default options: beam 5 with both guards
    [call] = _calls(translator)
    source_pieces = len(call["source"][0]) - 2
    # Decoded padded to its bucket: the tags, the pieces and the `</s>` the model appends, rounded up
    # to 16; the cap follows the pieces that padded length holds.
    bucket = -(-(source_pieces + 3) // LENGTH_BUCKET) * LENGTH_BUCKET
    assert call["max_decoding_length"] == 2 * (bucket - 3) + 10
    assert call["no_repeat_ngram_size"] == 4 and call["beam_size"] == 5
    repeats = call["max_decoding_length"] - source_pieces  # the loop: "." again and again
    assert result.text == sentence[:-1] + "." * (repeats + 1)


def test_real_decoder_never_repeats_a_four_gram_under_the_default_guard(tiny_model_hi_en):
    """The guard as CTranslate2 applies it, on the random-weight model, which loops readily."""
    translator = Translator.load(tiny_model_hi_en, threads=1)
    sources = [["hin_Deva", "eng_Latn", *translator.codec.source.encode(s, out_type=str)] for s in HINDI]
    guarded = translator.decode(sources, DecodeOptions())
    unguarded = translator.decode(sources, DecodeOptions(no_repeat_ngram_size=0))

    def repeated_four_grams(pieces: list[str]) -> int:
        grams = [tuple(pieces[i:i + 4]) for i in range(len(pieces) - 3)]
        return len(grams) - len(set(grams))

    assert all(repeated_four_grams(pieces) == 0 for pieces, _ in guarded)
    assert sum(repeated_four_grams(pieces) for pieces, _ in unguarded) > 0  # the guard is needed
    for source, (pieces, _) in zip(sources, guarded, strict=True):
        assert len(pieces) <= DecodeOptions().decode_cap(-(-(len(source) + 1) // 16) * 16 - 3)


def test_decoder_options_and_device_reach_ctranslate2(tiny_model_hi_en):
    with patched_ctranslate2():
        translator = Translator.load(tiny_model_hi_en, device="cpu", compute_type="int8",
                                     inter_threads=2, intra_threads=1)
    assert translator.ct2.options == {"device": "cpu", "compute_type": "int8",
                                      "inter_threads": 2, "intra_threads": 1}
    translator.translate(HINDI[:1], DecodeOptions(beam_size=3, length_penalty=0.5, repetition_penalty=1.2))
    [call] = translator.ct2.calls
    assert call["asynchronous"] is True  # two workers: batches in flight together
    assert (call["beam_size"], call["length_penalty"], call["repetition_penalty"]) == (3, 0.5, 1.2)
    assert call["max_input_length"] == 0  # nothing is ever truncated by CTranslate2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sentences=st.lists(
        st.lists(st.sampled_from(["भारत", "रूस", "ने", "व्यापार", "पर", "चर्चा", "की", "मंत्री", "2024",
                                  "12.5%", "www.mea.gov.in", "लावरोव", "बैठक", "दिल्ली", "सहयोग", "और"]),
                 min_size=1, max_size=120).map(lambda words: " ".join(words) + "."),
        min_size=1, max_size=6),
    batch_tokens=st.sampled_from([1, 64, 512, 100_000]),
)
def test_any_batch_of_sentences_comes_back_exactly_in_order(copy_hi_en, sentences, batch_tokens):
    options = DecodeOptions(beam_size=1, max_batch_tokens=batch_tokens)
    results = copy_hi_en.translate(sentences, options, glossary={"लावरोव": "लावरोव"})
    assert [r.text for r in results] == sentences
    assert all(r.dropped == () for r in results)


SENTENCES = [
    "भारत और रूस ने व्यापार पर बात की.",
    "राज्य सरकार ने किसानों के लिए राहत पैकेज की घोषणा की, जिसमें फसल बीमा और सस्ते कर्ज़ शामिल हैं.",
    "पुलिस ने बताया.",
    ", ".join(["राज्य सरकार ने किसानों के लिए राहत पैकेज की घोषणा की"] * 12) + ".",  # two chunks
    "मॉस्को में विदेश मंत्री एस. जयशंकर ने रूसी विदेश मंत्री सर्गेई लावरोव से मुलाकात की और दोनों देशों के संबंधों पर चर्चा की.",
]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.integers(0, len(SENTENCES) - 1), min_size=1, max_size=12),
       budget=st.sampled_from([1, 64, 128, 512, 4096]))
def test_batch_invariant_batches_are_padded_to_one_length_bucket_and_each_sentence_comes_back_once(
    tiny_model_hi_en, picks, budget
):
    """Batch invariance by construction: each CTranslate2 call holds one length bucket and its
    longest row (counting the `</s>` the model appends) fills the bucket, so each sentence is
    decoded at the same padded length whatever is translated beside it."""
    translator = copy_translator(tiny_model_hi_en, inter_threads=2, intra_threads=1)
    sentences = [SENTENCES[i] for i in picks]
    prepared = translator.prepare(sentences)
    options = DecodeOptions(max_batch_tokens=budget, batch_invariant=True)
    stream = translator.translate_stream(prepared, options)
    streamed = [pair for batch in stream for pair in batch]
    assert sorted(index for index, _ in streamed) == list(range(len(sentences)))  # each exactly once
    assert all(result.text == sentences[index] for index, result in streamed)  # the copy model
    calls = _calls(translator)
    assert all(call["asynchronous"] for call in calls)  # two workers: batches in flight together
    for call in calls:
        buckets = {-(-(len(row) + 1) // LENGTH_BUCKET) * LENGTH_BUCKET for row in call["source"]}
        [bucket] = buckets
        assert max(len(row) + 1 for row in call["source"]) == bucket
        rows = sentence_rows(call)
        assert len(rows) == 1 or len(call["source"]) * bucket <= budget


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.integers(0, len(SENTENCES) - 1), min_size=1, max_size=12),
       budget=st.sampled_from([1, 64, 128, 512]))
def test_default_batches_mix_lengths_padded_to_their_longest_within_the_budget(
    tiny_model_hi_en, picks, budget
):
    translator = copy_translator(tiny_model_hi_en, inter_threads=2, intra_threads=1)
    sentences = [SENTENCES[i] for i in picks]
    [result.text for result in translator.translate(sentences, DecodeOptions(max_batch_tokens=budget))]
    for call in _calls(translator):
        rows = call["source"]
        assert sentence_rows(call) == rows  # no filler row
        assert len(rows) == 1 or len(rows) * max(map(len, rows)) <= budget
        longest = max(len(row) + 1 for row in rows)  # with the `</s>` the model appends
        bucket = -(-longest // LENGTH_BUCKET) * LENGTH_BUCKET
        assert call["max_decoding_length"] == DecodeOptions().decode_cap(bucket - 3)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.integers(0, len(SENTENCES) - 1), min_size=1, max_size=12),
       beam=st.sampled_from([1, 5]), workers=st.sampled_from([1, 2]))
def test_a_looping_sentence_batched_with_longer_ones_stops_at_its_own_cap(
    tiny_model_hi_en, picks, beam, workers
):
    """Every sentence caught in a loop decodes exactly what it decodes alone: a batch runs to its
    longest member's cap, and the shorter members that ran to theirs are decoded again at it."""
    sentences = [SENTENCES[i] for i in picks]
    options = DecodeOptions(beam_size=beam, max_batch_tokens=512)
    looping = copy_translator(tiny_model_hi_en, LoopingTranslator, inter_threads=workers, intra_threads=1)
    together = [r.text for r in looping.translate(sentences, options)]
    calls = list(_calls(looping))
    alone = [looping.translate([sentence], options)[0].text for sentence in sentences]
    assert together == alone

    def own_cap(row: list[str]) -> int:
        return options.decode_cap(-(-(len(row) + 1) // LENGTH_BUCKET) * LENGTH_BUCKET - 3)

    decoded_at = {(tuple(row), call["max_decoding_length"]) for call in calls for row in call["source"]}
    assert all((tuple(row), own_cap(row)) in decoded_at for call in calls for row in call["source"])
    assert all(own_cap(row) <= call["max_decoding_length"] for call in calls for row in call["source"])
