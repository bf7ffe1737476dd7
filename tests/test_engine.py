"""The translation engine on tiny random-weight models: structure, limits, batching, bad input.

The tiny models' translations are noise, so these tests assert what must hold for any model:
one result per sentence in order, tags as tokens, the 256-position limit, no lost text or lines.
"""

from __future__ import annotations

import math
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translate_kit.engine import (
    FAST,
    MAX_SOURCE_PIECES,
    DecodeOptions,
    Translator,
    _token_batches,
    thread_layout,
)
from translate_kit.errors import ModelError, TranslateKitError
from translate_kit.languages import needs_translation
from translate_kit.spm import SubwordCodec

HINDI_NEWS = [
    "मॉस्को में विदेश मंत्री एस. जयशंकर ने रूसी विदेश मंत्री सर्गेई लावरोव से मुलाकात की।",
    "राज्य सरकार ने किसानों के लिए राहत पैकेज की घोषणा की।",
    "पुलिस ने बताया कि दुर्घटना में दो लोगों की मौत हो गई।",
]


@pytest.fixture(scope="module")
def hi_en(tiny_model_hi_en) -> Translator:
    return Translator.load(tiny_model_hi_en, threads=1)


@pytest.fixture(scope="module")
def en_hi(tiny_model_en_hi) -> Translator:
    return Translator.load(tiny_model_en_hi, threads=1)


class RecordingDecode:
    """Wraps Translator.decode_stream to see exactly which token sequences reach CTranslate2."""

    def __init__(self, translator: Translator):
        self.inner = translator.decode_stream
        self.calls: list[list[list[str]]] = []

    def __call__(self, sources, options, prefixes=None):
        self.calls.append([list(s) for s in sources])
        return self.inner(sources, options, prefixes)


def test_translate_returns_one_result_per_sentence_in_order(hi_en):
    results = hi_en.translate(HINDI_NEWS, FAST)
    assert [r.source for r in results] == HINDI_NEWS
    for result in results:
        assert result.text.strip()
        assert math.isfinite(result.score) and result.score < 0
    assert hi_en.translate(HINDI_NEWS, FAST) == results  # deterministic


def test_direction_and_fingerprint(hi_en, en_hi):
    assert (hi_en.src, hi_en.tgt) == ("hin_Deva", "eng_Latn")
    assert (en_hi.src, en_hi.tgt) == ("eng_Latn", "hin_Deva")
    assert len(hi_en.fingerprint) == 16 and hi_en.fingerprint != en_hi.fingerprint


def test_english_to_hindi_runs(en_hi):
    [result] = en_hi.translate(["The court fixed the next hearing for January 15."], FAST)
    assert result.text and math.isfinite(result.score)


def test_tags_are_prepended_as_tokens_after_sentencepiece(hi_en, monkeypatch):
    recorder = RecordingDecode(hi_en)
    monkeypatch.setattr(hi_en, "decode_stream", recorder)
    hi_en.translate(HINDI_NEWS[:1], FAST)
    [[tokens]] = recorder.calls
    assert tokens[:2] == ["hin_Deva", "eng_Latn"]
    assert not any("Deva" in t or "Latn" in t for t in tokens[2:])
    assert tokens[2:] == hi_en.family.codec.source.encode(hi_en.prepare(HINDI_NEWS[:1])[0].text, out_type=str)


def test_sentences_beyond_256_positions_are_split_not_truncated(hi_en, monkeypatch):
    long_sentence = ", ".join(HINDI_NEWS[1].rstrip("।") for _ in range(40)) + "।"
    prepared_text = hi_en.prepare([long_sentence])[0].text
    pieces = hi_en.family.codec.source.encode(prepared_text, out_type=str)
    assert len(pieces) > MAX_SOURCE_PIECES
    recorder = RecordingDecode(hi_en)
    monkeypatch.setattr(hi_en, "decode_stream", recorder)
    [result] = hi_en.translate([long_sentence], FAST)
    [chunks] = recorder.calls
    assert len(chunks) >= 2
    assert all(chunk[:2] == ["hin_Deva", "eng_Latn"] and 3 <= len(chunk) <= MAX_SOURCE_PIECES + 2
               for chunk in chunks)
    assert [p for chunk in chunks for p in chunk[2:]] == pieces  # every piece, in order
    assert all(chunk[-1] == "," for chunk in chunks[:-1])  # cut after a comma
    assert result.text.strip()


def test_placeholder_lost_by_the_model_is_reported(hi_en):
    # The tiny target vocabulary has no "<", so the model cannot reproduce <ID1>.
    [result] = hi_en.translate(["विवरण www.example.com पर उपलब्ध है।"], FAST)
    assert result.dropped == ("www.example.com",)


def test_glossary_term_lost_by_the_model_is_reported_as_dropped(hi_en):
    # The term travels as <ID1>, which the tiny model cannot write: it must be reported, never silent.
    # (The kept path, with a model that copies: test_engine_copy.py.)
    [result] = hi_en.translate(["लावरोव ने कहा।"], FAST, glossary={"लावरोव": "Lavrov"})
    assert result.dropped == ("Lavrov",) and "Lavrov" not in result.text


def test_passthrough_of_text_already_in_target_language_or_without_letters(hi_en):
    sentences = ["Breaking News: Sensex closes higher", "2023", "", "— 12.5% —"]
    assert [r.text for r in hi_en.translate(sentences)] == sentences
    assert all(r.score == 0.0 for r in hi_en.translate(sentences))
    assert needs_translation(HINDI_NEWS[0], "hin_Deva", "eng_Latn")
    assert not needs_translation("Hello world", "hin_Deva", "eng_Latn")


