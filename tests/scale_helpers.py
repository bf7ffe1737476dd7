"""Inputs and comparisons shared by the Ray tests (test_scale*.py)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from translate_kit.cli import cli
from translate_kit.textio import read_lines

TEST_DATA = Path(__file__).resolve().parent / "data"


def import_ray():
    """Ray, or a skip on a machine without the [ray] extra; under CI=true (which installs it) a
    missing Ray fails the run instead of hiding that the Ray tests never ran."""
    if os.environ.get("CI", "").lower() in ("true", "1"):
        import ray

        return ray
    return pytest.importorskip("ray")


def write_documents(folder: Path, count: int = 12) -> Path:
    """A folder of Hindi news documents in every per-file format: text, Markdown, HTML, JSONL, TSV
    (`count` + 5 documents; one with a language tag in its name, which the output renames)."""
    lines = read_lines(TEST_DATA / "corpus.hi")
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        chunk = [lines[(i * 3 + k) % len(lines)] for k in range(4)]
        text = "\n".join(chunk) + "\n\n" + chunk[0] + "\n"  # a repeated sentence too
        (folder / f"news-{i:02d}.txt").write_text(text, encoding="utf-8")
    (folder / "section").mkdir(exist_ok=True)
    (folder / "section" / "story.md").write_text(
        f"# {lines[1]}\n\n{lines[2]} *{lines[3]}* [{lines[4]}](https://example.org/a)\n\n- {lines[5]}\n",
        encoding="utf-8",
    )
    (folder / "section" / "page.html").write_text(
        f"<html><body><h1>{lines[6]}</h1><p>{lines[7]} <b>{lines[8]}</b></p></body></html>\n",
        encoding="utf-8",
    )
    (folder / "records.jsonl").write_text(
        "".join(f'{{"id": {i}, "text": "{lines[10 + i]}"}}\n' for i in range(5)), encoding="utf-8"
    )
    brief = lines[30] + "\n" + lines[0] + "\n"
    (folder / "brief.hi.txt").write_text(brief, encoding="utf-8")  # written as brief.en.txt
    (folder / "table.tsv").write_text(
        "id\ttext\n" + "".join(f"{i}\t{lines[20 + i]}\n" for i in range(5)), encoding="utf-8"
    )
    return folder


def tree(folder: Path) -> dict[str, bytes]:
    """Every non-hidden file under `folder` by relative path, with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


def translate(*args: str, env: dict[str, str] | None = None):
    """`translate-kit translate ARGS` in this process (joins the Ray instance the test holds)."""
    return CliRunner(env=env).invoke(cli, ["translate", *args], catch_exceptions=False)


def local_reference(source: Path, out: Path, model: Path, *extra: str) -> dict[str, bytes]:
    """The local pipeline's outputs for `source` (two threads: the Ray runs' core count)."""
    result = translate(str(source), "-o", str(out), "--model", str(model), "--no-cache", "--threads", "2",
                       "-q", *extra)
    assert result.exit_code == 0, result.output
    return tree(out)


def write_pairs(folder: Path, count: int = 6) -> tuple[Path, Path]:
    """`count` Hindi/English story pairs in folder/hi and folder/en, eight sentences a story."""
    hindi, english = read_lines(TEST_DATA / "corpus.hi"), read_lines(TEST_DATA / "corpus.en")
    for side, lines in (("hi", hindi), ("en", english)):
        (folder / side).mkdir(parents=True)
        for i in range(count):
            text = "\n".join(lines[i * 8 : i * 8 + 8]) + "\n"
            (folder / side / f"story-{i}.txt").write_text(text, encoding="utf-8")
    return folder / "hi", folder / "en"


def corpus_build(*args: str):
    """`translate-kit corpus build ARGS --presplit --no-freedict`, which must succeed."""
    result = CliRunner().invoke(cli, ["corpus", "build", *args, "--presplit", "--no-freedict"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def ray_address() -> str:
    import ray

    return ray.get_runtime_context().gcs_address


def node_count(records_folder: Path) -> int:
    import json

    nodes = {json.loads(p.read_text())["node"] for p in records_folder.glob("shard-*.json")}
    return len(nodes)


def environ_without_ray_address() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}


class _HeldEngine:
    """The real engine, except that each call first leaves `busy-<pid>` in `folder` and waits until
    `folder/release` exists (at most a minute): a test knows which worker is mid-shard."""

    def __init__(self, engine, folder: str):
        self._engine = engine
        self._folder = Path(folder)

    def __getattr__(self, name: str):
        return getattr(self._engine, name)

    def translate_stream(self, prepared, options=None):
        (self._folder / f"busy-{os.getpid()}").touch()
        deadline = time.monotonic() + 60
        while not (self._folder / "release").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return self._engine.translate_stream(prepared, options)


class HoldUntilReleased:
    """An engine wrapper for RayOptions.engine_factory (pickled by value to the workers)."""

    def __init__(self, folder: Path):
        self.folder = str(folder)

    def __call__(self, engine):
        return _HeldEngine(engine, self.folder)


def translator_pids() -> set[int]:
    """Process ids of the live translator actors (Ray's actor table, as `ray list actors` shows)."""
    from ray._private import state

    return {actor["Pid"] for actor in state.actors().values()
            if "ShardTranslator" in actor["ActorClassName"] and actor["State"] == "ALIVE"}


def wait_for(condition, timeout: float, what: str):
    """condition()'s first true value, polled; an AssertionError naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"no {what} within {timeout:g} s")


@pytest.fixture(scope="module")
def ray_instance():
    """A local Ray instance of two CPUs for the module (address="local": our own, never one found
    running on this machine); test engines travel to its workers by value."""
    import ray

    ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level="WARNING",
             log_to_driver=False)
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    ray.shutdown()
