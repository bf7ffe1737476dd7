"""The driver of a Ray run: shards in, the same outputs as a local run out, resumable.

1. The inputs are listed and cut into shards (translate_kit.scale.inputs); a shard whose record
   (`<out>/.translate-kit-shards/shard-NNNNN.json`) matches its inputs and settings is done.
2. A Ray Data pipeline over the other shards: planning tasks, a memory lookup actor, and a pool
   of translator actors (translate_kit.scale.stages), `num_cpus` per actor from the thread layout
   (or one GPU each with a CUDA device); actors that die are restarted and their shard retried.
3. As shard records stream back the progress bar moves; afterwards every shard's memory is merged
   into the main translation memory, failed documents are listed in the errors file, and the
   counts are summed into the same stats as a local run, plus per-shard counts and retries.

Why our own shards over `ray.data.read_*` blocks: a shard must be the same set of documents on a
rerun, so that a finished one can be skipped and an unfinished one redone; Ray Data's blocks are
sized by the executor and carry no such identity.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import pickle
import posixpath
import time
import warnings
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pyarrow.fs as pafs

from ..api import TranslateOptions
from ..documents import parse_document
from ..engine import DecodeOptions, available_cores, thread_layout
from ..errors import TranslateKitError
from ..languages import detect_source, other
from ..memory import TranslationMemory, default_path, options_key
from ..models import resolve_model
from ..translate import RunStats
from .client import is_client_address, run_through_client
from .cluster import ClusterError, connect, environment_address, in_cluster_node, require_ray
from .inputs import Place, Shard, collect, collect_records, cut, place
from .manifest import LocalManifest, earlier_outputs
from .options import DEFAULT_SHARD_RECORDS, ActorLayout, RayOptions, RayResult, actor_layout
from .stages import (
    MEMORY_SUFFIX,
    RECORD_SUFFIX,
    MemoryService,
    RunSpec,
    ShardTranslator,
    read_memory,
    read_shard,
)

WORK_DIR = ".translate-kit-shards"
ERRORS_NAME = ".translate-kit-errors.jsonl"
_NOT_SUMMED = frozenset({"seconds", "sentences_per_second"})


def translate_documents_on_ray(
    source: str,
    output: str,
    options: TranslateOptions,
    *,
    fmt: str | None = None,
    decoding: DecodeOptions | None = None,
    ray_options: RayOptions | None = None,
    progress: Callable[[int, int, int], None] | None = None,
) -> RayResult:
    """Translate a file or folder (local path or filesystem URI) into `output` on Ray, with the
    same options as `api.translate_documents` (`decoding` overrides the options' decoding settings,
    as benchmarks pinning output lengths need).

    `progress(shards_done, shards_total, sentences_done)` is called as shards finish.
    """
    ray_options = ray_options or RayOptions()
    address = ray_options.address or environment_address()
    if is_client_address(address):  # the driver runs in the cluster ("auto" there: the cluster it is in)
        inside = {"fmt": fmt, "decoding": decoding, "ray_options": replace(ray_options, address="auto")}
        return run_through_client(address, translate_documents_on_ray, (source, output, options), inside,
                                  progress)
    decoding = decoding or options.decode_options()
    started = time.perf_counter()
    inputs, out = place(source), place(output)
    records_mode = ray_options.shard_records is not None or inputs.path.endswith(".parquet")
    if records_mode:
        items = collect_records(inputs, out, ray_options.shard_records or DEFAULT_SHARD_RECORDS)
    else:
        items = collect(inputs, out, fmt, bilingual=options.bilingual, src=options.src, tgt=options.tgt)
    work, errors_place, root = _work_place(inputs, out, records_mode)
    _check_writable(work)
    manifest = LocalManifest(None if records_mode else root)
    src = options.src
    if src is None and options.model is None:
        src = _detect_source(items, options)
    model_dir = resolve_model(options.model, src, options.tgt or (other(src) if src else None))
    job_key = _job_key(model_dir, options, decoding)
    cores = options.threads or available_cores()
    per_actor = thread_layout(cores)[1]
    memory_path = (options.memory or str(default_path())) if options.use_memory else None
    with connect(address, num_cpus=None if address else cores) as nodes:
        layout = actor_layout(nodes, options.device, per_actor, ray_options.workers)
        if records_mode:  # one part a shard
            shards = [Shard(index, (item,)) for index, item in enumerate(items)]
        else:
            shards = cut(items, _shard_bytes(items, ray_options, layout))
        done, todo = ({}, shards) if options.force else _split_done(shards, work, job_key)
        _refuse_foreign_outputs(todo, out, options.overwrite, work, manifest)
        for record in done.values():  # shards an earlier driver did not live to enter
            manifest.note(record)
        actor_options = replace(options, model=str(model_dir.root), src=model_dir.src, tgt=model_dir.tgt,
                                threads=layout.threads, device=layout.device, use_memory=False)
        spec = RunSpec(actor_options, decoding, work, engine_wrapper=ray_options.engine_factory)
        if ray_options.ship_model:
            spec.model_files = _ship(model_dir.root)
        records = dict(done)
        sentences = 0
        if progress:
            progress(len(records), len(shards), sentences)
        if todo:
            entries = {} if options.force else {s.name: manifest.entries_for(s) for s in todo}
            for record in _run_pipeline(todo, job_key, spec, memory_path, layout, ray_options.max_retries,
                                        entries):
                manifest.note(record)
                records[record["shard"]] = record
                sentences += record["stats"]["sentences"]
                if progress:
                    progress(len(records), len(shards), sentences)
    stats = _summary(shards, records, set(done), time.perf_counter() - started)
    merged, repeated = _merge_memories(work, records, set(done), memory_path)
    stats["repeated_across_shards"] = repeated
    if memory_path:
        stats["memory_merged"] = merged
    errors = [error for name in sorted(records) for error in records[name]["errors"]]
    errors_path = _write_errors(errors_place, errors)
    return RayResult(stats, errors, errors_path)


def _job_key(model_dir, options: TranslateOptions, decoding: DecodeOptions) -> str:
    """What changes an output: model, direction, decoding, glossary and how inputs are read/written."""
    payload = json.dumps(
        [model_dir.fingerprint(), model_dir.src, model_dir.tgt, options_key(decoding), options.device,
         options.compute_type, sorted((options.glossary or {}).items()), options.errors, options.bilingual,
         options.wrap, options.document_settings()],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _work_place(source: Place, out: Place, folder: bool) -> tuple[Place, Place, Place]:
    """Shard records, the errors file and the folder whose manifest records the outputs:
    `<out>/.translate-kit-shards/`, `<out>/.translate-kit-errors.jsonl` and `<out>` for a folder;
    beside the output file for one file."""
    if folder or source.kind() == pafs.FileType.Directory or out.kind() == pafs.FileType.Directory:
        return out.join(WORK_DIR), out.join(ERRORS_NAME), out
    parent = Place(out.fs, posixpath.dirname(out.path), posixpath.dirname(out.shown) or ".")
    name = posixpath.basename(out.path)
    return parent.join(WORK_DIR, name), parent.join(f".{name}.errors.jsonl"), parent


def _check_writable(work: Place) -> None:
    """Fail at once, in one line, when the output place cannot be written (before any Ray start)."""
    try:
        work.join(".probe").write_bytes(b"")
        work.fs.delete_file(work.join(".probe").path)
    except OSError as exc:
        raise TranslateKitError(f"{work.shown}: output folder not writable: {exc}") from None


def _detect_source(items, options: TranslateOptions) -> str:
    """The inputs' language from their text, by the local run's rule (languages.detect_source)."""
    sample: list[str] = []
    for item in items[:50]:
        try:
            text = item.read_text("replace")
            doc = parse_document(text, item.source.shown, item.fmt, **options.document_settings())
        except (TranslateKitError, OSError):
            continue  # reported by the worker that reads it
        sample.extend(block.plain_text() for block in doc.translatable())
        if sum(map(len, sample)) > 20_000:
            break
    return detect_source(sample)


def _shard_bytes(items, ray_options: RayOptions, layout: ActorLayout) -> int:
    """The shard size asked for, made smaller for a small input so every actor gets several shards."""
    total = sum(item.size for item in items)
    return max(1, min(ray_options.shard_bytes, total // (4 * layout.count) or 1))


def _split_done(shards: list[Shard], work: Place, job_key: str) -> tuple[dict[str, dict], list[Shard]]:
    """Shards whose record matches their inputs and settings (and whose outputs exist), and the rest."""
    found = {
        info.path.rsplit("/", 1)[-1]: info
        for info in work.fs.get_file_info(pafs.FileSelector(work.path, allow_not_found=True))
        if info.type == pafs.FileType.File
    }
    done, todo = {}, []
    for shard in shards:
        record = None
        if shard.name + RECORD_SUFFIX in found:
            with contextlib.suppress(OSError, ValueError):
                record = json.loads(work.join(shard.name + RECORD_SUFFIX).read_bytes())
        matches = record is not None and record.get("fingerprint") == shard.fingerprint(job_key)
        if matches and _outputs_exist(work, record):
            done[shard.name] = record
        else:
            todo.append(shard)
    return done, todo


def _outputs_exist(work: Place, record: dict) -> bool:
    infos = work.fs.get_file_info(record["outputs"])
    return all(info.type == pafs.FileType.File for info in infos)


def _refuse_foreign_outputs(todo: list[Shard], out: Place, overwrite: bool, work: Place,
                            manifest: LocalManifest) -> None:
    """An existing output that no earlier run into this folder wrote (Ray: a shard record or attempt
    names it; local: the manifest knows it) is refused unless `overwrite`, as a local run does."""
    if overwrite or not todo:
        return
    outputs = [item.output for shard in todo for item in shard.items]
    existing = [o for o, info in zip(outputs, out.fs.get_file_info([o.path for o in outputs]), strict=True)
                if info.type == pafs.FileType.File]
    ours = earlier_outputs(work) if existing else set()
    for item in existing:
        if item.path not in ours and not manifest.knows(item.path):
            raise TranslateKitError(f"{item.shown}: output exists (use --overwrite to replace it)")


def _ship(root) -> Any:
    """The model's files put once into the object store; each node writes them to local disk once."""
    ray = require_ray()
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    return ray.put(files)


