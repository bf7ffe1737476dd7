"""A full disk or a vanished output folder mid-run: one line naming the path, finished outputs
intact, no partial file, the manifest still true, and the rerun resumes."""

from __future__ import annotations

import errno
import os
import subprocess

import pytest
from click.testing import CliRunner
from test_resume import _corpus

from translate_kit.cli import cli
from translate_kit.translate import MANIFEST_NAME
from translate_kit.translate.jobs import Manifest


def _translate(corpus, out, model, memory):
    return CliRunner().invoke(cli, ["translate", str(corpus), "-o", str(out), "--model", str(model),
                                    "--beam", "1", "--threads", "1", "--cache", str(memory),
                                    "--window-sentences", "3", "-q"])


def _check_true(out, corpus) -> None:
    """No partial file; every output the manifest calls done has its recorded bytes."""
    assert not list(out.glob(".*.part"))
    manifest = Manifest(out)
    for path in out.glob("*.txt"):
        assert manifest.knows(path.name)
        assert path.read_text(encoding="utf-8").count("\n") == 2  # complete


def test_enospc_mid_run_names_the_output_and_the_rerun_resumes(tmp_path, tiny_model_hi_en, monkeypatch):
    corpus, out, memory = tmp_path / "corpus", tmp_path / "out", tmp_path / "memory.sqlite3"
    corpus.mkdir()
    _corpus(corpus, 8)
    real_replace, calls = os.replace, []

    def full(source, target, *args, **kwargs):
        if str(source).endswith(".part"):
            calls.append(target)
            if len(calls) == 4:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full)
    result = _translate(corpus, out, tiny_model_hi_en, memory)
    assert result.exit_code == 1
    line = result.output.strip().splitlines()[-1]
    assert "doc003.txt" in line and "No space left on device" in line and "run the same command" in line
    assert len(list(out.glob("*.txt"))) == 3
    _check_true(out, corpus)
    monkeypatch.setattr(os, "replace", real_replace)
    again = _translate(corpus, out, tiny_model_hi_en, memory)
    assert again.exit_code == 0, again.output
    assert len(list(out.glob("*.txt"))) == 8
    _check_true(out, corpus)


_MOUNT = ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs"]


def test_a_small_tmpfs_fills_up_and_the_rerun_resumes_once_there_is_room(tmp_path, tiny_model_hi_en):
    small = tmp_path / "small"
    small.mkdir()
    if os.geteuid() != 0 or subprocess.run([*_MOUNT, str(small)], capture_output=True).returncode:
        pytest.skip("mounting a tmpfs is not allowed here")
    try:
        corpus, out, memory = tmp_path / "corpus", small / "out", tmp_path / "memory.sqlite3"
        corpus.mkdir()
        _corpus(corpus, 10)
        (small / "filler").write_bytes(b"x" * 40_000)  # leave room for a few outputs only
        result = _translate(corpus, out, tiny_model_hi_en, memory)
        assert result.exit_code == 1
        assert "No space left on device" in result.output and str(out) in result.output
        _check_true(out, corpus)
        (small / "filler").unlink()
        assert (out / MANIFEST_NAME).exists()
        again = _translate(corpus, out, tiny_model_hi_en, memory)
        assert again.exit_code == 0, again.output
        assert len(list(out.glob("*.txt"))) == 10
    finally:
        subprocess.run(["umount", str(small)], check=False)
