"""Under CI=true, tests that would skip for want of real data or the reference environment fail
the run instead (tests/conftest.py); elsewhere they skip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import conftest
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _item(fixtures=(), parity=False):
    marker = object() if parity else None
    return SimpleNamespace(fixturenames=list(fixtures), get_closest_marker=lambda name: marker)


def test_ci_run_names_the_missing_data_and_reference(tmp_path, monkeypatch):
    monkeypatch.setattr(conftest, "SHARED_DATA", tmp_path / "absent")
    items = [_item(["shared_data"]), _item(parity=True)]
    reason = conftest.missing_in_ci(items, {"CI": "true"})
    assert reason == (
        f"CI=true: real data not found at {tmp_path / 'absent'} (see the README's Development section); "
        "$TRANSLATE_KIT_REFERENCE_PYTHON is not an interpreter (scripts/make_parity_reference.sh builds one)"
    )
    assert "\n" not in reason


def test_outside_ci_or_with_everything_present_nothing_is_missing(tmp_path, monkeypatch):
    (tmp_path / "hi-en").mkdir()
    monkeypatch.setattr(conftest, "SHARED_DATA", tmp_path)
    python = tmp_path / "python"
    python.write_text("#!/bin/sh\n")
    python.chmod(0o755)
    items = [_item(["shared_data"]), _item(parity=True)]
    ci = {"CI": "true", "TRANSLATE_KIT_REFERENCE_PYTHON": str(python)}
    assert conftest.missing_in_ci(items, ci) is None
    assert conftest.missing_in_ci(items, {}) is None  # a developer's machine: the tests skip
    monkeypatch.setattr(conftest, "SHARED_DATA", tmp_path / "absent")
    assert conftest.missing_in_ci([_item(["tmp_path"])], {"CI": "true"}) is None  # not needed: no failure


def test_ci_run_without_the_reference_stops_before_any_test_with_one_line():
    env = {**os.environ, "CI": "true"}
    env.pop("TRANSLATE_KIT_REFERENCE_PYTHON", None)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_parity.py"]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.stdout + run.stderr
    assert run.stderr.strip().splitlines() == [
        "ERROR: CI=true: $TRANSLATE_KIT_REFERENCE_PYTHON is not an interpreter "
        "(scripts/make_parity_reference.sh builds one)"]
    assert "passed" not in run.stdout and "skipped" not in run.stdout
