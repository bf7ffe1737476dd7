"""Inputs and comparisons shared by the Ray tests (test_scale*.py)."""

from __future__ import annotations

import os
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
    """A folder of Hindi news documents in every per-file format: text, Markdown, HTML, JSONL, TSV."""
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


def ray_address() -> str:
    import ray

    return ray.get_runtime_context().gcs_address


def node_count(records_folder: Path) -> int:
    import json

    nodes = {json.loads(p.read_text())["node"] for p in records_folder.glob("shard-*.json")}
    return len(nodes)


def environ_without_ray_address() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}


class _CrashingEngine:
    """The real engine, except that the first batch anywhere kills its worker process."""

    def __init__(self, engine, marker: str):
        self._engine = engine
        self._marker = Path(marker)

    def __getattr__(self, name: str):
        return getattr(self._engine, name)

    def translate_stream(self, prepared, options=None):
        if not self._marker.exists():
            self._marker.touch()
            os._exit(1)  # a worker dying mid-shard, as on a node lost or killed
        return self._engine.translate_stream(prepared, options)


class CrashOnce:
    """An engine wrapper for RayOptions.engine_factory (pickled by value to the workers)."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __call__(self, engine):
        return _CrashingEngine(engine, self.marker)
