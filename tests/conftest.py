"""Shared fixtures: the real data in ../shared/data (skipped cleanly when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the checkout; tests that need it skip when it is not there."""
    if not (SHARED_DATA / "hi-en").is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


# Tiny random-weight models in the official IndicTrans2 CT2 layout, built once per session (about a
# second each) from the small real-looking corpus in tests/data, so tests never depend on a download.
TEST_DATA = Path(__file__).resolve().parent / "data"


def _build_tiny_model(tmp_path_factory: pytest.TempPathFactory, direction: str) -> Path:
    from translate_kit.bench.synthetic import build_synthetic_model
    from translate_kit.textio import read_lines

    hindi = read_lines(TEST_DATA / "corpus.hi")
    english = read_lines(TEST_DATA / "corpus.en")
    source, target = (hindi, english) if direction == "indic-en" else (english, hindi)
    folder = tmp_path_factory.mktemp("models") / f"synthetic-{direction}-tiny"
    return build_synthetic_model(folder, "tiny", direction, source, target)


@pytest.fixture(scope="session")
def tiny_model_hi_en(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny hin_Deva -> eng_Latn model folder (random weights: its output is noise)."""
    return _build_tiny_model(tmp_path_factory, "indic-en")


@pytest.fixture(scope="session")
def tiny_model_en_hi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny eng_Latn -> hin_Deva model folder (random weights: its output is noise)."""
    return _build_tiny_model(tmp_path_factory, "en-indic")


@pytest.fixture(autouse=True)
def home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own translate-kit home (model cache, translation memory), never the
    user's; no model chosen by the environment; loopback test servers never go through a proxy."""
    path = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("TRANSLATE_KIT_HOME", str(path))
    monkeypatch.delenv("TRANSLATE_KIT_MODEL", raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    return path