def _run_pipeline(todo, job_key, spec, memory_path, layout: ActorLayout, retries: int, entries: dict):
    """Yield each shard's record as its translator actor finishes it (`entries`: the local
    manifest's entries of each shard's outputs, by shard name)."""
    ray = require_ray()
    from ray.data import ActorPoolStrategy, DataContext, TaskPoolStrategy
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    context = DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    if memory_path:
        node = in_cluster_node()
        where = {"scheduling_strategy": NodeAffinitySchedulingStrategy(node, soft=False)} if node else {}
        spec.memory_service = ray.remote(num_cpus=0, **where)(MemoryService).remote(memory_path)
    rows = [
        {"shard": shard.index, "fingerprint": shard.fingerprint(job_key),
         "payload": pickle.dumps((shard, entries.get(shard.name, {})))}
        for shard in todo
    ]
    ds = ray.data.from_items(rows, override_num_blocks=len(rows))
    # Reading is light; it must not wait for CPUs the translator actors hold for the whole run.
    ds = ds.map(read_shard, fn_kwargs={"spec": spec}, num_cpus=0, compute=TaskPoolStrategy(size=layout.count))
    with warnings.catch_warnings():
        # Ray 2.60 deprecates passing actor options this way but offers no other route yet;
        # bounded, unlike Ray Data's default of forever: a shard that kills every worker fails the run.
        warnings.simplefilter("ignore")
        ds = ds.map(ShardTranslator, fn_constructor_kwargs={"spec": spec},
                    compute=ActorPoolStrategy(size=layout.count), max_restarts=retries,
                    max_task_retries=retries, **layout.resources)
    try:
        for row in ds.iter_rows():
            yield json.loads(row["record"])
    except ray.exceptions.RayError as exc:
        raise ClusterError(f"the Ray run failed: {_cause(exc)}") from None
    finally:
        if spec.memory_service is not None:
            ray.kill(spec.memory_service)


