"""`translate --ray` on a local Ray instance (one per module): the same bytes as the local run,
the memory filled, a local run and a Ray run each taking the other's outputs as done, bad
documents and unwritable outputs reported while the rest is done, an unreachable cluster in
bounded time. Killed drivers and workers: test_scale_kill.py."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import scale_helpers
from scale_helpers import TEST_DATA, local_reference, ray_instance, translate, tree, write_documents

from translate_kit.errors import TranslateKitError
from translate_kit.scale.cluster import probe
from translate_kit.textio import read_lines

ray = scale_helpers.import_ray()
READ = ("--field", "text", "--column", "text")
DOCUMENTS = 17
__all__ = ["ray_instance"]  # the module's Ray instance (a fixture)


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> Path:
    return write_documents(tmp_path_factory.mktemp("scale") / "news")


@pytest.fixture(scope="module")
def local_out(documents, tiny_model_hi_en, tmp_path_factory) -> Path:
    """The local run's output folder (its stats in `.stats.json` beside it)."""
    out = tmp_path_factory.mktemp("local") / "out"
    local_reference(documents, out, tiny_model_hi_en, *READ, "--stats-json", f"{out}.stats.json")
    return out


@pytest.fixture(scope="module")
def reference(local_out) -> dict[str, bytes]:
    return tree(local_out)


def ray_translate(source, out, model, *extra: str):
    return translate(str(source), "-o", str(out), "--model", str(model), "--threads", "2", "-q",
                     *READ, *extra, "--ray")


def test_ray_run_equals_local_run_and_fills_the_memory(ray_instance, documents, local_out, reference,
                                                        tiny_model_hi_en, tmp_path):
    memory, stats = tmp_path / "memory.sqlite3", tmp_path / "stats.json"
    result = ray_translate(f"file://{documents}", f"file://{tmp_path}/out", tiny_model_hi_en,
                           "--cache", str(memory), "--stats-json", str(stats))
    assert result.exit_code == 0, result.output
    assert tree(tmp_path / "out") == reference and "brief.en.txt" in reference  # language tag renamed
    counts = json.loads(stats.read_text())
    assert counts["documents"] == DOCUMENTS and counts["shards"] == len(counts["per_shard"]) > 1
    assert counts["translated"] > 0 and counts["worker_failures"] == 0 and counts["failed_documents"] == 0
    assert counts["memory_merged"] == counts["translated"]
    assert sum(s["sentences"] for s in counts["per_shard"]) == counts["sentences"]
    # A sentence translated by several shards (running at once) is said so; without those the
    # counts are the local run's, which translates each sentence once and finds its repeats done.
    local = json.loads(Path(f"{local_out}.stats.json").read_text())
    assert counts["translated"] - counts["repeated_across_shards"] == local["translated"]
    assert counts["duplicates"] + counts["cached"] + counts["repeated_across_shards"] == local["duplicates"]

    local_stats = tmp_path / "local.json"  # a later local run finds every sentence in the memory
    again = translate(str(documents), "-o", str(tmp_path / "again"), "--model", str(tiny_model_hi_en),
                      "--cache", str(memory), "--stats-json", str(local_stats), "-q", *READ)
    assert again.exit_code == 0, again.output
    local_counts = json.loads(local_stats.read_text())
    assert local_counts["translated"] == 0 and local_counts["cached"] > 0
    assert set(local_counts) <= set(counts)  # the same --stats-json keys, and more

    rerun = ray_translate(documents, tmp_path / "out", tiny_model_hi_en, "--cache", str(memory),
                          "--stats-json", str(stats))
    assert rerun.exit_code == 0, rerun.output
    counts = json.loads(stats.read_text())
    assert counts["shards_skipped"] == counts["shards"] and counts["documents_skipped"] == DOCUMENTS


def test_a_local_run_and_a_ray_run_take_each_others_outputs_as_done(ray_instance, documents, local_out,
                                                                    reference, tiny_model_hi_en, tmp_path):
    stats = tmp_path / "stats.json"
    ray_out, local_then_ray = tmp_path / "ray", tmp_path / "local"
    assert ray_translate(documents, ray_out, tiny_model_hi_en, "--no-cache").exit_code == 0
    later = translate(str(documents), "-o", str(ray_out), "--model", str(tiny_model_hi_en), "--no-cache",
                      "--threads", "2", "-q", *READ, "--stats-json", str(stats))  # no --overwrite needed
    assert later.exit_code == 0, later.output
    counts = json.loads(stats.read_text())
    assert counts["documents_skipped"] == DOCUMENTS and counts["translated"] == 0

    shutil.copytree(local_out, local_then_ray)  # outputs and manifest of a local run
    result = ray_translate(documents, local_then_ray, tiny_model_hi_en, "--no-cache",
                           "--stats-json", str(stats))
    assert result.exit_code == 0, result.output
    counts = json.loads(stats.read_text())
    assert counts["documents_skipped"] == DOCUMENTS and counts["translated"] == 0
    assert tree(local_then_ray) == tree(ray_out) == reference

    forced = ray_translate(documents, local_then_ray, tiny_model_hi_en, "--no-cache", "--force",
                           "--stats-json", str(stats))
    assert forced.exit_code == 0, forced.output
    counts = json.loads(stats.read_text())
    assert counts["documents"] == DOCUMENTS and counts["documents_skipped"] == 0 and counts["translated"] > 0
    assert tree(local_then_ray) == reference

    foreign = tmp_path / "foreign"
    shutil.copytree(ray_out, foreign, ignore=shutil.ignore_patterns(".*"))  # the same files, no records
    refused = ray_translate(documents, foreign, tiny_model_hi_en, "--no-cache")
    assert refused.exit_code == 1 and "output exists (use --overwrite" in refused.output


