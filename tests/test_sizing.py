"""Engine calls sized by measured time (translate_kit.sizing)."""

from __future__ import annotations

from translate_kit.engine import DecodeOptions, Translator
from translate_kit.sizing import FIRST_TOKENS, MIN_TOKENS, CallSizer, Stopwatch


def test_first_call_is_small_then_sized_to_a_second_of_work_within_the_ceiling():
    sizer = CallSizer(workers=2)
    assert sizer.budget(512) == FIRST_TOKENS
    sizer.measured(64, 0.5)  # 128 tokens/s for both workers: 64 per worker-second
    assert sizer.budget(512) == 64
    for _ in range(30):
        sizer.measured(1000, 1.0)
    assert 480 <= sizer.budget(10_000) <= 500  # 1000 tokens/s, two workers, converging
    assert sizer.budget(256) == 256  # the memory ceiling holds
    slow = CallSizer()
    slow.measured(1, 10.0)
    assert slow.budget(512) == MIN_TOKENS


def test_a_near_zero_gap_does_not_blow_the_budget_up():
    sizer = CallSizer()
    sizer.measured(100, 1.0)
    sizer.measured(100, 0.0001)  # two batches collected back to back
    assert sizer.budget(10_000) < 200


def test_fixed_budget_and_stopwatch_with_a_simulated_clock():
    assert CallSizer(target_seconds=None).budget(512) == 512
    now = [0.0]
    sizer = CallSizer(clock=lambda: now[0])
    watch = Stopwatch(sizer)
    now[0] = 2.0
    watch.collected(200)
    assert sizer.rate == 100


def test_engine_learns_a_rate_and_keeps_translations(tiny_model_hi_en):
    translator = Translator.load(tiny_model_hi_en)
    sentences = [f"वाक्य संख्या {i} यहाँ है।" for i in range(40)]
    fixed = translator.translate(sentences, DecodeOptions(beam_size=2, call_seconds=None))
    sized = translator.translate(sentences, DecodeOptions(beam_size=2))
    assert [t.text for t in fixed] == [t.text for t in sized]
    assert translator.sizer(DecodeOptions(beam_size=2)).rate is not None