def _cause(exc: BaseException) -> str:
    """The first line of the worker's own exception under Ray's wrappers."""
    while True:
        inner = getattr(exc, "cause", None) or exc.__cause__
        if inner is None or inner is exc:
            break
        exc = inner
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"


def _summary(shards: list[Shard], records: dict[str, dict], done: set[str], seconds: float) -> dict[str, Any]:
    """The local run's stats (summed over the shards run now) plus shards, per-shard counts and
    retries; shards finished by an earlier run count as skipped documents, as locally."""
    stats = RunStats(seconds=seconds).to_dict()
    fresh = {name: r for name, r in records.items() if name not in done}
    for record in fresh.values():
        for key, value in record["stats"].items():
            if key not in _NOT_SUMMED and isinstance(value, int):
                stats[key] = stats.get(key, 0) + value
    stats["documents_skipped"] += sum(records[name]["documents"] for name in done)
    stats["sentences_per_second"] = round(stats["sentences"] / seconds, 2) if seconds else None
    stats["shards"] = len(shards)
    stats["shards_skipped"] = len(done)
    stats["worker_failures"] = sum(r["attempts"] - 1 for r in fresh.values())
    stats["failed_documents"] = sum(len(r["errors"]) for r in records.values())
    stats["per_shard"] = [
        {"shard": name, "skipped": name in done, "documents": r["documents"],
         "sentences": r["stats"]["sentences"], "translated": r["stats"]["translated"],
         "cached": r["stats"]["cached"], "errors": len(r["errors"]), "attempts": r["attempts"]}
        for name, r in sorted(records.items())
    ]
    return stats


def _merge_memories(work: Place, records: dict[str, dict], done: set[str], memory_path: str | None
                    ) -> tuple[int, int]:
    """Every shard's new translations into the main memory (repeatable: entries are keyed), if
    there is one; returns the entries merged and how many translations of this run repeat one
    made in another of its shards (shards running at the same time can each translate a sentence
    they share before either has handed it to the memory; without a memory every shard does)."""
    merged = made = 0
    keys: set[str] = set()
    with TranslationMemory(memory_path) if memory_path else contextlib.nullcontext() as memory:
        for name, record in sorted(records.items()):
            if not record["new_memory"] or (memory is None and name in done):
                continue
            entries = read_memory(work.join(name + MEMORY_SUFFIX))
            if memory is not None:
                memory.put_many(entries)
                merged += len(entries)
            if name not in done:
                made += len(entries)
                keys.update(entries)
    return merged, made - len(keys)


def _write_errors(target: Place, errors: list[dict[str, str]]) -> str | None:
    """One JSON line per failed document (document, error); no file when nothing failed."""
    if not errors:
        if target.kind() == pafs.FileType.File:
            target.fs.delete_file(target.path)
        return None
    target.write_bytes("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors).encode("utf-8"))
    return target.shown
