"""Shared fixtures: the real data in ../shared/data (skipped cleanly when absent, except in CI).

Tests that need the real data (the `shared_data` fixture) or the IndicTransToolkit reference
environment (marked `parity`) skip on a developer's machine without them. Under `CI=true` a skip
would hide that they never ran, so a run that selects such a test fails at once with one line
saying what is missing and how to get it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# No per-example deadline for property tests: on a shared 2-core machine (or CI runner) the time of
# one example varies several-fold with load, so hypothesis's 200 ms default fails tests for the
# machine's sake, not the code's. Tests that set their own settings inherit this.
settings.register_profile("translate-kit", deadline=None)
settings.load_profile("translate-kit")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
REFERENCE_ENV = "TRANSLATE_KIT_REFERENCE_PYTHON"


def missing_in_ci(items: list[pytest.Item], environ: os._Environ | dict = os.environ) -> str | None:
    """Why a CI run cannot run the selected tests (None when nothing is missing or not in CI)."""
    if environ.get("CI", "").lower() not in ("true", "1"):
        return None
    missing = []
    if any("shared_data" in getattr(item, "fixturenames", ()) for item in items) and not (
        SHARED_DATA / "hi-en"
    ).is_dir():
        missing.append(f"real data not found at {SHARED_DATA} (see the README's Development section)")
    if any(item.get_closest_marker("parity") for item in items):
        python = environ.get(REFERENCE_ENV)
        if not python or not os.access(python, os.X_OK):
            missing.append(
                f"${REFERENCE_ENV} is not an interpreter (scripts/make_parity_reference.sh builds one)"
            )
    return "CI=true: " + "; ".join(missing) if missing else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = missing_in_ci(items)
    if reason:
        raise pytest.UsageError(reason)


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
