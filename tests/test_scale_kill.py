"""Nothing lost when a Ray run is killed: a `translate-kit translate --ray` driver process killed
(SIGKILL, with the Ray instance it started) after some shards are recorded, then a rerun that
redoes only the shards without a record and writes the local run's bytes; and a translator
worker killed from outside (its process, found through Ray's actor table) while it translates a
shard: Ray restarts it, the shard is redone and the run completes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import scale_helpers
from scale_helpers import (
    HoldUntilReleased,
    environ_without_ray_address,
    local_reference,
    ray_instance,
    translate,
    translator_pids,
    tree,
    wait_for,
    write_documents,
)

from translate_kit.api import TranslateOptions
from translate_kit.scale import RayOptions, translate_documents_on_ray
from translate_kit.translate import MANIFEST_NAME

ray = scale_helpers.import_ray()
READ = ("--field", "text", "--column", "text")
ROOT = Path(__file__).resolve().parents[1]
CLI = "from translate_kit.cli import main; main()"
__all__ = ["ray_instance"]  # the module's Ray instance (a fixture)


def _records(out: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns)
            for p in (out / ".translate-kit-shards").glob("shard-*.json")}


def _settled_records(out: Path, quiet: float = 3.0, timeout: float = 60.0) -> dict[str, tuple[bytes, int]]:
    """The shard records once none has appeared for `quiet` seconds: a worker of the killed
    instance may still finish the shard in its hands before it notices its raylet is gone."""
    deadline = time.monotonic() + timeout
    records, since = _records(out), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = _records(out)
        if now != records:
            records, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return records


def _options(model: Path) -> TranslateOptions:
    return TranslateOptions(model=str(model), threads=2, use_memory=False, fields=("text",),
                            columns=("text",))


def test_a_killed_driver_process_leaves_finished_shards_and_a_rerun_redoes_only_the_rest(
    ray_instance, tiny_model_hi_en, tmp_path
):
    documents = write_documents(tmp_path / "news", count=19)  # 24 documents, one a shard
    reference = local_reference(documents, tmp_path / "local", tiny_model_hi_en, *READ)
    out = tmp_path / "out"
    env = {**environ_without_ray_address(), "PYTHONPATH": str(ROOT)}
    with (tmp_path / "driver.log").open("w") as log:
        driver = subprocess.Popen(
            [sys.executable, "-c", CLI, "translate", str(documents), "-o", str(out), "--model",
             str(tiny_model_hi_en), "--threads", "2", "--no-cache", "-q", *READ, "--shard-size", "1",
             "--ray"],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
    try:
        wait_for(lambda: len(_records(out)) >= 2 or driver.poll() is not None, 240, "two shard records")
    finally:
        driver.kill()  # SIGKILL: no handler, no cleanup
        driver.wait()
        with contextlib.suppress(ProcessLookupError):  # and the Ray instance it started (its session)
            os.killpg(driver.pid, signal.SIGKILL)
    assert driver.returncode == -signal.SIGKILL, (tmp_path / "driver.log").read_text()
    recorded = _settled_records(out)
    assert 2 <= len(recorded) < 24
    # A worker killed between writing its outputs and its record: outputs there, no record, and
    # so no manifest entry either (the driver enters a shard's outputs from its record).
    lost = sorted(recorded)[0]
    lost_record = json.loads(recorded[lost][0])
    lost_outputs = {Path(entry["output"]).name for entry in lost_record["manifest"]}
    (out / ".translate-kit-shards" / lost).unlink()
    del recorded[lost]
    manifest = out / MANIFEST_NAME
    if manifest.exists():
        kept = [line for line in manifest.read_text(encoding="utf-8").splitlines(keepends=True)
                if Path(json.loads(line)["output"]).name not in lost_outputs]
        manifest.write_text("".join(kept), encoding="utf-8")

    result = translate_documents_on_ray(str(documents), str(out), _options(tiny_model_hi_en),
                                        ray_options=RayOptions(shard_bytes=1))
    stats = result.stats
    assert not result.errors and stats["shards"] == 24
    skipped = {s["shard"] + ".json" for s in stats["per_shard"] if s["skipped"]}
    assert skipped == set(recorded)
    assert stats["shards_skipped"] == len(recorded) and stats["documents"] == 24 - len(recorded)
    after = _records(out)
    assert all(after[name] == recorded[name] for name in recorded)  # finished shards left alone
    assert lost in after and len(after) == 24
    assert tree(out) == reference and not list(out.rglob("*.part"))

    later = translate(str(documents), "-o", str(out), "--model", str(tiny_model_hi_en), "--no-cache",
                      "--threads", "2", "-q", *READ, "--stats-json", str(tmp_path / "local.json"))
    assert later.exit_code == 0, later.output  # the manifest knows every output, also the killed run's
    assert json.loads((tmp_path / "local.json").read_text())["documents_skipped"] == 24


def test_a_worker_killed_from_outside_is_restarted_and_its_shard_redone(ray_instance, tiny_model_hi_en,
                                                                         tmp_path):
    documents = write_documents(tmp_path / "news", count=4)
    reference = local_reference(documents, tmp_path / "local", tiny_model_hi_en, *READ)
    signals = tmp_path / "signals"
    signals.mkdir()
    killed: list[tuple[int, bool]] = []

    def kill_a_busy_translator() -> None:
        try:
            busy = wait_for(lambda: sorted(signals.glob("busy-*")), 120, "translator at work")
            pid = int(busy[0].name.removeprefix("busy-"))
            killed.append((pid, pid in translator_pids()))
            os.kill(pid, signal.SIGKILL)
        finally:
            (signals / "release").touch()

    killer = threading.Thread(target=kill_a_busy_translator)
    killer.start()
    result = translate_documents_on_ray(str(documents), str(tmp_path / "out"), _options(tiny_model_hi_en),
                                        ray_options=RayOptions(shard_bytes=1,
                                                              engine_factory=HoldUntilReleased(signals)))
    killer.join()
    assert killed and killed[0][1], f"{killed}: not a translator actor's process"
    assert result.stats["worker_failures"] >= 1 and not result.errors
    assert tree(tmp_path / "out") == reference
