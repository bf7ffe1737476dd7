"""A damaged, newer, read-only or locked translation memory, and several writers sharing one."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from translate_kit.errors import TranslateKitError
from translate_kit.memory import Entry, MemoryRecovered, TranslationMemory


def _filled(path, count=200) -> None:
    with TranslationMemory(path) as memory:
        memory.put_many({f"k{i}": Entry(f"text {i}" * 20, -0.5) for i in range(count)})


@pytest.mark.parametrize("damage", ["truncated", "not a database"])
def test_a_damaged_memory_is_moved_aside_and_a_fresh_one_started(tmp_path, damage):
    path = tmp_path / "memory.sqlite3"
    _filled(path)
    if damage == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3] if len(data) > 4096 else data[:50])
    else:
        path.write_text("these are somebody's notes, not a database\n" * 100)
    with pytest.warns(MemoryRecovered, match="moved it to"):
        memory = TranslationMemory(path)
    with memory:
        memory.put_many({"a": Entry("x", 0.0)})
        assert len(memory) == 1
    assert len(list(tmp_path.glob("memory.sqlite3.corrupt-*"))) == 1


def test_a_newer_schema_stops_with_one_line(tmp_path):
    path = tmp_path / "memory.sqlite3"
    _filled(path, 1)
    sqlite3.connect(path).execute("PRAGMA user_version=99")
    with pytest.raises(TranslateKitError, match=r"memory.sqlite3 was written by a newer translate-kit"):
        TranslationMemory(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files")
def test_a_read_only_memory_names_the_file(tmp_path):
    path = tmp_path / "memory.sqlite3"
    _filled(path, 1)
    path.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(TranslateKitError, match="memory.sqlite3"), TranslationMemory(path) as memory:
            memory.put_many({"b": Entry("y", 0.0)})
    finally:
        tmp_path.chmod(0o755)


def test_a_writer_holding_the_lock_past_the_timeout_is_named(tmp_path):
    path = tmp_path / "memory.sqlite3"
    _filled(path, 1)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        locked = pytest.raises(TranslateKitError, match=r"memory.sqlite3.*another process held it")
        with TranslationMemory(path, timeout=0.2) as memory, locked:
            memory.put_many({"c": Entry("z", 0.0)})
    finally:
        holder.rollback()


_WRITER = """
import sys
from translate_kit.memory import Entry, TranslationMemory
path, start = sys.argv[1], int(sys.argv[2])
with TranslationMemory(path) as memory:
    for batch in range(start, start + 300, 3):
        memory.put_many({f"k{i}": Entry(f"t{i}", 0.0) for i in range(batch, batch + 3)})
"""


def test_four_processes_sharing_one_memory_lose_no_entry(tmp_path):
    path = tmp_path / "memory.sqlite3"
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(start)])
               for start in (0, 100, 200, 300)]  # overlapping ranges of keys
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0, 0]
    with TranslationMemory(path) as memory:
        assert len(memory) == 600
        assert set(memory.get_many(f"k{i}" for i in range(600))) == {f"k{i}" for i in range(600)}
