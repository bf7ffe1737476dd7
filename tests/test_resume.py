"""A folder run killed half way (SIGKILL or SIGINT) resumes: no half-written output, nothing
finished translated twice. Runs the real command in a subprocess with the tiny model."""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

WORDS = ["भारत", "रूस", "बैठक", "व्यापार", "सहयोग", "मंत्री", "दिल्ली", "मॉस्को", "चर्चा", "नेता", "देश", "ऊर्जा"]


def _corpus(folder: Path, documents: int) -> int:
    """`documents` small articles, three distinct sentences each; returns the sentence count."""
    sentences = (" ".join(words) + "।" for words in itertools.permutations(WORDS, 3))
    for index in range(documents):
        a, b, c = next(sentences), next(sentences), next(sentences)
        (folder / f"doc{index:03d}.txt").write_text(f"{a} {b}\n{c}\n", encoding="utf-8")
    return 3 * documents


def _command(corpus: Path, out: Path, model: Path, memory: Path, stats: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from translate_kit.cli import main; main()",
        "translate",
        str(corpus),
        "-o",
        str(out),
        "--model",
        str(model),
        "--beam",
        "2",
        "--threads",
        "1",
        "--cache",
        str(memory),
        "--window-sentences",
        "12",
        "-q",
        "--stats-json",
        str(stats),
    ]


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.glob("*.txt")} if out.exists() else {}


def _check_complete(out: Path, names) -> None:
    for name in names:
        text = (out / name).read_text(encoding="utf-8")
        lines = text.split("\n")
        assert len(lines) == 3 and lines[2] == "" and lines[0].strip() and lines[1].strip(), name
        assert not any("\u0900" <= ch <= "\u097f" for ch in text), name


def _interrupt(command: list[str], env: dict, out: Path, sig: int, after: int) -> int:
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while process.poll() is None and len(_outputs(out)) < after and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    assert b"Traceback" not in stderr, stderr.decode()
    return process.returncode


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sig", "documents"), [(signal.SIGKILL, 200), (signal.SIGINT, 60)], ids=["SIGKILL", "SIGINT"]
)
def test_killed_folder_run_resumes_without_redoing_work(tmp_path, tiny_model_hi_en, sig, documents):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    total = _corpus(corpus, documents)
    memory, stats = tmp_path / "memory.sqlite3", tmp_path / "stats.json"
    env = {**os.environ, "TRANSLATE_KIT_HOME": str(tmp_path / "home")}
    env.pop("TRANSLATE_KIT_MODEL", None)
    command = _command(corpus, out, tiny_model_hi_en, memory, stats)

    code = _interrupt(command, env, out, sig, after=documents // 5)
    assert code != 0, "the run finished before it could be interrupted"
    done = _outputs(out)
    assert documents // 5 <= len(done) < documents
    _check_complete(out, done)  # atomic writes: whatever exists is complete
    remembered = sqlite3.connect(memory).execute("SELECT COUNT(*) FROM translations").fetchone()[0]
    assert remembered >= 3 * len(done)

    finished = subprocess.run(command, env=env, capture_output=True, timeout=300)
    assert finished.returncode == 0, finished.stderr.decode()
    second = json.loads(stats.read_text())
    assert second["documents_skipped"] == len(done)  # finished documents are not touched again
    assert second["documents"] == documents - len(done)
    assert second["translated"] == total - remembered  # nothing the memory held is translated again
    assert second["cached"] == second["sentences"] - second["translated"]
    after = _outputs(out)
    assert len(after) == documents and all(after[name] == data for name, data in done.items())
    _check_complete(out, after)
    assert not list(out.glob(".*.part"))
    assert sqlite3.connect(memory).execute("SELECT COUNT(*) FROM translations").fetchone()[0] == total