def test_beam_search_default_and_fast_preset():
    assert DecodeOptions().beam_size == 5
    assert FAST.beam_size == 1


@pytest.mark.parametrize("kwargs", [
    {"beam_size": 0}, {"max_batch_tokens": 0}, {"max_decoding_length": 257},
    {"min_decoding_length": 300}, {"decode_ratio": 0.0},
])
def test_decode_options_reject_bad_values(kwargs):
    with pytest.raises(ValueError):
        DecodeOptions(**kwargs)


def test_decode_cap_is_relative_to_the_input_and_bounded():
    options = DecodeOptions(decode_ratio=2.0, decode_margin=10)
    assert options.decode_cap(5) == 20
    assert options.decode_cap(253) == 256
    assert DecodeOptions(decode_ratio=None, max_decoding_length=40).decode_cap(5) == 40
    assert DecodeOptions(min_decoding_length=30).decode_cap(1) == 30


def test_pinned_decode_length_is_honoured(hi_en):
    options = DecodeOptions(beam_size=1, decode_ratio=None, min_decoding_length=7, max_decoding_length=7)
    sources = [["hin_Deva", "eng_Latn", "▁राज्य"], ["hin_Deva", "eng_Latn", "▁सरकार", "▁ने"]]
    outputs = hi_en.decode(sources, options)
    assert [len(pieces) for pieces, _ in outputs] == [7, 7]


def test_token_batches_mix_lengths_within_the_budget_and_invariant_ones_hold_one_bucket():
    lengths = [5, 50, 20, 20, 3, 90, 17, 32]
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True)

    def batches(budget: int, indices=order, **options) -> list[list[int]]:
        return list(_token_batches(indices, lengths, DecodeOptions(max_batch_tokens=budget, **options),
                                   lambda: budget))

    for invariant in (False, True):
        cut = batches(100, batch_invariant=invariant)
        assert [i for batch in cut for i in batch] == order
        assert cut[0] == [5]  # a sequence longer than the budget still gets a batch of its own
    # Consecutive runs of the sorted order, rows x longest within the budget: 2 x 50, then 5 x 20.
    assert batches(100) == [[5], [1, 7], [2, 3, 6, 0, 4]]
    assert batches(60, [2, 3, 6]) == [[2, 3, 6]]  # 3 x 20 tokens
    # A row counts at least the minimum output length: 3 x 30 > 60 tokens.
    assert batches(60, [2, 3, 6], min_decoding_length=30) == [[2, 3], [6]]
    # Batch-invariant: one bucket per batch (17, 20, 20 and 32 share one; 5 and 3 share the first).
    assert batches(100, batch_invariant=True) == [[5], [1], [7, 2, 3], [6], [0, 4]]
    # Batch-invariant: rows x the bucket, and a filler row when the longest is shorter: 32 fills its
    # bucket, so three rows of 32 fit 96 tokens; 20 + 20 + a filler of 32 do too, a third 17 not.
    assert batches(96, [7, 2, 3], batch_invariant=True) == [[7, 2, 3]]
    assert batches(96, [2, 3, 6], batch_invariant=True) == [[2, 3], [6]]


def test_batching_does_not_change_results(hi_en):
    small = hi_en.translate(HINDI_NEWS, DecodeOptions(beam_size=2, max_batch_tokens=1))
    large = hi_en.translate(HINDI_NEWS, DecodeOptions(beam_size=2, max_batch_tokens=10_000))
    assert [r.text for r in small] == [r.text for r in large]


def test_thread_layout_uses_two_workers_when_there_are_two_cores():
    assert thread_layout(1) == (1, 1)
    assert thread_layout(2) == (2, 1)
    assert thread_layout(8) == (2, 4)


def test_inter_threads_give_the_same_results(tiny_model_hi_en, hi_en):
    parallel = Translator.load(tiny_model_hi_en, inter_threads=2, intra_threads=1)
    expected = [r.text for r in hi_en.translate(HINDI_NEWS, FAST)]
    assert [r.text for r in parallel.translate(HINDI_NEWS, FAST)] == expected


def test_missing_and_corrupt_models_give_clear_errors(tiny_model_hi_en, tmp_path):
    with pytest.raises(ModelError, match="not found"):
        Translator.load(tmp_path / "nowhere")
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model_hi_en, broken)
    data = (broken / "model.bin").read_bytes()
    (broken / "model.bin").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError):
        Translator.load(broken)


def test_unknown_compute_type_is_a_clear_error(tiny_model_hi_en):
    with pytest.raises(TranslateKitError, match=r"int3.*\(supported on cpu: .*int8") as caught:
        Translator.load(tiny_model_hi_en, compute_type="int3")
    assert "\n" not in str(caught.value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    words=st.lists(st.text(alphabet="कखगमनराजेशिा .,।<>ID1abc", min_size=1, max_size=12), max_size=60),
    limit=st.integers(min_value=1, max_value=30),
)
def test_chunks_cover_every_piece_within_the_limit(tiny_model_hi_en, words, limit):
    codec = SubwordCodec(tiny_model_hi_en / "vocab" / "model.SRC", tiny_model_hi_en / "vocab" / "model.TGT")
    text = " ".join(words)
    chunks = codec.encode(text, limit)
    assert all(1 <= len(chunk) <= limit for chunk in chunks)
    assert [p for chunk in chunks for p in chunk] == codec.source.encode(text, out_type=str)
