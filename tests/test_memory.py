"""Translation memory: keys, persistence across connections, concurrency-safe writes."""

from __future__ import annotations

import sqlite3

import pytest

from translate_kit.engine import FAST, DecodeOptions
from translate_kit.errors import TranslateKitError
from translate_kit.indictrans import preprocess
from translate_kit.memory import Entry, TranslationMemory, context_key, default_path, sentence_key


def _key(sentence: str, fingerprint: str = "abc", options: DecodeOptions = FAST) -> str:
    prepared = preprocess(sentence, "hin_Deva", "eng_Latn")
    return sentence_key(
        context_key(fingerprint, "hin_Deva", "eng_Latn", options), prepared.text, prepared.placeholders
    )


def test_key_depends_on_model_options_and_placeholder_values_not_batching():
    base = _key("बैठक 2024 में हुई।")
    assert base == _key("बैठक 2024 में हुई।")
    assert base == _key("बैठक   2024 में हुई।")  # same preprocessed text
    assert base != _key("बैठक 2025 में हुई।")  # placeholder value differs
    assert base != _key("बैठक 2024 में हुई।", fingerprint="other-model")
    assert base != _key("बैठक 2024 में हुई।", options=DecodeOptions(beam_size=5))
    assert base == _key("बैठक 2024 में हुई।", options=DecodeOptions(beam_size=1, max_batch_tokens=64))
    # Batch-invariant decoding rounds differently: its own entries. Off (the default), the key is
    # the one memories had before the option existed.
    assert base != _key("बैठक 2024 में हुई।", options=DecodeOptions(beam_size=1, batch_invariant=True))
    assert "batch_invariant" not in context_key("abc", "hin_Deva", "eng_Latn", FAST)


def test_entries_survive_reopening_and_wal_mode(tmp_path):
    path = tmp_path / "sub" / "memory.sqlite3"
    with TranslationMemory(path) as memory:
        memory.put_many(
            {"k1": Entry("The meeting took place.", -0.4), "k2": Entry("In 2024.", -0.2, ("2024",))}
        )
        assert len(memory) == 2
    with TranslationMemory(path) as memory:
        found = memory.get_many(["k1", "k2", "missing", "k1"])
    assert found == {"k1": Entry("The meeting took place.", -0.4), "k2": Entry("In 2024.", -0.2, ("2024",))}
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_two_connections_share_entries(tmp_path):
    path = tmp_path / "m.sqlite3"
    with TranslationMemory(path) as first, TranslationMemory(path) as second:
        first.put_many({f"k{i}": Entry(f"t{i}", 0.0) for i in range(1200)})  # more than one IN (...) chunk
        assert len(second.get_many(f"k{i}" for i in range(1200))) == 1200


def test_default_path_is_under_translate_kit_home(monkeypatch, tmp_path):
    monkeypatch.setenv("TRANSLATE_KIT_HOME", str(tmp_path / "home"))
    assert default_path() == tmp_path / "home" / "memory.sqlite3"


def test_unusable_location_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(TranslateKitError, match="cannot open the translation memory"):
        TranslationMemory(blocker / "memory.sqlite3")  # a damaged file: tests/test_memory_damage.py
