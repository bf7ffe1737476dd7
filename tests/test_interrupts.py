"""Ctrl-C and SIGTERM stop a real CLI run within 2 s, with every decoded sentence in the memory.

The tiny model is made slow (each engine batch's collection sleeps) so the run is still going when
signalled; the signal is sent once the memory holds its first rows.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_resume import _corpus

_SLOW_RUN = """
import sys, time
import translate_kit.engine as engine
real = engine._collect
def slow(*args, **kwargs):
    time.sleep(0.2)
    return real(*args, **kwargs)
engine._collect = slow
from translate_kit.cli import main
sys.argv = ["translate-kit", *sys.argv[1:]]
main()
"""


def _rows(memory: Path) -> int:
    try:
        return sqlite3.connect(memory).execute("SELECT COUNT(*) FROM translations").fetchone()[0]
    except sqlite3.Error:
        return 0


def _start(tmp_path: Path, model: Path) -> tuple[subprocess.Popen, Path, float]:
    corpus, out, memory = tmp_path / "corpus", tmp_path / "out", tmp_path / "memory.sqlite3"
    corpus.mkdir()
    _corpus(corpus, 60)
    env = {**os.environ, "TRANSLATE_KIT_HOME": str(tmp_path / "home")}
    env.pop("TRANSLATE_KIT_MODEL", None)
    command = [sys.executable, "-c", _SLOW_RUN, "translate", str(corpus), "-o", str(out), "--model",
               str(model), "--beam", "2", "--threads", "1", "--cache", str(memory), "-q"]
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while process.poll() is None and _rows(memory) == 0 and time.monotonic() - started < 60:
        time.sleep(0.05)
    assert process.poll() is None, process.communicate()[1].decode()
    return process, memory, time.monotonic() - started


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["INT", "TERM"])
def test_a_signal_stops_the_run_within_two_seconds_with_the_work_saved(tmp_path, tiny_model_hi_en, sig, code):
    process, memory, _first_save = _start(tmp_path, tiny_model_hi_en)
    time.sleep(0.5)
    seen = _rows(memory)
    sent = time.monotonic()
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=30)
    latency = time.monotonic() - sent
    assert process.returncode == code, stderr.decode()
    assert latency < 2.0, latency
    assert b"interrupted:" in stderr and b"Traceback" not in stderr, stderr.decode()
    assert _rows(memory) >= seen > 0
    assert sqlite3.connect(memory).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_second_ctrl_c_exits_at_once(tmp_path, tiny_model_hi_en):
    process, _memory, _ = _start(tmp_path, tiny_model_hi_en)
    process.send_signal(signal.SIGINT)
    process.send_signal(signal.SIGINT)
    sent = time.monotonic()
    process.communicate(timeout=30)
    assert process.returncode == 130 and time.monotonic() - sent < 2.0
