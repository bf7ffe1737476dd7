"""The cross-request batcher: own results, batching across requests, fairness, cancellation, limits."""

from __future__ import annotations

import threading
from concurrent.futures import CancelledError, ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_kit.serve.batcher import Batcher, BatchReport, QueueFull, Shape


class Recorder:
    """A decode function that upper-cases words, records its batches and can be held on a gate; it
    answers in two token batches, as the engine does with a batch over its budget."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()

    def __call__(self, items):
        self.entered.set()
        self.gate.wait(10)
        self.batches.append(list(items))
        pairs = [(position, item.upper()) for position, item in enumerate(items)]
        return [pairs[1::2], pairs[::2]]


def words(item: str) -> Shape:
    """One bucket for all: batches as if lengths did not matter; a word costs a token."""
    return Shape(group=0, tokens=len(item.split()))


def by_length(item: str) -> Shape:
    """Items bucketed by word count, as the engine buckets sentences by padded length."""
    return Shape(group=len(item.split()), tokens=len(item.split()))


def make(decode, shape=words, **kwargs) -> Batcher:
    reports: list[BatchReport] = []
    batcher = Batcher(decode, shape, observe=reports.append, **kwargs)
    batcher.reports = reports
    batcher.start()
    return batcher


def hold_first_batch(batcher: Batcher, recorder: Recorder) -> None:
    """Put one batch into decoding and keep it there until recorder.gate is set."""
    recorder.gate.clear()
    recorder.entered.clear()
    threading.Thread(target=lambda: _one(batcher, "warm up"), daemon=True).start()
    assert recorder.entered.wait(5)


def _one(batcher: Batcher, text: str) -> str:
    with batcher.admit(1) as ticket:
        return batcher.run(ticket, [text])[0]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["मॉस्को में बैठक", "a b c", "जयशंकर", "x", "news today"]), max_size=12),
        min_size=1,
        max_size=12,
    ),
    st.booleans(),
)
def test_every_request_gets_exactly_its_own_results_in_order(requests, cross):
    recorder = Recorder()
    batcher = make(recorder, batch_tokens=7, max_wait=0.001, workers=2, cross_request=cross)
    try:

        def client(items):
            with batcher.admit(len(items)) as ticket:
                return batcher.run(ticket, items)

        with ThreadPoolExecutor(len(requests)) as pool:
            answers = list(pool.map(client, requests))
        assert answers == [[item.upper() for item in items] for items in requests]
    finally:
        batcher.close()


def test_concurrent_requests_share_one_batch_and_identical_sentences_decode_once():
    recorder = Recorder()
    batcher = make(recorder, batch_tokens=64, max_wait=0.05, workers=1)
    try:
        hold_first_batch(batcher, recorder)
        texts = ["पहला वाक्य", "दूसरा वाक्य", "पहला वाक्य", "third sentence"]
        with ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(_one, batcher, text) for text in texts]
            while batcher.queued < 4:
                threading.Event().wait(0.005)
            recorder.gate.set()
            assert [f.result(5) for f in futures] == [t.upper() for t in texts]
        assert sorted(recorder.batches[1]) == sorted({*texts})  # the repeated sentence once
        assert batcher.reports[1].requests == 4
    finally:
        batcher.close()


def test_without_cross_request_batching_a_batch_holds_one_request():
    recorder = Recorder()
    batcher = make(recorder, batch_tokens=64, max_wait=0.05, workers=1, cross_request=False)
    try:
        hold_first_batch(batcher, recorder)
        with ThreadPoolExecutor(3) as pool:
            futures = [pool.submit(_one, batcher, f"sentence {i}") for i in range(3)]
            while batcher.queued < 3:
                threading.Event().wait(0.005)
            recorder.gate.set()
            [f.result(5) for f in futures]
        assert [len(batch) for batch in recorder.batches[1:]] == [1, 1, 1]
    finally:
        batcher.close()


def test_a_long_document_does_not_make_a_short_request_wait_for_its_whole_run():
    recorder = Recorder()
    batcher = make(recorder, batch_tokens=8, max_wait=0.0, workers=1)
    try:
        hold_first_batch(batcher, recorder)
        long_doc = [f"लंबा लेख वाक्य {i}" for i in range(60)]  # 4 tokens each: 2 per batch
        with ThreadPoolExecutor(2) as pool, batcher.admit(60) as long_ticket:
            long_futures = batcher.submit(long_ticket, long_doc)
            short = pool.submit(_one, batcher, "short")
            while batcher.queued < 61:
                threading.Event().wait(0.005)
            recorder.gate.set()
            assert short.result(5) == "SHORT"
            [f.result(5) for f in long_futures]
        position = next(i for i, batch in enumerate(recorder.batches) if "short" in batch)
        assert position <= 2, recorder.batches[:4]
    finally:
        batcher.close()


def test_a_cancelled_request_is_never_decoded_and_its_waiter_is_released():
    recorder = Recorder()
    batcher = make(recorder, batch_tokens=64, max_wait=0.0, workers=1)
    try:
        hold_first_batch(batcher, recorder)
        with batcher.admit(2) as ticket:
            futures = batcher.submit(ticket, ["छोड़ा गया", "abandoned"])
            ticket.cancel()
            assert all(f.cancelled() for f in futures)
            with pytest.raises(CancelledError):
                batcher.run(ticket, ["too late"])
        assert batcher.queued == 0 and batcher.admitted == 1  # the held warm-up request only
        recorder.gate.set()
        assert _one(batcher, "after") == "AFTER"
        assert all("abandoned" not in batch for batch in recorder.batches)
    finally:
        batcher.close()


def test_the_queue_is_bounded_and_says_when_to_retry():
    batcher = make(Recorder(), max_pending=5)
    try:
        with batcher.admit(4):
            with pytest.raises(QueueFull) as caught, batcher.admit(2):
                pass
            assert caught.value.retry_after >= 1
            with batcher.admit(1):
                assert batcher.admitted == 5
        with batcher.admit(50):  # an idle server admits one oversized request rather than none
            pass
    finally:
        batcher.close()


def test_a_decode_error_reaches_every_request_of_the_batch_and_the_batcher_goes_on():
    calls = []

    def decode(items):
        calls.append(items)
        if len(calls) == 1:
            raise RuntimeError("model failed")
        return [list(enumerate(items))]

    batcher = make(decode, max_wait=0.0)
    try:
        with pytest.raises(RuntimeError, match="model failed"):
            _one(batcher, "first")
        assert _one(batcher, "second") == "second"
    finally:
        batcher.close()


def _queue_while_held(batcher: Batcher, recorder: Recorder, texts: list[str]) -> list:
    """Queue each text as its own request while the first batch is held, then release it."""
    hold_first_batch(batcher, recorder)
    pool = ThreadPoolExecutor(len(texts))
    futures = []
    for count, text in enumerate(texts, 1):
        futures.append(pool.submit(_one, batcher, text))
        while batcher.queued < count:
            threading.Event().wait(0.002)
    threading.Event().wait(0.05)
    recorder.gate.set()
    pool.shutdown(wait=True)
    return [f.result(5) for f in futures]


def test_a_batch_holds_one_length_bucket_the_fullest_first():
    recorder = Recorder()
    batcher = make(recorder, by_length, batch_tokens=64, max_wait=0.0, workers=1)
    try:
        texts = ["अकेला", "दो शब्द", "two words", "फिर दो", "तीन शब्द यहाँ"]
        assert _queue_while_held(batcher, recorder, texts) == [t.upper() for t in texts]
        assert [sorted(batch) for batch in recorder.batches[1:]] == [
            sorted(["दो शब्द", "two words", "फिर दो"]),  # the fullest bucket, though queued later
            ["अकेला"],  # then the oldest
            ["तीन शब्द यहाँ"],
        ]
    finally:
        batcher.close()


def test_a_sentence_passed_over_too_often_has_its_bucket_decoded_next(monkeypatch):
    import translate_kit.serve.batcher as batching

    monkeypatch.setattr(batching, "STARVE_BATCHES", 0)  # every sentence counts as passed over
    recorder = Recorder()
    batcher = make(recorder, by_length, batch_tokens=64, max_wait=0.0, workers=1)
    try:
        texts = ["अकेला", "दो शब्द", "two words", "फिर दो"]
        _queue_while_held(batcher, recorder, texts)
        assert recorder.batches[1] == ["अकेला"]
    finally:
        batcher.close()


def test_a_free_decoder_waits_for_a_request_still_being_planned():
    recorder = Recorder()
    batcher = make(recorder, batch_tokens=64, max_wait=0.05, workers=1)
    try:
        hold_first_batch(batcher, recorder)
        with ThreadPoolExecutor(1) as pool, batcher.arriving() as arrival:
            first = pool.submit(_one, batcher, "पहला अनुरोध")
            while batcher.queued < 1:
                threading.Event().wait(0.002)
            recorder.gate.set()  # the decoder is free; the planned request comes 0.15 s later
            threading.Event().wait(0.15)
            with batcher.admit(1) as ticket:
                [second] = batcher.submit(ticket, ["second request"])
                arrival.done()
                assert second.result(5) == "SECOND REQUEST"
            assert first.result(5) == "पहला अनुरोध".upper()
        assert sorted(recorder.batches[1]) == sorted(["पहला अनुरोध", "second request"])
    finally:
        batcher.close()


def test_a_batch_answers_each_token_batch_as_soon_as_it_is_decoded():
    """A request whose sentence is in the batch's first token batch gets its answer while the
    second token batch is still decoding."""
    gate = threading.Event()

    def decode(items):
        yield [(0, items[0].upper())]
        gate.wait(10)
        yield [(position, item.upper()) for position, item in enumerate(items) if position]

    batcher = make(decode, batch_tokens=64, max_wait=0.05, workers=1)
    try:
        with batcher.admit(2) as ticket:
            first, second = batcher.submit(ticket, ["पहला वाक्य", "दूसरा वाक्य"])
            assert first.result(5) == "पहला वाक्य".upper()
            assert not second.done()
            gate.set()
            assert second.result(5) == "दूसरा वाक्य".upper()
    finally:
        gate.set()
        batcher.close()