def test_corrupt_documents_and_unwritable_outputs_are_reported_and_the_rest_is_done(
    ray_instance, documents, reference, tiny_model_hi_en, tmp_path
):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder\n")
    result = ray_translate(documents, blocker / "out", tiny_model_hi_en, "--no-cache")
    assert result.exit_code == 1 and "not writable" in result.output and len(result.output.splitlines()) == 1

    source, out = tmp_path / "news", tmp_path / "out"
    shutil.copytree(documents, source)
    (source / "broken.txt").write_bytes("ठीक है\n".encode() + b"\xff\xfe\n")
    (source / "broken.jsonl").write_text('{"text": "एक"}\n{"text": \n', encoding="utf-8")
    out.mkdir()
    (out / "section").write_text("a file where the workers need a folder\n")
    result = ray_translate(source, out, tiny_model_hi_en, "--no-cache", "--overwrite")
    assert result.exit_code == 1
    assert "4 document(s) failed" in result.output and "Traceback" not in result.output
    errors = [json.loads(line) for line in (out / ".translate-kit-errors.jsonl").open()]
    reasons = {Path(e["document"]).name: e["error"] for e in errors}
    assert "invalid UTF-8" in reasons["broken.txt"] and ":2:" in reasons["broken.jsonl"]
    assert "cannot write" in reasons["story.md"] and "cannot write" in reasons["page.html"]
    written = tree(out)
    assert {k: v for k, v in reference.items() if not k.startswith("section/")} == {
        k: v for k, v in written.items() if k != "section"
    }


def test_unreachable_cluster_is_one_line_in_bounded_time(documents, tiny_model_hi_en, tmp_path):
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-c", "from translate_kit.cli import main; main()", "translate", str(documents),
         "-o", str(tmp_path / "out"), "--model", str(tiny_model_hi_en), *READ, "--ray", "127.0.0.1:1"],
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode != 0
    assert "cannot reach the Ray cluster at 127.0.0.1:1" in completed.stderr
    assert "Traceback" not in completed.stderr and len(completed.stderr.strip().splitlines()) == 1
    assert time.monotonic() - started < 60
    with pytest.raises(TranslateKitError, match="bad Ray address"):
        probe("head:port")


SILENT_HEAD = """
import socket, time
from translate_kit.scale.cluster import ClusterError, connect
server = socket.create_server(("127.0.0.1", 0))  # accepts connections, never speaks Ray
port = server.getsockname()[1]
started = time.monotonic()
try:
    with connect(f"127.0.0.1:{port}", timeout=3):
        print("joined?")
except ClusterError as exc:
    print(f"{time.monotonic() - started:.1f}", exc)
"""


def test_an_address_that_is_no_ray_head_gives_up_in_bounded_time():
    completed = subprocess.run([sys.executable, "-c", SILENT_HEAD], capture_output=True, text=True,
                               timeout=120)
    seconds, _, message = completed.stdout.strip().partition(" ")
    assert "no Ray answer within 3 s" in message, completed.stdout + completed.stderr
    assert float(seconds) < 15


def test_a_big_jsonl_or_parquet_file_is_cut_into_record_parts(ray_instance, tiny_model_hi_en, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    lines = read_lines(TEST_DATA / "corpus.hi")
    records = [{"id": i, "text": lines[i % len(lines)], "source": "news"} for i in range(40)]
    big = tmp_path / "big.jsonl"
    big.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    local = translate(str(big), "-o", str(tmp_path / "local.jsonl"), "--model", str(tiny_model_hi_en),
                      "--no-cache", "-q", "--field", "text")
    assert local.exit_code == 0, local.output
    expected = (tmp_path / "local.jsonl").read_bytes()

    result = ray_translate(big, tmp_path / "parts", tiny_model_hi_en, "--no-cache", "--shard-records", "7")
    assert result.exit_code == 0, result.output
    parts = sorted((tmp_path / "parts").glob("part-*.jsonl"))
    assert len(parts) == 6 and b"".join(p.read_bytes() for p in parts) == expected

    table = tmp_path / "big.parquet"
    pq.write_table(pa.Table.from_pylist(records), table, row_group_size=7)
    result = ray_translate(table, tmp_path / "tables", tiny_model_hi_en, "--no-cache", "--shard-records", "7")
    assert result.exit_code == 0, result.output
    parts = sorted((tmp_path / "tables").glob("part-*.parquet"))
    rows = [row for part in parts for row in pq.read_table(part).to_pylist()]
    assert len(parts) == 6 and rows == [json.loads(line) for line in expected.decode().splitlines()]
